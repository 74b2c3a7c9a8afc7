#include "verdict.hpp"

namespace wv::sim {

const char* const exit_codes_help =
    "\nExit codes (the summary's last line says which and why):\n"
    "  0  everything held: every device connected (with --credentials: each allow/deny came true)\n"
    "     and was still up at the end, every due report was sent and (QoS 1) acknowledged\n"
    "     (--protocol https: answered 200), --verify (if asked) found every\n"
    "     acked report and every will of a killed device, and the embedded gateway's rules\n"
    "     (--gateway-config) validated every message without a mismatch, error or timeout\n"
    "  1  the run finished but something did not hold: devices that never connected or were down\n"
    "     at the end, reports left unsent or never acknowledged, an expectation not met, --verify\n"
    "     found a gap, a rule's validation mismatched or an action failed; or a runtime failure (the\n"
    "     endpoint name does not resolve, a report file cannot be written, stopped at once by a\n"
    "     second Ctrl-C), or an --expect threshold failed\n"
    "  2  usage or configuration error (bad flag, template, CA, CSV line, profile, --gateway-config):\n"
    "     nothing ran\n";

verdict judge(const run_report& r) {
    if (r.stopped_at_once) return {1, "stopped at once: the counts are partial"};
    if (r.onboarding.is_object() && r.onboarding.value("mode", "") != "jitr") {
        // --onboard claim / trusted-user: every device provisioned, or was refused as listed.
        std::uint64_t failed = 0;
        std::string by;
        const auto outcomes = r.onboarding.value("device_outcomes", nlohmann::json::object());  // a copy: kept alive
        for (const auto& [k, n] : outcomes.items())
            if (k != "provisioned" && k != "refused_as_expected") {
                failed += n.get<std::uint64_t>();
                by += (by.empty() ? "" : ", ") + k + " " + std::to_string(n.get<std::uint64_t>());
            }
        const auto mismatched = r.onboarding.value("mismatches", nlohmann::json::array()).size();
        if (mismatched)
            return {1, std::to_string(mismatched) + " devices did not meet --provision-refuse's expectation at onboarding"};
        if (failed)
            return {1, std::to_string(failed) + " of " + std::to_string(r.onboarding.value("devices", std::uint64_t{0})) +
                           " devices did not provision (" + by + ")"};
    }
    if (!r.mismatches.empty())
        return {1, std::to_string(r.mismatches.size()) + " of " + std::to_string(r.expectations_checked) +
                       " devices did not do what the credentials file expected"};
    if (r.rules) {
        if (const auto f = r.rules->failures(); !f.empty()) {
            std::string why = "rules: ";
            for (std::size_t i = 0; i < f.size(); ++i) why += (i ? "; " : "") + f[i];
            return {1, why};
        }
    }
    if (r.verify && !r.verify->ok()) {
        const auto& v = *r.verify;
        std::string why = "--verify: ";
        if (v.reports_missing) why += std::to_string(v.reports_missing) + " acked reports never arrived; ";
        if (v.undecodable) why += std::to_string(v.undecodable) + " payloads did not decode; ";
        if (v.wills_received < v.wills_expected)
            why += std::to_string(v.wills_expected - v.wills_received) + " wills of killed devices never arrived; ";
        why.resize(why.size() - 2);
        return {1, why};
    }
    if (r.devices_never_connected) {
        const auto expected_to = r.devices - r.expectations_checked;
        if (r.devices_never_connected >= expected_to && r.expectations_checked == 0)
            return {1, "no device connected"};
        return {1, std::to_string(r.devices_never_connected) + " of " + std::to_string(expected_to) +
                       " devices never connected"};
    }
    // Connected devices that did not stay up, and reports they never sent (those of devices
    // that never connected are judged above).
    const auto unsent = [&](const char* k) {
        const auto it = r.unsent.find(k);
        return it == r.unsent.end() ? std::uint64_t{0} : it->second;
    };
    const auto lost = unsent("connection_lost"), behind = unsent("behind_at_end");
    if (r.devices_down_at_end || lost || behind) {
        std::string why;
        if (r.devices_down_at_end)
            why = std::to_string(r.devices_down_at_end) + " of " + std::to_string(r.devices) +
                  " devices were down at the end (closed by the server, or a reconnect failed for good)";
        if (lost || behind) {
            if (!why.empty()) why += "; ";
            why += std::to_string(lost + behind) + " of " + std::to_string(r.reports_due) + " due reports unsent (";
            if (lost) why += "connection_lost " + std::to_string(lost) + (behind ? ", " : "");
            if (behind) why += "behind_at_end " + std::to_string(behind);
            why += ")";
        }
        return {1, why};
    }
    // QoS 1 reports sent on a connection that stayed up and never acknowledged (the wait for
    // PUBACKs at the end ran out). A run that kills or churns devices loses the reports in
    // flight at that moment on purpose; the summary still shows them as lost.
    if (r.qos && r.reports_lost && r.devices_killed == 0 && !r.session_ends.contains("churned"))
        return {1, std::to_string(r.reports_lost) + " of " + std::to_string(r.reports_sent) +
                       " sent reports were never acknowledged (no PUBACK)"};
    if (!r.refused.empty()) {
        std::uint64_t n = 0;
        std::string by;
        for (const auto& [k, v] : r.refused) {
            n += v;
            by += (by.empty() ? "" : ", ") + k + " " + std::to_string(v);
        }
        return {1, std::to_string(n) + " of " + std::to_string(r.reports_sent) + " reports refused by the server (" + by + ")"};
    }
    if (!thresholds::all_passed(r.thresholds))
        return {1, "--expect: " + thresholds::failed_list(r.thresholds)};
    return {0, "OK"};
}

}  // namespace wv::sim
