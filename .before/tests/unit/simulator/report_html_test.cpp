// wvsim's HTML report, read as a document: the header says what ran, a failed run shows why,
// latency is on a log axis with bands, the authorizer's share is plotted, charts are clean.
#include <doctest/doctest.h>

#include <cmath>

#include "report.hpp"
#include "run_metrics.hpp"
#include "support/chart_checks.hpp"
#include "support/html_tree.hpp"

using namespace wv::sim;

namespace {
wv::metrics::sparse_histogram html_second_of(std::uint64_t n, std::uint64_t us, std::uint64_t tail_n = 0,
                                        std::uint64_t tail_us = 0) {
    wv::metrics::histogram h;
    h.record_us(us, n);
    if (tail_n) h.record_us(tail_us, tail_n);
    return wv::metrics::sparse_histogram(h);
}

// A 20-second run of 100 devices; second 8 is slow (a 4 s PUBACK stall). An ordinary second's
// PUBACKs: 90 at 1.5 ms, 10 at 9 ms (p50 1.5 ms, p99 9 ms).
run_report passing_run() {
    run_report r;
    r.version = "0.1.0";
    r.command_line = "wvsim --devices 100 --duration 20 --expect 'connack.p99<200ms'";
    r.started_at = "2026-12-06T10:15:00Z";
    r.versions = {{"wvsim", "0.1.0"}, {"OpenSSL", "3.0.15"}};
    r.target = "127.0.0.1:40001";
    r.embedded_gateway = true;
    r.fleet_devices = r.devices = 100;
    r.duration_s = r.publish_window_s = 20;
    r.asked_msgs_per_s = 100;
    r.connect_attempts = 100;
    r.connected_peak = 100;
    r.connect_outcomes = {{"connected", 100}};
    r.session_ends = {{"clean_stop", 100}};
    r.reports_planned = r.reports_due = r.reports_sent = r.reports_acked = 2000;
    r.gateway = {{"authorizer_calls", 100}, {"authorizer_p50_us", 900}, {"authorizer_p99_us", 2500}, {"authorizer_max_us", 3000}};
    for (int i = 1; i <= 20; ++i) {
        timeline_sample s;
        s.t = i;
        s.connected = std::min(100, i * 50);
        s.connects = i <= 2 ? 50 : 0;
        s.sent = s.acked = 100;
        const bool slow = i == 8;
        s.set_latency(i <= 2 ? html_second_of(50, 2'000) : wv::metrics::sparse_histogram{},
                      slow ? html_second_of(100, 4'200'000) : html_second_of(90, 1'500, 10, 9'000));
        if (i <= 2) s.authorizer = html_second_of(50, 900);
        r.timeline.push_back(s);
        r.latency["connack"].merge(s.connack.to_histogram());
        r.latency["puback"].merge(s.puback.to_histogram());
    }
    check_thresholds(r, {"connack.p99<200ms", "acked>=99.9%"});
    return r;
}

// Every device refused: no CONNACK, no report, a verdict of 1.
run_report failing_run() {
    run_report r;
    r.version = "0.1.0";
    r.command_line = "wvsim --devices 50 --password wrong";
    r.started_at = "2026-12-06T10:20:00Z";
    r.target = "127.0.0.1:40002";
    r.embedded_gateway = true;
    r.fleet_devices = r.devices = 50;
    r.duration_s = r.publish_window_s = 5;
    r.connect_attempts = 150;
    r.connect_outcomes = {{"closed_without_connack", 150}};
    r.reports_planned = r.reports_due = 250;
    r.reports_skipped = 250;
    r.unsent = {{"never_connected", 250}};
    r.devices_never_connected = 50;
    for (int i = 1; i <= 5; ++i) {
        timeline_sample s;
        s.t = i;
        s.failures = 30;
        s.set_latency({}, {});
        r.timeline.push_back(s);
    }
    r.notes = {"closed without CONNACK at the local gateway means the authorizer denied or failed"};
    return r;
}

std::unique_ptr<wv::test::html_node> doc(const run_report& r) { return wv::test::parse_html(html_page(r)); }
}  // namespace

TEST_CASE("wvsim HTML: well-formed, the run on top, full width, clean charts") {
    const auto d = doc(passing_run());
    CHECK(d->find("dd", "command").at(0)->all_text() == "wvsim --devices 100 --duration 20 --expect 'connack.p99<200ms'");
    CHECK(d->find("dd", "started").at(0)->all_text() == "2026-12-06T10:15:00Z");
    CHECK(d->find("dd", "versions").at(0)->all_text() == "OpenSSL 3.0.15, wvsim 0.1.0");
    CHECK(d->find("dd", "target").at(0)->all_text().starts_with("127.0.0.1:40001 (embedded wvgate)"));
    CHECK(d->by_id("verdict")->has_class("ok"));
    CHECK(d->by_id("verdict")->all_text() == "OK (exit 0)");
    CHECK(d->by_id("failures") == nullptr);
    for (const auto* svg : d->find("svg")) CHECK(svg->attr("width") == "100%");
    const auto problems = wv::test::chart_problems(*d);
    for (const auto& p : problems) INFO(p);
    CHECK(problems.empty());
    REQUIRE(d->by_id("thresholds") != nullptr);
    CHECK(d->by_id("thresholds")->find("tr", "good").size() == 2);
}

TEST_CASE("wvsim HTML: latency on a log axis, so one slow second does not flatten the others") {
    const auto d = doc(passing_run());
    const auto* puback = d->by_id("puback");
    REQUIRE(puback != nullptr);
    const auto* svg = puback->find("svg").at(0);
    CHECK(svg->attr("data-scale") == "log");
    CHECK(svg->find("polygon", "band").size() >= 1);
    // Against a 4.2 s stall, an ordinary second's p50 (1.5 ms) and p99 (9 ms) stay apart: on a
    // linear axis they would be 0.2% of the height apart, both flat on the axis.
    const auto p50 = wv::test::series_heights(*svg, "#1f77b4");
    const auto p99 = wv::test::series_heights(*svg, "#0d3d66");
    REQUIRE(p50.size() == 20);
    REQUIRE(p99.size() == 20);
    CHECK(p99[0] - p50[0] > 0.15);
    CHECK(p50[7] > 0.85);  // the slow second near the top
    // The --expect bound on CONNACK is drawn on its chart.
    CHECK(d->by_id("connack")->find("line", "reference").size() == 1);
}

TEST_CASE("wvsim HTML: the authorizer's share of CONNACK is plotted (embedded gateway)") {
    const auto d = doc(passing_run());
    const auto* share = d->by_id("authorizer-share");
    REQUIRE(share != nullptr);
    const auto* svg = share->find("svg").at(0);
    // 900 us of 2 ms: 45%, in seconds 1 and 2; the seconds without connects are gaps.
    const auto share_p50 = wv::test::series_heights(*svg, "#9467bd");
    REQUIRE(share_p50.size() == 2);
    CHECK(share_p50[0] == doctest::Approx(0.45).epsilon(0.02));
    CHECK(d->by_id("connack")->all_text().find("authorizer p50") != std::string::npos);
    // Round trip: the per-second authorizer histograms survive --json and `wvsim merge`.
    const auto r = passing_run();
    auto back = report_from_json(to_json(r));
    CHECK(back.timeline[0].authorizer == r.timeline[0].authorizer);
    merge(back, report_from_json(to_json(r)));
    CHECK(back.timeline[1].authorizer.count() == 100);
    // Without the embedded gateway's numbers there is no share chart.
    auto host = r;
    for (auto& s : host.timeline) s.authorizer = {};
    CHECK(doc(host)->by_id("authorizer-share") == nullptr);
}

TEST_CASE("wvsim HTML: a failed run shows why, not empty charts") {
    const auto d = doc(failing_run());
    CHECK(d->by_id("verdict")->has_class("bad"));
    CHECK(d->by_id("verdict")->all_text() == "FAILED: no device connected (exit 1)");
    const auto* f = d->by_id("failures");
    REQUIRE(f != nullptr);
    const auto text = f->all_text();
    CHECK(text.find("closed_without_connack") != std::string::npos);
    CHECK(text.find("never_connected") != std::string::npos);
    CHECK(text.find("authorizer denied or failed") != std::string::npos);
    CHECK(f->find("div", "b").size() == 2);  // the failed-connects bar and the unsent bar
    // The latency charts say there was nothing to plot, instead of empty axes.
    const auto empties = d->find("p", "empty");
    CHECK(empties.size() >= 2);
    CHECK(d->by_id("connack")->find("svg").empty());
    CHECK(wv::test::chart_problems(*d).empty());
    // The failures come before the charts.
    const auto page = html_page(failing_run());
    CHECK(page.find("id='failures'") < page.find("id='timeline'"));
}

TEST_CASE("wvsim HTML: a failed threshold is a failure, drawn red on its chart") {
    auto r = passing_run();
    check_thresholds(r, {"connack.p99<1ms", "acked>=99.9%"});
    const auto d = doc(r);
    CHECK(d->by_id("verdict")->has_class("bad"));
    CHECK(d->by_id("verdict")->all_text().starts_with("FAILED: --expect: connack.p99<1ms (was "));
    REQUIRE(d->by_id("failures") != nullptr);
    CHECK(d->by_id("failures")->all_text().find("connack.p99<1ms") != std::string::npos);
    const auto refs = d->by_id("connack")->find("line", "reference");
    REQUIRE(refs.size() == 1);
    CHECK(refs[0]->attr("stroke") == "#d62728");
}

TEST_CASE("wvsim HTML: the embedded gateway's rules, a validation mismatch drawn in the failures") {
    auto r = passing_run();
    rules_action_result a;
    a.rule = "wavelet_decoder";
    a.rule_matched = 254;
    a.kind = "validate";
    a.action = "validate python:decoder.py";
    a.ok = 254;
    rules_validation v;
    v.validated = 254;
    v.matched = 170;
    v.mismatched = 84;
    v.mismatched_by_kind = {{"missing_field", 84}};
    a.validation = v;
    r.rules = rules_result{{a}};
    const auto d = doc(r);
    REQUIRE(d->by_id("rules") != nullptr);
    CHECK(d->by_id("rules")->find("tr", "bad").size() == 1);
    CHECK(d->by_id("rules")->all_text().find("missing_field") != std::string::npos);
    CHECK(d->by_id("verdict")->has_class("bad"));
    REQUIRE(d->by_id("failures") != nullptr);
    CHECK(d->by_id("failures")->all_text().find("84") != std::string::npos);
}
