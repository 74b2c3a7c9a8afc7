// finish_report (report_step.hpp): the report of a run as a pure function of the device
// results and the run's facts; and the HTTPS taxonomy's pure parts.
#include <doctest/doctest.h>

#include "fleet_stats.hpp"
#include "https_engine.hpp"
#include "outcome.hpp"
#include "report_step.hpp"
#include "verdict.hpp"

using namespace wv::sim;

namespace {

// 3 reports per device, all due within the first second of a long run: 3 due each.
timetable three_reports(std::uint32_t devices) {
    load_shape s;
    s.devices = devices;
    s.interval = run_time(0.1);
    s.duration = run_time(100);
    s.messages = 3;
    s.jitter = 0;
    return timetable(s);
}

std::vector<device_identity> fleet(std::initializer_list<expectation> e) {
    std::vector<device_identity> ids;
    for (const auto x : e) {
        device_identity d;
        d.index = static_cast<std::uint32_t>(ids.size());
        d.akid = "D" + std::to_string(d.index);
        d.expected = x;
        ids.push_back(d);
    }
    return ids;
}

device_result up(std::uint64_t last_sent) {
    return {.last_sent = last_sent, .killed = false, .ever_connected = true, .first = outcome::connected,
            .last_end = outcome::clean_stop};
}

run_report header(std::uint32_t devices) {
    run_report r;
    r.devices = devices;
    r.qos = 1;
    return r;
}

}  // namespace

TEST_CASE("finish_report: every device up and done is OK") {
    const auto tt = three_reports(2);
    const auto ids = fleet({expectation::none, expectation::none});
    run_facts f{.tt = &tt, .devices = {up(3), up(3)}, .elapsed_s = 4.0};
    const auto r = finish_report(header(2), f, ids);
    CHECK(r.reports_due == 6);
    CHECK(r.reports_planned == 6);
    CHECK(r.reports_skipped == 0);
    CHECK(r.devices_never_connected == 0);
    CHECK(r.devices_down_at_end == 0);
    CHECK(r.duration_s == 4.0);
    CHECK(r.publish_window_s == 4.0);
    CHECK(judge(r).exit_code == 0);
}

TEST_CASE("finish_report: never connected, lost, behind: unsent by reason, down at end, the verdict says so") {
    const auto tt = three_reports(3);
    const auto ids = fleet({expectation::none, expectation::none, expectation::none});
    device_result never{.first = outcome::closed_without_connack};
    device_result lost = up(1);
    lost.last_end = outcome::closed_by_server;
    device_result behind = up(2);  // clean stop with one report still to send
    run_facts f{.tt = &tt, .devices = {never, lost, behind}, .elapsed_s = 5.0};
    const auto r = finish_report(header(3), f, ids);
    CHECK(r.reports_due == 9);
    CHECK(r.unsent.at("never_connected") == 3);
    CHECK(r.unsent.at("connection_lost") == 2);
    CHECK(r.unsent.at("behind_at_end") == 1);
    CHECK(r.reports_skipped == 6);
    CHECK(r.devices_never_connected == 1);
    CHECK(r.devices_down_at_end == 1);
    const auto v = judge(r);
    CHECK(v.exit_code == 1);
    CHECK(v.reason == "1 of 3 devices never connected");
}

TEST_CASE("finish_report: allow/deny expectations from the credentials file become mismatches with the outcome") {
    const auto tt = three_reports(3);
    const auto ids = fleet({expectation::allow, expectation::deny, expectation::deny});
    device_result denied{.first = outcome::connack_not_authorized};
    run_facts f{.tt = &tt, .devices = {denied, up(3), denied}, .elapsed_s = 2.0};
    const auto r = finish_report(header(3), f, ids);
    CHECK(r.expectations_checked == 3);
    CHECK(r.expectations_met == 1);
    REQUIRE(r.mismatches.size() == 2);
    CHECK(r.mismatches[0].akid == "D0");
    CHECK(r.mismatches[0].actual == "connack_not_authorized");
    CHECK(r.mismatches[1].akid == "D1");
    CHECK(r.mismatches[1].actual == "connected");
    CHECK(r.devices_never_connected == 0);  // expected-deny devices are judged by expectation only
    CHECK(judge(r).reason == "2 of 3 devices did not do what the credentials file expected");
}

TEST_CASE("finish_report: the embedded gateway's THROTTLED closes leave closed_without_connack") {
    const auto tt = three_reports(1);
    const auto ids = fleet({expectation::none});
    auto h = header(1);
    h.connect_outcomes = {{"connected", 1}, {"closed_without_connack", 5}};
    run_facts f{.tt = &tt, .devices = {up(3)}, .elapsed_s = 2.0, .embedded = true, .throttled = 2};
    f.gateway = nlohmann::json{{"messages_in", 3}};
    const auto r = finish_report(h, f, ids);
    CHECK(r.connect_outcomes.at("throttled") == 2);
    CHECK(r.connect_outcomes.at("closed_without_connack") == 3);
    CHECK(r.gateway["messages_in"] == 3);
    f.throttled = 5;
    const auto all = finish_report(h, f, ids);
    CHECK(all.connect_outcomes.count("closed_without_connack") == 0);
    CHECK(all.connect_outcomes.at("throttled") == 5);
}

TEST_CASE("finish_report: a Ctrl-C stops reports coming due and says so; a second one marks the counts partial") {
    load_shape s;
    s.devices = 1;
    s.interval = run_time(1);
    s.duration = run_time(10);
    s.jitter = 0;
    const timetable tt(s);
    const auto ids = fleet({expectation::none});
    const auto due_by_3 = [&] {
        std::uint64_t n = 0;
        for (std::uint64_t k = 1; tt.report_due(0, k) && tt.report_due(0, k)->count() <= 3.0; ++k) ++n;
        return n;
    }();
    run_facts f{.tt = &tt, .devices = {up(due_by_3)}, .elapsed_s = 3.5, .stop_requested_s = 3.0, .signals_seen = 1};
    const auto r = finish_report(header(1), f, ids);
    CHECK(r.reports_due == due_by_3);
    CHECK(r.reports_skipped == 0);
    REQUIRE(!r.notes.empty());
    CHECK(r.notes.back().starts_with("stopped early by a signal (Ctrl-C or SIGTERM) at 3.0 s of 10 s"));
    CHECK(judge(r).exit_code == 0);
    f.signals_seen = 2;
    f.aborted = true;
    CHECK(judge(finish_report(header(1), f, ids)).reason == "stopped at once: the counts are partial");
}

TEST_CASE("finish_report: Paho's unmeasured steps are absent and its unacked sends lost") {
    const auto tt = three_reports(1);
    const auto ids = fleet({expectation::none});
    auto h = header(1);
    h.reports_sent = 3;
    h.reports_acked = 2;
    h.latency["tcp_connect"] = {};
    h.latency["tls_handshake"] = {};
    run_facts f{.tt = &tt, .devices = {up(3)}, .elapsed_s = 2.0, .paho = true, .paho_kills_failed = 1};
    const auto r = finish_report(h, f, ids);
    CHECK(r.latency.count("tcp_connect") == 0);
    CHECK(r.latency.count("tls_handshake") == 0);
    CHECK(r.reports_lost == 1);
    CHECK(r.notes.size() == 2);
}

TEST_CASE("finish_report: --expect thresholds are checked on the finished report") {
    const auto tt = three_reports(1);
    const auto ids = fleet({expectation::none});
    auto h = header(1);
    h.reports_sent = 3;
    h.reports_acked = 3;
    run_facts f{.tt = &tt, .devices = {up(3)}, .elapsed_s = 2.0, .expect = {"unsent==0%", "acked>=99.9%"}};
    CHECK(judge(finish_report(h, f, ids)).exit_code == 0);
    f.devices = {up(1)};
    f.devices[0].last_end = outcome::churned;  // connection_lost: the verdict names it before --expect
    const auto r = finish_report(h, f, ids);
    REQUIRE(r.thresholds.size() == 2);
    CHECK_FALSE(r.thresholds[0].passed);
}

TEST_CASE("HTTPS: a status's outcome, refusals counted apart from sessions, and they fail the run") {
    CHECK(http_status_outcome(200) == outcome::connected);
    CHECK(http_status_outcome(400) == outcome::http_bad_request);
    CHECK(http_status_outcome(403) == outcome::http_forbidden);
    CHECK(http_status_outcome(404) == outcome::http_not_found);
    CHECK(http_status_outcome(405) == outcome::http_not_found);
    CHECK(http_status_outcome(413) == outcome::http_too_large);
    CHECK(http_status_outcome(429) == outcome::http_throttled);
    CHECK(http_status_outcome(503) == outcome::http_server_error);
    CHECK(http_status_outcome(418) == outcome::http_other_status);
    CHECK(is_denial(outcome::http_forbidden));
    CHECK(is_connect_outcome(outcome::https_refused));
    CHECK_FALSE(is_connect_outcome(outcome::http_forbidden));
    CHECK(outcome_from_key("http_forbidden") == outcome::http_forbidden);

    fleet_stats st;
    st.count(outcome::connected);
    st.count(outcome::clean_stop);
    st.count(outcome::http_forbidden);
    st.count(outcome::http_forbidden);
    st.count(outcome::http_other_status, "418");
    st.sent = 5;
    run_report r;
    st.fill(r);
    CHECK(r.connect_outcomes.at("connected") == 1);
    CHECK(r.session_ends.at("clean_stop") == 1);
    CHECK(r.session_ends.count("http_forbidden") == 0);
    CHECK(r.refused.at("http_forbidden") == 2);
    CHECK(r.refused.at("http_other_status:418") == 1);
    CHECK(judge(r).reason == "3 of 5 reports refused by the server (http_forbidden 2, http_other_status:418 1)");
}

TEST_CASE("HTTPS: the publish target percent-encodes the whole topic, slashes included (AWS's examples)") {
    CHECK(https_publish_target("wv/AK1/1/samp/p1", 1) == "/topics/wv%2FAK1%2F1%2Fsamp%2Fp1?qos=1");
    CHECK(https_publish_target("a b/ü~x-_.", 0) == "/topics/a%20b%2F%C3%BC~x-_.?qos=0");
}

TEST_CASE("verdict: QoS 1 reports sent on a connection that stayed up and never acknowledged fail the run") {
    const auto tt = three_reports(2);
    const auto ids = fleet({expectation::none, expectation::none});
    run_facts f{.tt = &tt, .devices = {up(3), up(3)}, .elapsed_s = 4.0};
    auto h = header(2);
    h.reports_sent = 6;
    h.reports_acked = 4;
    h.reports_lost = 2;
    auto r = finish_report(h, f, ids);
    const auto v = judge(r);
    CHECK(v.exit_code == 1);
    CHECK(v.reason == "2 of 6 sent reports were never acknowledged (no PUBACK)");
    // Killing or churning devices loses the reports in flight on purpose.
    r.devices_killed = 1;
    CHECK(judge(r).exit_code == 0);
    r.devices_killed = 0;
    r.session_ends["churned"] = 3;
    CHECK(judge(r).exit_code == 0);
    // QoS 0 has no acknowledgements to miss.
    r.session_ends.clear();
    r.qos = 0;
    CHECK(judge(r).exit_code == 0);
}
