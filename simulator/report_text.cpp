#include <cstdio>
#include <sstream>

#include "outcome.hpp"
#include "onboard_claim.hpp"
#include "onboard_jitr.hpp"
#include "report.hpp"
#include "verdict.hpp"

namespace wv::sim {

namespace {
std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

// "812 us", "3.41 ms", "1.20 s"
std::string dur(std::uint64_t us) {
    if (us < 1000) return std::to_string(us) + " us";
    if (us < 1'000'000) return fmt("%.2f ms", static_cast<double>(us) / 1e3);
    return fmt("%.2f s", static_cast<double>(us) / 1e6);
}

std::string pad(std::string s, std::size_t w, bool right = false) {
    if (s.size() >= w) return s;
    return right ? std::string(w - s.size(), ' ') + s : s + std::string(w - s.size(), ' ');
}

// One bucket's row: count, key, words. A reason-code bucket's key stops at the code: its reason
// string is in the words already.
std::string bucket_row(const std::string& k, std::uint64_t n) {
    auto shown = k;
    if (const auto colon = k.find(':'); colon != std::string::npos && has_reason_code(outcome_from_key(k.substr(0, colon))))
        shown = k.substr(0, k.find(':', colon + 1));
    return "  " + pad(std::to_string(n), 8, true) + "  " + pad(shown, 28) + " " + describe_bucket(k) + "\n";
}
}  // namespace

std::string summary_text(const run_report& r) {
    std::ostringstream o;
    o << "wvsim " << r.version << " | engine " << r.engine << (r.protocol == "mqtt" ? "" : " | " + r.protocol)
      << (r.transport == "wss" ? " | MQTT over WebSocket" : "") << " | "
      << r.target
      << (r.embedded_gateway ? " (embedded wvgate)" : "")
      << (r.protocol == "mqtt" ? " | MQTT " + r.mqtt_version + (r.topic_alias ? " (topic alias)" : "") : "") << " | QoS "
      << r.qos << "\n";
    o << "devices " << r.devices;
    if (r.fleet_devices != r.devices) o << " of " << r.fleet_devices << " (shard " << r.shard << ")";
    o << " | ran " << fmt("%.1f s", r.duration_s);
    if (r.shards_merged > 1) o << " | " << r.shards_merged << " shards merged";
    o << "\n\nConnections: " << r.connect_attempts << " attempts, peak " << r.connected_peak << " connected";
    if (r.asked_connects_per_s > 0) o << ", ramp asked " << fmt("%.0f", r.asked_connects_per_s) << "/s";
    o << "\n";
    for (const auto& [k, v] : r.connect_outcomes) o << bucket_row(k, v);
    if (!r.session_ends.empty()) {
        o << "Session ends\n";
        for (const auto& [k, v] : r.session_ends) o << bucket_row(k, v);
    }
    if (!r.refused.empty()) {
        o << "Reports refused\n";
        for (const auto& [k, v] : r.refused) o << bucket_row(k, v);
    }

    if (!r.onboarding.is_null() && r.onboarding.value("mode", "") == "jitr") o << jitr_summary_text(r.onboarding);
    else if (r.onboarding.is_object()) o << claim_summary_text(r.onboarding);
    o << "\nReports (" << (r.qos ? "QoS 1" : "QoS 0") << "): due " << r.reports_due << " of " << r.reports_planned
      << " planned, sent " << r.reports_sent;
    if (r.qos) o << ", acked " << r.reports_acked << ", lost " << r.reports_lost;
    o << ", unsent " << r.reports_skipped << ", ReportEnd(CLOSED) " << r.report_ends_sent << "\n";
    o << "  rate asked " << fmt("%.1f", r.asked_msgs_per_s) << " msg/s, achieved " << fmt("%.1f", r.achieved_msgs_per_s())
      << " msg/s\n";
    // Open loop, in words: what late and unsent mean, so nobody reads them as a client bug.
    if (r.reports_late)
        o << "  late: " << r.reports_late << " sent 1 s or more after they were due (the device was still connecting "
          << "or reconnecting, or waited with 8 reports unacknowledged); their latency counts from the due time\n";
    static const std::pair<const char*, const char*> reasons[] = {
        {"never_connected", "their device never connected"},
        {"connection_lost", "their device's connection ended early and did not come back"},
        {"behind_at_end", "their device was still catching up when it stopped (it connected late or waited for "
                          "PUBACKs)"}};
    for (const auto& [k, why] : reasons)
        if (const auto it = r.unsent.find(k); it != r.unsent.end() && it->second)
            o << "  unsent: " << it->second << " " << why << "\n";
    if (r.reports_skipped && r.unsent.empty())  // a report from before the reasons were kept
        o << "  unsent: " << r.reports_skipped << " came due but were not sent\n";
    if (r.devices_killed) o << "  killed without DISCONNECT: " << r.devices_killed << " (their wills should fire)\n";
    if (r.devices_down_at_end)
        o << "  down at the end: " << r.devices_down_at_end << " devices that had connected (closed by the server, "
          << "or a reconnect failed for good)\n";

    static const char* order[] = {"tcp_connect", "tls_handshake", "connack", "puback", "send_lag"};
    bool any = false;
    for (const char* k : order)
        if (const auto it = r.latency.find(k); it != r.latency.end() && it->second.count()) any = true;
    o << (any ? "\nLatency          count       p50       p90       p99     p99.9       max\n"
              : "\nLatency: no samples (no connect succeeded)\n");
    for (const char* k : order) {
        const auto it = r.latency.find(k);
        if (it == r.latency.end() || it->second.count() == 0) continue;
        const auto& h = it->second;
        o << "  " << pad(k, 14) << pad(std::to_string(h.count()), 7, true);
        for (double q : {0.5, 0.9, 0.99, 0.999}) o << pad(dur(h.percentile_us(q)), 10, true);
        o << pad(dur(h.max_us()), 10, true) << "\n";
    }
    if (any)
        o << "  (puback counts from the time each report was due, so a slow server shows as latency;\n"
             "   send_lag is due time to sent: the client's own delay, including waiting to connect)\n";

    if (r.expectations_checked) {
        o << "\nExpected vs actual: " << r.expectations_met << " of " << r.expectations_checked << " as expected";
        if (r.mismatches.empty()) {
            o << "\n";
        } else {
            o << ", " << r.mismatches.size() << " not:\n";
            std::size_t shown = 0;
            for (const auto& m : r.mismatches) {
                if (++shown > 50) {
                    o << "  ... " << r.mismatches.size() - 50 << " more in --json\n";
                    break;
                }
                o << "  " << pad(m.akid, 20) << " expected " << pad(m.expected, 6) << " got " << m.actual
                  << (m.expected == "deny" && m.actual == "connected" ? "   <- the authorizer let a deny device in" : "")
                  << "\n";
            }
        }
    }
    if (r.verify) {
        const auto& v = *r.verify;
        o << "\nVerify (subscriber on wv/+/1/#): " << (v.ok() ? "OK" : "FAILED") << "\n";
        o << "  reports received " << v.reports_received << " of " << v.reports_expected << " acked, missing "
          << v.reports_missing << ", duplicates " << v.duplicates << ", undecodable " << v.undecodable << "\n";
        o << "  wills received " << v.wills_received << " of " << v.wills_expected << ", ReportEnd(CLOSED) "
          << v.report_ends_closed << "\n";
        for (const auto& s : v.incomplete) o << "  " << s << "\n";
    }
    if (r.rules) o << rules_text(*r.rules);
    o << "\nProcess: CPU " << fmt("%.2f", r.cpu_user_s) << " s user + " << fmt("%.2f", r.cpu_system_s) << " s system ("
      << fmt("%.1f", r.cpu_percent_of_core()) << "% of a core" << (r.embedded_gateway ? " incl. the embedded gateway" : "")
      << "), RSS peak " << fmt("%.1f", r.rss_peak_kib / 1024.0)
      << " MiB (baseline " << fmt("%.1f", r.rss_baseline_kib / 1024.0) << " MiB";
    if (r.devices && r.rss_peak_kib > r.rss_baseline_kib)
        o << ", " << fmt("%.1f", static_cast<double>(r.rss_peak_kib - r.rss_baseline_kib) / r.devices)
          << " KiB/device" << (r.embedded_gateway ? " incl. the embedded gateway" : "");
    o << ")\n";
    if (!r.thresholds.empty()) o << "\n" << thresholds::summary(r.thresholds);
    for (const auto& n : r.notes) o << "Note: " << n << "\n";
    for (const auto& w : r.warnings) o << "Warning: " << w << "\n";
    const auto v = judge(r);
    o << "\nResult: " << (v.exit_code ? "FAILED: " : "") << v.reason << " (exit " << v.exit_code << ")\n";
    return o.str();
}

}  // namespace wv::sim
