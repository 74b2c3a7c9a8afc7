#include <doctest/doctest.h>

#include "metrics/registry.hpp"

using wv::metrics::registry;

TEST_CASE("registry renders the Prometheus text format") {
    registry r;
    auto& ok = r.add_counter("wv_connects_total", "Connection attempts by outcome.", {{"outcome", "ok"}});
    auto& bad = r.add_counter("wv_connects_total", "Connection attempts by outcome.", {{"outcome", "bad \"pw\""}});
    auto& conn = r.add_gauge("wv_connected", "Devices connected now.");
    auto& lat = r.add_histogram("wv_connack_seconds", "CONNECT to CONNACK.");
    ok.add(3);
    bad.add();
    conn.set(7);
    conn.sub(2);
    lat.record_us(1000);
    lat.record_us(3000);
    CHECK(&r.add_counter("wv_connects_total", "x", {{"outcome", "ok"}}) == &ok);

    const auto text = r.render();
    CHECK(text ==
          "# HELP wv_connack_seconds CONNECT to CONNACK.\n"
          "# TYPE wv_connack_seconds summary\n"
          "wv_connack_seconds{quantile=\"0.5\"} 0.001001\n"
          "wv_connack_seconds{quantile=\"0.9\"} 0.003000\n"
          "wv_connack_seconds{quantile=\"0.99\"} 0.003000\n"
          "wv_connack_seconds{quantile=\"0.999\"} 0.003000\n"
          "wv_connack_seconds_sum 0.004000\n"
          "wv_connack_seconds_count 2\n"
          "# HELP wv_connected Devices connected now.\n"
          "# TYPE wv_connected gauge\n"
          "wv_connected 5\n"
          "# HELP wv_connects_total Connection attempts by outcome.\n"
          "# TYPE wv_connects_total counter\n"
          "wv_connects_total{outcome=\"bad \\\"pw\\\"\"} 1\n"
          "wv_connects_total{outcome=\"ok\"} 3\n");
}

TEST_CASE("registry rejects bad names and type clashes") {
    registry r;
    CHECK_THROWS_AS(r.add_counter("9lives", "x"), std::invalid_argument);
    CHECK_THROWS_AS(r.add_counter("a-b", "x"), std::invalid_argument);
    CHECK_THROWS_AS(r.add_counter("ok", "x", {{"bad-label", "v"}}), std::invalid_argument);
    r.add_counter("wv_x", "x");
    CHECK_THROWS_AS(r.add_gauge("wv_x", "x"), std::invalid_argument);
    CHECK(wv::metrics::escape_label_value("a\\b\n") == "a\\\\b\\n");
}

TEST_CASE("callback metrics are read at each render; callback histograms render as Prometheus histograms") {
    registry r;
    std::uint64_t sent = 3;
    wv::metrics::histogram h;
    r.add_counter_fn("wv_sent_total", "Sent.", [&] { return static_cast<double>(sent); }, {{"kind", "report"}});
    r.add_gauge_fn("wv_up", "Up.", [] { return 1.0; });
    r.add_histogram_fn("wv_lat_seconds", "Latency.", [&] { return h; }, {{"stage", "connack"}});
    h.record_us(400);      // <= 0.0005
    h.record_us(1000);     // <= 0.001
    h.record_us(70'000);   // <= 0.1
    h.record_us(90'000'000);  // over every bound: only +Inf
    const auto text = r.render();
    CHECK(text.find("# TYPE wv_sent_total counter\nwv_sent_total{kind=\"report\"} 3\n") != std::string::npos);
    CHECK(text.find("# TYPE wv_up gauge\nwv_up 1\n") != std::string::npos);
    CHECK(text.find("# TYPE wv_lat_seconds histogram\n") != std::string::npos);
    CHECK(text.find("wv_lat_seconds_bucket{stage=\"connack\",le=\"0.0005\"} 1\n") != std::string::npos);
    CHECK(text.find("wv_lat_seconds_bucket{stage=\"connack\",le=\"0.001\"} 2\n") != std::string::npos);
    CHECK(text.find("wv_lat_seconds_bucket{stage=\"connack\",le=\"0.05\"} 2\n") != std::string::npos);
    CHECK(text.find("wv_lat_seconds_bucket{stage=\"connack\",le=\"0.1\"} 3\n") != std::string::npos);
    CHECK(text.find("wv_lat_seconds_bucket{stage=\"connack\",le=\"60\"} 3\n") != std::string::npos);
    CHECK(text.find("wv_lat_seconds_bucket{stage=\"connack\",le=\"+Inf\"} 4\n") != std::string::npos);
    CHECK(text.find("wv_lat_seconds_count{stage=\"connack\"} 4\n") != std::string::npos);
    CHECK(text.find("wv_lat_seconds_sum{stage=\"connack\"} 90.071400\n") != std::string::npos);
    sent = 7;
    CHECK(r.render().find("wv_sent_total{kind=\"report\"} 7\n") != std::string::npos);
    CHECK_THROWS_AS(r.add_gauge_fn("wv_sent_total", "x", [] { return 0.0; }), std::invalid_argument);
}
