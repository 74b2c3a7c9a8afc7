// wvsim --expect: the metrics it knows, their values in a report, the verdict, the summary,
// the JSON and `wvsim merge`.
#include <doctest/doctest.h>

#include "options.hpp"
#include "report.hpp"
#include "run_metrics.hpp"
#include "verdict.hpp"

using namespace wv::sim;

namespace {
run_report run() {
    run_report r;
    r.version = "t";
    r.target = "127.0.0.1:1";
    r.fleet_devices = r.devices = 10;
    r.shard = "0/1";
    r.qos = 1;
    r.duration_s = r.publish_window_s = 10;
    r.connect_attempts = 12;
    r.connect_outcomes = {{"connected", 10}, {"closed_without_connack", 2}};
    r.reports_planned = r.reports_due = 1000;
    r.reports_sent = 998;
    r.reports_acked = 997;
    r.reports_lost = 1;
    r.reports_skipped = 2;
    for (std::uint64_t i = 1; i <= 100; ++i) r.latency["connack"].record_us(i * 1000);  // 1..100 ms
    return r;
}

int parse_exit(std::vector<const char*> argv) {
    argv.insert(argv.begin(), "wvsim");
    return parse_options(static_cast<int>(argv.size()), argv.data()).exit_code;
}
}  // namespace

TEST_CASE("the values --expect checks, from a report") {
    const auto v = run_metric_values(run());
    CHECK(v.at("connack.p50") == doctest::Approx(50'000).epsilon(0.01));
    CHECK(v.at("connack.p99") == doctest::Approx(99'000).epsilon(0.01));
    CHECK(v.at("connack.max") == 100'000);
    CHECK(v.at("acked") == doctest::Approx(99.7));
    CHECK(v.at("sent") == doctest::Approx(99.8));
    CHECK(v.at("unsent") == doctest::Approx(0.2));
    CHECK(v.at("lost") == doctest::Approx(100.0 / 998));
    CHECK(v.at("connect_failures") == 2);
    CHECK(v.at("connected") == 100);
    CHECK(v.at("rate") == doctest::Approx(99.8));
    CHECK_FALSE(v.count("puback.p99"));    // no PUBACK samples: no value
    CHECK_FALSE(v.count("authorizer.p99")); // not the embedded gateway
    // Every value has a catalogue entry.
    for (const auto& [k, _] : v) {
        bool known = false;
        for (const auto& m : run_metric_catalogue()) known = known || m.name == k;
        CHECK_MESSAGE(known, k);
    }
}

TEST_CASE("a failed threshold fails the run: verdict, summary, JSON, merge") {
    auto r = run();
    r.connect_outcomes = {{"connected", 10}};
    r.reports_lost = 0;  // a lost report fails a run on its own (report_step_test's verdict case)
    check_thresholds(r, {"connack.p99<200ms", "acked>=99.9%"});
    REQUIRE(r.thresholds.size() == 2);
    CHECK(r.thresholds[0].passed);
    CHECK_FALSE(r.thresholds[1].passed);
    const auto v = judge(r);
    CHECK(v.exit_code == 1);
    CHECK(v.reason == "--expect: acked>=99.9% (was 99.700%)");
    const auto text = summary_text(r);
    CHECK(text.find("Thresholds (--expect): 1 of 2 failed\n") != std::string::npos);
    CHECK(text.find("  ok      connack.p99<200ms   actual 99.") != std::string::npos);
    CHECK(text.find("  FAILED  acked>=99.9%        actual 99.700%\n") != std::string::npos);
    CHECK(text.ends_with("Result: FAILED: --expect: acked>=99.9% (was 99.700%) (exit 1)\n"));
    // JSON keeps them.
    const auto back = report_from_json(to_json(r));
    REQUIRE(back.thresholds.size() == 2);
    CHECK_FALSE(back.thresholds[1].passed);
    // `wvsim merge` keeps each expression once, and main checks them again on the whole fleet.
    auto merged = back;
    auto other = run();
    other.reports_acked = 1000;
    other.reports_sent = 1000;
    other.reports_skipped = 0;
    check_thresholds(other, {"acked>=99.9%"});
    merge(merged, other);
    CHECK(merged.thresholds.size() == 2);
    std::vector<std::string> again;
    for (const auto& t : merged.thresholds) again.push_back(t.expression);
    check_thresholds(merged, again);
    CHECK(merged.thresholds[1].actual == "99.850%");  // 1997 of 2000
    // Passing thresholds leave the verdict OK.
    check_thresholds(r, {"connack.p99<200ms"});
    CHECK(judge(r).exit_code == 0);
}

TEST_CASE("--expect on the command line: a typo is a usage error (exit 2) before anything runs") {
    CHECK(parse_exit({"--expect", "connack.p99<200ms", "--expect", "acked>=99.9%", "--help"}) == 0);
    CHECK(parse_exit({"--expect", "conack.p99<200ms"}) == 2);
    CHECK(parse_exit({"--expect", "connack.p99<200"}) == 2);
    const char* ok[] = {"wvsim", "--expect", "connack.p99<200ms", "--expect", "acked>=99.9%", "--metrics-port", "0"};
    const auto p = parse_options(7, ok);
    CHECK(p.kind == parse_outcome::run);
    CHECK(p.options.expect == std::vector<std::string>{"connack.p99<200ms", "acked>=99.9%"});
    CHECK(p.options.metrics_port == std::uint16_t{0});
    CHECK(p.options.command_line == "wvsim --expect 'connack.p99<200ms' --expect 'acked>=99.9%' --metrics-port 0");
    CHECK(expect_help().find("acked") != std::string::npos);
}
