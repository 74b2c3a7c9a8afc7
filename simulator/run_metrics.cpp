#include "run_metrics.hpp"

namespace wv::sim {

namespace {
using thresholds::kind;

// Stages with a latency histogram in the report, as the summary's latency table names them.
constexpr const char* stages[] = {"connack", "puback", "tcp_connect", "tls_handshake", "send_lag", "time_to_active"};
constexpr std::pair<const char*, double> quantiles[] = {{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p99.9", 0.999}};

double percent(std::uint64_t part, std::uint64_t whole) { return 100.0 * static_cast<double>(part) / static_cast<double>(whole); }
}  // namespace

const thresholds::catalogue& run_metric_catalogue() {
    static const thresholds::catalogue c = [] {
        thresholds::catalogue c;
        for (const char* s : stages) {
            for (const auto& [q, _] : quantiles)
                c.push_back({std::string(s) + "." + q, kind::duration, std::string(s) + " latency, " + q + " over the run"});
            c.push_back({std::string(s) + ".max", kind::duration, std::string(s) + " latency, largest"});
            c.push_back({std::string(s) + ".mean", kind::duration, std::string(s) + " latency, mean"});
        }
        for (const char* q : {"p50", "p99", "max"})
            c.push_back({std::string("authorizer.") + q, kind::duration,
                         std::string("authorizer call (queue + call) in the embedded gateway, ") + q});
        c.push_back({"connected", kind::percent, "devices without allow/deny expectation that connected at least once"});
        c.push_back({"sent", kind::percent, "reports sent, of those due"});
        c.push_back({"acked", kind::percent, "reports acknowledged (PUBACK), of those due (QoS 1)"});
        c.push_back({"unsent", kind::percent, "reports due but never sent, of those due"});
        c.push_back({"lost", kind::percent, "reports sent and never acknowledged, of those sent (QoS 1)"});
        c.push_back({"late", kind::percent, "reports sent 1 s or more after they were due, of those sent"});
        c.push_back({"rate", kind::rate, "reports sent per second over the publish window"});
        c.push_back({"connect_failures", kind::count, "connect attempts that did not end connected"});
        c.push_back({"never_connected", kind::count, "devices (without allow/deny expectation) that never connected"});
        c.push_back({"mismatches", kind::count, "credentials-file rows whose allow/deny did not come true"});
        c.push_back({"verify.missing", kind::count, "--verify: acked reports the subscriber never saw"});
        c.push_back({"never_active", kind::count, "--onboard: devices still refused at --onboard-timeout"});
        return c;
    }();
    return c;
}

thresholds::values run_metric_values(const run_report& r) {
    thresholds::values v;
    for (const char* s : stages) {
        const auto it = r.latency.find(s);
        if (it == r.latency.end() || it->second.count() == 0) continue;
        const auto& h = it->second;
        for (const auto& [q, f] : quantiles) v[std::string(s) + "." + q] = static_cast<double>(h.percentile_us(f));
        v[std::string(s) + ".max"] = static_cast<double>(h.max_us());
        v[std::string(s) + ".mean"] = h.mean_us();
    }
    if (r.gateway.is_object() && r.gateway.value("authorizer_calls", std::uint64_t{0}) > 0)
        for (const char* q : {"p50", "p99", "max"})
            if (const auto k = std::string("authorizer_") + q + "_us"; r.gateway.contains(k))
                v[std::string("authorizer.") + q] = r.gateway[k].get<double>();
    const auto expected_to = r.devices - r.expectations_checked;
    if (expected_to > 0) v["connected"] = percent(expected_to - r.devices_never_connected, expected_to);
    if (r.reports_due) {
        v["sent"] = percent(r.reports_sent, r.reports_due);
        v["unsent"] = percent(r.reports_skipped, r.reports_due);
        if (r.qos) v["acked"] = percent(r.reports_acked, r.reports_due);
    }
    if (r.reports_sent) {
        if (r.qos) v["lost"] = percent(r.reports_lost, r.reports_sent);
        v["late"] = percent(r.reports_late, r.reports_sent);
    }
    v["rate"] = r.achieved_msgs_per_s();
    std::uint64_t failures = 0;
    for (const auto& [k, n] : r.connect_outcomes)
        if (k != "connected") failures += n;
    v["connect_failures"] = static_cast<double>(failures);
    v["never_connected"] = static_cast<double>(r.devices_never_connected);
    v["mismatches"] = static_cast<double>(r.mismatches.size());
    if (r.verify) v["verify.missing"] = static_cast<double>(r.verify->reports_missing);
    if (r.onboarding.is_object()) {
        const auto outcomes = r.onboarding.value("device_outcomes", nlohmann::json::object());
        v["never_active"] = static_cast<double>(outcomes.value("never_active", std::uint64_t{0}));
    }
    return v;
}

void check_thresholds(run_report& r, const std::vector<std::string>& expressions) {
    std::vector<thresholds::threshold> ts;
    for (const auto& e : expressions) ts.push_back(thresholds::parse(e, run_metric_catalogue()));
    r.thresholds = thresholds::check(ts, run_metric_values(r));
}

std::string expect_help() {
    std::string o =
        "\nThresholds (--expect, repeatable; checked at the end, listed in the summary, JSON and HTML;\n"
        "one that fails makes the exit code 1), e.g.\n"
        "  wvsim --expect 'connack.p99<200ms' --expect 'acked>=99.9%' --expect 'connect_failures==0'\n"
        "Operators < <= > >= ==. Metrics (durations need us, ms or s; percentages need %):\n"
        "  <stage>.p50 .p90 .p99 .p99.9 .max .mean  [us|ms|s]  stage: connack, puback, tcp_connect,\n"
        "                                                      tls_handshake, send_lag,\n"
        "                                                      time_to_active (--onboard)\n";
    thresholds::catalogue rest;
    for (const auto& m : run_metric_catalogue())
        if (m.name.find('.') == std::string::npos || m.name.starts_with("authorizer.") || m.name.starts_with("verify."))
            rest.push_back(m);
    return o + thresholds::help_text(rest);
}

}  // namespace wv::sim
