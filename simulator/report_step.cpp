#include "report_step.hpp"

#include <algorithm>
#include <cstdio>

#include "outcome.hpp"
#include "run_metrics.hpp"

namespace wv::sim {

namespace {

void tally_expectations(run_report& r, const std::vector<device_result>& results, std::span<const device_identity> ids) {
    for (std::uint32_t d = 0; d < ids.size() && d < results.size(); ++d) {
        if (ids[d].expected == expectation::none) {
            r.devices_never_connected += !results[d].ever_connected;
            continue;
        }
        ++r.expectations_checked;
        const bool allowed = results[d].ever_connected;
        const bool want = ids[d].expected == expectation::allow;
        if (allowed == want) ++r.expectations_met;
        else
            r.mismatches.push_back({ids[d].akid, std::string(to_string(ids[d].expected)),
                                    allowed ? "connected" : std::string(key(results[d].first))});
    }
}

// Over the wire a THROTTLED close is a close without CONNACK (Paho's bucket has a detail); the
// embedded gateway counted them, and every connection to it is one of this fleet's.
void move_throttled(run_report& r, std::uint64_t throttled) {
    for (auto it = r.connect_outcomes.begin(); throttled && it != r.connect_outcomes.end();) {
        if (!it->first.starts_with("closed_without_connack")) {
            ++it;
            continue;
        }
        const auto n = std::min(throttled, it->second);
        r.connect_outcomes["throttled"] += n;
        throttled -= n;
        it = (it->second -= n) == 0 ? r.connect_outcomes.erase(it) : std::next(it);
    }
}

void add_gateway(run_report& r, const run_facts& f) {
    r.gateway = f.gateway;
    if (r.gateway.contains("scope_mismatch")) r.warnings.push_back(r.gateway["scope_mismatch"].get<std::string>());
    r.rules = f.rules;
    move_throttled(r, f.throttled);
    const auto c = r.latency.find("connack");
    if (r.gateway.contains("authorizer_p50_us") && c != r.latency.end() && c->second.count()) {
        const auto a50 = r.gateway["authorizer_p50_us"].get<std::uint64_t>();
        const auto a99 = r.gateway["authorizer_p99_us"].get<std::uint64_t>();
        char line[200];
        std::snprintf(line, sizeof line,
                      "the authorizer's share of CONNACK (measured in the embedded gateway): p50 %.2f ms of "
                      "%.2f ms, p99 %.2f ms of %.2f ms",
                      a50 / 1e3, c->second.percentile_us(0.5) / 1e3, a99 / 1e3, c->second.percentile_us(0.99) / 1e3);
        r.notes.push_back(line);
    }
}

void add_engine_notes(run_report& r, const run_facts& f) {
    if (f.paho) {
        // Absent, not 0: Paho does not expose its TCP and TLS steps.
        r.latency.erase("tcp_connect");
        r.latency.erase("tls_handshake");
        // Paho keeps its in-flight publishes to itself: once every device is done, what was sent
        // and neither acknowledged nor refused (MQTT 5: PUBACK 0x87 ...) is lost.
        std::uint64_t refused = 0;
        for (const auto& [k, n] : r.refused) refused += n;
        if (r.qos && r.reports_sent > r.reports_acked + refused) r.reports_lost = r.reports_sent - r.reports_acked - refused;
        r.notes.push_back("--engine paho: TCP connect and TLS handshake times are not measured (Paho does not "
                          "expose them); its CONNACK latency counts from the connect call, TCP and TLS included; "
                          "a connect that fails before CONNACK is one bucket (closed_without_connack:paho rc -1), "
                          "as Paho does not say whether TCP, TLS or the server's close failed it");
        if (f.paho_kills_failed)
            r.notes.push_back(std::to_string(f.paho_kills_failed) +
                              " --kill drops found no Paho socket to shut down: those devices stopped cleanly "
                              "instead (their wills did not fire)");
    }
    if (f.https) {
        r.notes.push_back("--protocol https: a device counts as connected once its connection answers its first "
                          "request (HTTP has no CONNACK); 'puback' is the HTTP answer's latency from the report's due "
                          "time, and only a 200 counts as acked");
    }
}

}  // namespace

run_report finish_report(run_report r, const run_facts& f, std::span<const device_identity> ids) {
    r.duration_s = f.elapsed_s;
    add_engine_notes(r, f);
    r.cpu_user_s = f.cpu_user_s;
    r.cpu_system_s = f.cpu_system_s;
    r.rss_baseline_kib = f.rss_baseline_kib;
    r.rss_peak_kib = f.rss_peak_kib;
    const double due_until = f.stop_requested_s.value_or(f.elapsed_s);
    if (f.tt) {
        tally_reports(r, *f.tt, f.devices, due_until);
        r.reports_planned = f.tt->reports_planned();
        r.publish_window_s = f.messages_budget ? f.elapsed_s : std::min(f.elapsed_s, f.tt->end().count());
    }
    r.reports_late = r.latency["send_lag"].count_at_or_above(1'000'000);
    tally_expectations(r, f.devices, ids);
    if (f.verify) r.verify = f.verify;
    if (f.embedded && !f.gateway.is_null()) add_gateway(r, f);
    r.stopped_at_once = f.aborted;
    if (f.signals_seen == 1 && !f.aborted && f.tt) {
        char line[160];
        std::snprintf(line, sizeof line,
                      "stopped early by a signal (Ctrl-C or SIGTERM) at %.1f s of %.0f s: reports that would have come "
                      "due later are not counted",
                      due_until, f.tt->end().count());
        r.notes.push_back(line);
    }
    if (f.embedded && r.connect_outcomes.count("closed_without_connack"))
        r.notes.push_back("closed without CONNACK at the embedded gateway means the authorizer denied or failed "
                          "(throttled CONNECTs are counted apart); if it returned the client id as principalId, AWS "
                          "accepts only [a-zA-Z0-9]{1,128} there");
    if (!f.embedded && r.connect_outcomes.count("closed_without_connack") && f.churn_s > 0)
        r.notes.push_back("an external broker does not say why it closed without CONNACK: on AWS a reconnect within "
                          "1 s of the last CONNECT with one client id is throttled that way too (wvsim keeps its own "
                          "reconnects 1 s apart; two devices sharing a client id would not be)");
    check_thresholds(r, f.expect);
    return r;
}

}  // namespace wv::sim
