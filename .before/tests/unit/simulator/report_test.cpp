#include <doctest/doctest.h>

#include "outcome.hpp"
#include "report.hpp"
#include "verdict.hpp"

using namespace wv::sim;

namespace {
// A per-second histogram: `n` values of `us` each.
wv::metrics::sparse_histogram second_of(std::uint64_t n, std::uint64_t us) {
    wv::metrics::histogram h;
    h.record_us(us, n);
    return wv::metrics::sparse_histogram(h);
}

timeline_sample row(double t, std::uint64_t connected, std::uint64_t connects, std::uint64_t failures,
                    std::uint64_t sent, std::uint64_t acked) {
    timeline_sample s;
    s.t = t;
    s.connected = connected;
    s.connects = connects;
    s.failures = failures;
    s.sent = sent;
    s.acked = acked;
    return s;
}

run_report sample(std::uint64_t base) {
    run_report r;
    r.version = "t";
    r.target = "127.0.0.1:1";
    r.fleet_devices = 20;
    r.devices = 10;
    r.shard = "0/2";
    r.duration_s = 10;
    r.publish_window_s = 10;
    r.asked_msgs_per_s = 10;
    r.connect_attempts = 10;
    r.connected_peak = 9;
    r.connect_outcomes = {{"connected", 9}, {"tls_alert:handshake_failure", 1}};
    r.session_ends = {{"clean_stop", 9}};
    r.reports_planned = r.reports_due = 100;
    r.reports_sent = 90 + base;
    r.reports_acked = 90;
    r.expectations_checked = 2;
    r.expectations_met = 1;
    r.mismatches = {{"AKID" + std::to_string(base), "deny", "connected"}};
    for (std::uint64_t i = 1; i <= 100; ++i) r.latency["puback"].record_us(i * 37 + base);
    r.timeline = {row(1, 5, 5, 0, 3, 3), row(2, 9, 4, 1, 9, 9)};
    r.timeline[0].set_latency(second_of(5, 1000), second_of(3, 300));
    r.timeline[1].set_latency({}, second_of(9, 310));
    r.verify = verify_result{.reports_expected = 90, .reports_received = 90, .wills_expected = 1, .wills_received = 1, .incomplete = {}};
    r.warnings = {"w"};
    return r;
}
}  // namespace

TEST_CASE("outcome keys round-trip and describe themselves") {
    for (int i = 0; i < static_cast<int>(outcome::count_); ++i) {
        const auto o = static_cast<outcome>(i);
        CHECK(outcome_from_key(key(o)) == o);
        CHECK(!describe(o).empty());
    }
    CHECK(outcome_from_key("nope") == outcome::count_);
    CHECK(outcome_detail{outcome::tls_alert, "handshake_failure"}.bucket() == "tls_alert:handshake_failure");
    CHECK(is_denial(outcome::closed_without_connack));
    CHECK(!is_denial(outcome::tcp_refused));
    CHECK(is_connect_outcome(outcome::connack_not_authorized));
    CHECK(!is_connect_outcome(outcome::killed));
}

TEST_CASE("JSON round trip keeps every field the merge needs") {
    const auto a = sample(0);
    const auto back = report_from_json(nlohmann::json::parse(to_json(a).dump()));
    CHECK(to_json(back) == to_json(a));
    CHECK(back.latency.at("puback").buckets() == a.latency.at("puback").buckets());
    CHECK(back.mismatches.size() == 1);
    CHECK(back.verify->ok());
}

TEST_CASE("merge: counts add, histograms merge exactly, timelines add per second") {
    auto a = sample(0);
    const auto b = sample(5);
    merge(a, b);
    CHECK(a.devices == 20);
    CHECK(a.shards_merged == 2);
    CHECK(a.reports_sent == 185);
    CHECK(a.connect_outcomes.at("connected") == 18);
    CHECK(a.connect_outcomes.at("tls_alert:handshake_failure") == 2);
    CHECK(a.mismatches.size() == 2);
    wv::metrics::histogram both = sample(0).latency.at("puback");
    both.merge(b.latency.at("puback"));
    CHECK(a.latency.at("puback").buckets() == both.buckets());
    CHECK(a.latency.at("puback").percentile_us(0.99) == both.percentile_us(0.99));
    CHECK(a.timeline[1].connected == 18);
    CHECK(a.timeline[0].connack.count() == 10);
    CHECK(a.timeline[1].connack.empty());
    CHECK(a.verify->reports_expected == 180);
    CHECK(a.warnings.size() == 1);  // the same warning once
    CHECK(a.achieved_msgs_per_s() == doctest::Approx(18.5));
}

TEST_CASE("merge: per-second percentiles come from the shards' merged histograms, exactly") {
    // Second 1: shard A saw 30 CONNACKs of 100 us, shard B 10 of 200 us. Over the fleet the
    // p50 is 100 us and the p99 200 us; the worst shard's p50 (what merge used to take) is 200.
    auto a = sample(0), b = sample(0);
    a.timeline[0].set_latency(second_of(30, 100), second_of(4, 150));
    b.timeline[0].set_latency(second_of(10, 200), {});
    // Through the JSON text, as `wvsim merge a.json b.json` reads them.
    auto ja = report_from_json(nlohmann::json::parse(to_json(a).dump()));
    const auto jb = report_from_json(nlohmann::json::parse(to_json(b).dump()));
    CHECK(ja.timeline[0].connack_p50_us == 100);
    merge(ja, jb);
    CHECK(ja.timeline_histograms);
    CHECK(ja.timeline[0].connack.count() == 40);
    CHECK(ja.timeline[0].connack_p50_us == 100);
    CHECK(ja.timeline[0].connack_p99_us == 200);
    CHECK(ja.timeline[0].puback_p50_us == 150);  // one shard had no PUBACK that second
    // A merged report merges again: its histograms went into its JSON.
    const auto again = report_from_json(nlohmann::json::parse(to_json(ja).dump()));
    CHECK(again.timeline[0].connack == ja.timeline[0].connack);
    CHECK(to_json(again)["format"] == 2);
}

TEST_CASE("merge: a format-1 report (no per-second histograms) still loads, and the merge says it is approximate") {
    auto j1 = to_json(sample(0));
    j1.erase("format");
    j1.erase("timeline_latency");
    j1.erase("timeline_latency_columns");
    j1["timeline"][0][6] = 5000;  // connack p50 as a format-1 writer stored it
    auto old = report_from_json(j1);
    CHECK_FALSE(old.timeline_histograms);
    CHECK(old.timeline[0].connack_p50_us == 5000);
    auto now = sample(0);
    merge(now, old);
    CHECK_FALSE(now.timeline_histograms);
    CHECK(now.timeline[0].connack_p50_us == 5000);  // the worst shard's
    CHECK(now.notes.back().find("worst shard") != std::string::npos);
    CHECK(to_json(now)["format"] == 1);
    CHECK_FALSE(to_json(now).contains("timeline_latency"));

    auto future = to_json(sample(0));
    future["format"] = 3;
    CHECK_THROWS_WITH_AS(report_from_json(future), doctest::Contains("newer than this wvsim reads"), std::invalid_argument);
}

TEST_CASE("bad report JSON names the problem") {
    CHECK_THROWS_WITH_AS(report_from_json(nlohmann::json::object()), doctest::Contains("not a wvsim JSON report"),
                         std::invalid_argument);
    auto j = to_json(sample(0));
    j.erase("reports");
    CHECK_THROWS_WITH_AS(report_from_json(j), doctest::Contains("missing \"reports\""), std::invalid_argument);
    j = to_json(sample(0));
    j["latency_us"]["puback"]["count"] = 5;
    CHECK_THROWS_WITH_AS(report_from_json(j), doctest::Contains("latency_us.puback"), std::invalid_argument);
    j = to_json(sample(0));
    j["timeline_latency"][1][1][0] = 8;  // count no longer matches the buckets
    CHECK_THROWS_WITH_AS(report_from_json(j), doctest::Contains("timeline_latency[1]"), std::invalid_argument);
    j = to_json(sample(0));
    j["timeline_latency"].erase(1);
    CHECK_THROWS_WITH_AS(report_from_json(j), doctest::Contains("one row per timeline row"), std::invalid_argument);
    j = to_json(sample(0));
    j["qos"] = "one";
    CHECK_THROWS_AS(report_from_json(j), std::invalid_argument);
}

TEST_CASE("summary and HTML say what happened, and the page needs no network") {
    const auto r = sample(0);
    const auto text = summary_text(r);
    CHECK(text.find("TLS alert from the server (handshake_failure)") != std::string::npos);
    CHECK(text.find("AKID0") != std::string::npos);
    CHECK(text.find("the authorizer let a deny device in") != std::string::npos);
    CHECK(text.find("Verify (subscriber on wv/+/1/#): OK") != std::string::npos);
    const auto html = html_page(r);
    CHECK(html.find("<svg") != std::string::npos);
    CHECK(html.find("<script src") == std::string::npos);
    CHECK(html.find("http://") == std::string::npos);
    CHECK(html.find("https://") == std::string::npos);
}

TEST_CASE("the verdict: exit 0 only when everything held, and the summary's last line says why") {
    auto r = sample(0);
    r.mismatches.clear();
    r.expectations_checked = 0;
    CHECK(judge(r).exit_code == 0);
    CHECK(summary_text(r).ends_with("\nResult: OK (exit 0)\n"));

    auto failed = r;
    failed.devices_never_connected = 3;
    CHECK(judge(failed).exit_code == 1);
    CHECK(judge(failed).reason == "3 of 10 devices never connected");
    failed.devices_never_connected = 10;
    CHECK(judge(failed).reason == "no device connected");
    CHECK(summary_text(failed).ends_with("\nResult: FAILED: no device connected (exit 1)\n"));

    CHECK(judge(sample(0)).reason == "1 of 2 devices did not do what the credentials file expected");
    auto gap = r;
    gap.verify->reports_missing = 4;
    gap.verify->wills_received = 0;
    CHECK(judge(gap).reason == "--verify: 4 acked reports never arrived; 1 wills of killed devices never arrived");
    auto stopped = r;
    stopped.stopped_at_once = true;
    CHECK(judge(stopped).exit_code == 1);
    // The verdict survives `wvsim merge`.
    auto merged = r;
    merge(merged, report_from_json(to_json(failed)));
    CHECK(judge(merged).exit_code == 1);
}

TEST_CASE("HTML: a second without CONNACKs leaves a gap in the latency plot, not a fake 0") {
    auto r = sample(0);
    const auto count = [](const std::string& page) {
        std::size_t n = 0;
        for (auto at = page.find("class='series'"); at != std::string::npos; at = page.find("class='series'", at + 1)) ++n;
        return n;
    };
    // connected 1 line, connects 2, messages 2, CONNACK p50 and p99 (a dot each: one second),
    // PUBACK p50 and p99.
    CHECK(count(html_page(r)) == 9);
    r.timeline[0].set_latency({}, r.timeline[0].puback);  // no CONNACK in any second now
    CHECK(count(html_page(r)) == 7);                      // the two CONNACK lines are gone
}

TEST_CASE("the --json text: the same JSON, one line per timeline row") {
    auto r = sample(0);
    const auto text = to_json_text(r);
    CHECK(nlohmann::json::parse(text) == to_json(r));
    // Each row of "timeline" and "timeline_latency" is one line.
    CHECK(text.find("\n  [1.0,5,5,0,3,3,1000,1000,300,300],\n") != std::string::npos);
    CHECK(text.find("\n  [[5,5000,1000,1000,[[") != std::string::npos);
    CHECK(text.starts_with("{\n \""));
    CHECK(text.ends_with("\n}\n"));
    r.timeline.clear();
    CHECK(nlohmann::json::parse(to_json_text(r)) == to_json(r));
}

namespace {
// A rule with a validate action and a file action, as the embedded gateway reports them.
rules_result sample_rules(std::uint64_t mismatched) {
    rules_result rr;
    rules_action_result v{.rule = "wavelet_decoder", .rule_matched = 254, .kind = "validate",
                          .action = "validate python:decoder.py", .ok = 254};
    v.validation = rules_validation{.validated = 254, .matched = 254 - mismatched, .mismatched = mismatched,
                                    .decoder_replies = 254, .decoder_p50_us = 900, .decoder_p99_us = 4000};
    if (mismatched) v.validation->mismatched_by_kind = {{"missing_field", mismatched}, {"no_output", 2}};
    rr.actions.push_back(v);
    rr.actions.push_back({.rule = "wavelet_decoder", .rule_matched = 254, .kind = "file", .action = "file out.jsonl",
                          .ok = 254});
    return rr;
}
}  // namespace

TEST_CASE("the embedded gateway's rules: in the summary, the JSON, the merge, and the verdict") {
    auto r = sample(0);
    r.mismatches.clear();
    r.expectations_checked = 0;
    r.rules = sample_rules(0);
    CHECK(judge(r).exit_code == 0);
    const auto text = summary_text(r);
    CHECK(text.find("Rules (embedded gateway):\n  rule wavelet_decoder: matched 254 messages\n"
                    "    validate python:decoder.py: ok 254, failed 0, dropped 0\n"
                    "      validated 254: matched 254, mismatched 0, errors 0, timeouts 0\n"
                    "      decoder latency: p50 0.90 ms, p99 4.00 ms (254 replies)\n"
                    "    file out.jsonl: ok 254, failed 0, dropped 0\n") != std::string::npos);

    auto bad = r;
    bad.rules = sample_rules(84);
    CHECK(judge(bad).exit_code == 1);
    CHECK(judge(bad).reason == "rules: rule 'wavelet_decoder' validate python:decoder.py: 84 of 254 mismatched "
                               "(missing_field 84, no_output 2)");
    CHECK(summary_text(bad).find("      mismatched by kind: missing_field 84, no_output 2\n") != std::string::npos);
    // Errors and failed runs fail it too, each with its counts.
    auto err = r;
    err.rules->actions[0].validation->errors = 3;
    err.rules->actions[0].validation->errors_by_reason = {{"handler_error", 3}};
    err.rules->actions[1].failed = 2;
    err.rules->actions[1].ok = 252;
    CHECK(judge(err).reason == "rules: rule 'wavelet_decoder' validate python:decoder.py: 3 errors (handler_error 3); "
                               "rule 'wavelet_decoder' file out.jsonl: 2 failed of 254 runs");
    // Runs the gateway had not finished when it stopped are not silently dropped.
    auto partial = r;
    partial.rules->actions[1].ok = 250;
    CHECK(judge(partial).reason == "rules: rule 'wavelet_decoder' file out.jsonl: 4 unfinished when the gateway "
                                   "stopped of 254 runs");

    // JSON round trip, and shards sum per (rule, action).
    const auto back = report_from_json(nlohmann::json::parse(to_json_text(bad)));
    REQUIRE(back.rules);
    CHECK(to_json(back)["rules"] == to_json(bad)["rules"]);
    CHECK(to_json(bad)["rules"]["ok"] == false);
    auto merged = r;
    merge(merged, back);
    REQUIRE(merged.rules->actions.size() == 2);
    CHECK(merged.rules->actions[0].rule_matched == 508);
    CHECK(merged.rules->actions[0].validation->mismatched == 84);
    CHECK(merged.rules->actions[0].validation->mismatched_by_kind.at("missing_field") == 84);
    CHECK(judge(merged).exit_code == 1);
    // A report without rules has no "rules" member, and reads back without.
    CHECK_FALSE(to_json(sample(0)).contains("rules"));
    CHECK_FALSE(report_from_json(to_json(sample(0))).rules);
}

TEST_CASE("the verdict: devices down at the end and reports left unsent fail the run") {
    auto r = sample(0);
    r.mismatches.clear();
    r.expectations_checked = 0;
    auto down = r;
    down.devices_down_at_end = 3;
    down.unsent = {{"connection_lost", 382}, {"behind_at_end", 2}};
    CHECK(judge(down).exit_code == 1);
    CHECK(judge(down).reason == "3 of 10 devices were down at the end (closed by the server, or a reconnect failed "
                                "for good); 384 of 100 due reports unsent (connection_lost 382, behind_at_end 2)");
    CHECK(summary_text(down).find("  down at the end: 3 devices") != std::string::npos);
    auto behind = r;
    behind.unsent = {{"behind_at_end", 1}};
    CHECK(judge(behind).reason == "1 of 100 due reports unsent (behind_at_end 1)");
    // Reports of devices that never connected are judged as those devices (expected deny rows: not at all).
    auto never = r;
    never.unsent = {{"never_connected", 10}};
    CHECK(judge(never).exit_code == 0);
    CHECK(report_from_json(to_json(down)).devices_down_at_end == 3);
}
