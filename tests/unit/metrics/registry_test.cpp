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
