#include <doctest/doctest.h>

#include "outcome.hpp"
#include "report.hpp"

using namespace wv::sim;

namespace {
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
    r.timeline = {{1, 5, 5, 0, 3, 3, 1000, 2000, 300, 900}, {2, 9, 4, 1, 9, 9, 0, 0, 310, 800}};
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
    CHECK(a.timeline[0].connack_p99_us == 2000);
    CHECK(a.verify->reports_expected == 180);
    CHECK(a.warnings.size() == 1);  // the same warning once
    CHECK(a.achieved_msgs_per_s() == doctest::Approx(18.5));
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
