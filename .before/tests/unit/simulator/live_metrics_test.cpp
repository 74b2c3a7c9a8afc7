// wvsim --metrics-port's page: the metric names config/grafana/wvsim.json queries, read live
// from fleet_stats. (tests/integration/simulator checks a real run's page, gateway included.)
#include <doctest/doctest.h>

#include "live_metrics.hpp"
#include "support/grafana_dashboard.hpp"

using namespace wv::sim;

TEST_CASE("wvsim's live metrics: names, values read at scrape time, latency as a Prometheus histogram") {
    fleet_stats s;
    wv::metrics::registry reg;
    register_fleet_metrics(reg, s, {.version = "0.1.0", .target = "127.0.0.1:8883", .engine = "asio", .devices = 5});
    s.connect_attempts += 6;
    s.connects_ok += 5;
    s.connect_failures += 1;
    s.on_connected();
    s.on_connected();
    s.sent += 40;
    s.acked += 39;
    s.connack.record_us(1500);
    s.connack.record_us(30'000);
    const auto text = reg.render();
    CHECK(text.find("wvsim_devices 5\n") != std::string::npos);
    CHECK(text.find("wvsim_devices_connected 2\n") != std::string::npos);
    CHECK(text.find("wvsim_connects_total{result=\"connected\"} 5\n") != std::string::npos);
    CHECK(text.find("wvsim_connects_total{result=\"failed\"} 1\n") != std::string::npos);
    CHECK(text.find("wvsim_reports_total{state=\"acked\"} 39\n") != std::string::npos);
    CHECK(text.find("# TYPE wvsim_latency_seconds histogram\n") != std::string::npos);
    CHECK(text.find("wvsim_latency_seconds_bucket{stage=\"connack\",le=\"0.001\"} 0\n") != std::string::npos);
    CHECK(text.find("wvsim_latency_seconds_bucket{stage=\"connack\",le=\"0.002\"} 1\n") != std::string::npos);
    CHECK(text.find("wvsim_latency_seconds_bucket{stage=\"connack\",le=\"0.05\"} 2\n") != std::string::npos);
    CHECK(text.find("wvsim_latency_seconds_bucket{stage=\"connack\",le=\"+Inf\"} 2\n") != std::string::npos);
    CHECK(text.find("wvsim_latency_seconds_count{stage=\"connack\"} 2\n") != std::string::npos);
    CHECK(text.find("wvsim_info{version=\"0.1.0\",target=\"127.0.0.1:8883\",engine=\"asio\"} 1\n") != std::string::npos);
    // Live: the next scrape sees new values.
    s.sent += 10;
    CHECK(reg.render().find("wvsim_reports_total{state=\"sent\"} 50\n") != std::string::npos);
    // Every wvsim_* metric the Grafana dashboard queries is on the page.
    const auto names =
        wv::test::dashboard_metrics(std::string(WV_SOURCE_DIR_PATH) + "/config/grafana/wvsim.json", "wvsim_[a-z0-9_]+");
    CHECK(names.size() >= 8);
    for (const auto& n : names) CHECK_MESSAGE(text.find("\n" + n) != std::string::npos, n);
}
