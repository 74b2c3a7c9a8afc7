// `wvauthz bench`'s HTML page and its --expect metrics, from a load_result made by hand.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "authorizer_clients/loadgen/load_metrics.hpp"
#include "authorizer_clients/loadgen/load_report.hpp"
#include "support/chart_checks.hpp"
#include "support/html_tree.hpp"

using namespace wv::loadgen;

namespace {
// 10 s at 100 calls/s; second 4 stalls (p50 3 s); second 7 has no completion at all.
load_result result(bool failing) {
    load_result r;
    r.backend = "static (2 credentials)";
    r.asked_rate = 100;
    r.duration_s = 10;
    r.elapsed_s = 10.2;
    r.sent = 1000;
    r.completed = 1000;
    r.achieved_rate = 98;
    r.allowed = failing ? 0 : 1000;
    r.backend_errors = failing ? 1000 : 0;
    if (failing) r.errors_by_kind = {{"transport", 1000}};
    r.p50_ms = 1.2;
    r.p90_ms = 2;
    r.p99_ms = 9;
    r.p999_ms = 3000;
    r.max_ms = 3100;
    r.mean_ms = 40;
    r.histogram = {{0.5, 0}, {1, 100}, {2, 800}, {5, 50}, {10, 40}, {5000, 10}, {std::numeric_limits<double>::infinity(), 0}};
    for (int i = 1; i <= 10; ++i) {
        timeline_point p;
        p.t_s = i;
        p.completed = i == 7 ? 0 : 100;
        p.failed = failing ? p.completed : 0;
        p.p50_ms = i == 4 ? 3000 : 1.2;
        p.p99_ms = i == 4 ? 3100 : 9;
        if (i == 7) p.p50_ms = p.p99_ms = 0;
        r.timeline.push_back(p);
    }
    return r;
}
}  // namespace

TEST_CASE("bench HTML: the run on top, log-scale latency with a band, a gap for a second without calls") {
    bench_context c;
    c.command_line = "wvauthz bench --static dev1:pw1 --rate 100 --expect 'latency.p99<50ms'";
    c.started_at = "2026-12-06T10:30:00Z";
    c.version = "0.1.0";
    c.thresholds = check_thresholds(result(false), {"latency.p99<50ms", "errors==0%"});
    const auto d = wv::test::parse_html(to_html(result(false), c));
    CHECK(d->find("dd", "command").at(0)->all_text() == c.command_line);
    CHECK(d->find("dd", "started").at(0)->all_text() == "2026-12-06T10:30:00Z");
    CHECK(d->find("dd", "versions").at(0)->all_text() == "wvauthz 0.1.0");
    CHECK(d->find("dd", "target").at(0)->all_text() == "static (2 credentials)");
    CHECK(d->by_id("verdict")->has_class("ok"));
    CHECK(d->by_id("failures") == nullptr);
    CHECK(d->by_id("thresholds")->find("tr", "good").size() == 2);
    const auto problems = wv::test::chart_problems(*d);
    for (const auto& p : problems) INFO(p);
    CHECK(problems.empty());
    const auto* svg = d->by_id("latency")->find("svg").at(0);
    CHECK(svg->attr("data-scale") == "log");
    CHECK(svg->find("polygon", "band").size() == 2);      // split by second 7
    CHECK(svg->find("polyline", "series").size() == 4);  // p50 and p99, each in two pieces
    // The 3 s stall does not flatten the ordinary seconds: p50 1.2 ms and p99 9 ms stay apart.
    const auto p50 = wv::test::series_heights(*svg, "#1f77b4");
    const auto p99 = wv::test::series_heights(*svg, "#0d3d66");
    REQUIRE(!p50.empty());
    CHECK(p99[0] - p50[0] > 0.15);
    CHECK(d->by_id("latency")->find("line", "reference").size() == 1);
}

TEST_CASE("bench HTML: a run where every call failed shows why") {
    bench_context c;
    c.command_line = "wvauthz bench";
    c.started_at = "2026-12-06T10:31:00Z";
    c.version = "0.1.0";
    c.thresholds = check_thresholds(result(true), {"errors==0%"});
    c.exit_code = 1;
    const auto d = wv::test::parse_html(to_html(result(true), c));
    CHECK(d->by_id("verdict")->has_class("bad"));
    CHECK(d->by_id("verdict")->all_text() == "FAILED: --expect errors==0% (was 100.00%) (exit 1)");
    const auto* f = d->by_id("failures");
    REQUIRE(f != nullptr);
    CHECK(f->all_text().find("transport") != std::string::npos);
    CHECK(f->find("div", "b").size() == 1);
    CHECK(wv::test::chart_problems(*d).empty());
    // Without --expect, failed calls still colour the verdict.
    const auto plain = wv::test::parse_html(to_html(result(true), {}));
    CHECK(plain->by_id("verdict")->has_class("bad"));
}

TEST_CASE("bench --expect metrics") {
    const auto v = load_metric_values(result(false));
    CHECK(v.at("latency.p99") == 9000);
    CHECK(v.at("errors") == 0);
    CHECK(v.at("allowed") == 100);
    CHECK(v.at("completed") == 100);
    CHECK(v.at("rate") == 98);
    const auto rs = check_thresholds(result(true), {"errors<1%", "latency.p50<=1.2ms"});
    CHECK_FALSE(rs[0].passed);
    CHECK(rs[1].passed);
    CHECK_THROWS_AS(check_thresholds(result(false), {"latency.p98<1ms"}), wv::thresholds::parse_error);
    bench_context c;
    c.command_line = "x";
    c.thresholds = rs;
    const auto j = to_json(result(false), c);
    CHECK(j["thresholds"].size() == 2);
    CHECK(j["command_line"] == "x");
}
