#include "verdict.hpp"

namespace wv::sim {

const char* const exit_codes_help =
    "\nExit codes (the summary's last line says which and why):\n"
    "  0  everything held: every device connected (with --credentials: each allow/deny came true),\n"
    "     and --verify, if asked, found every acked report and every will of a killed device\n"
    "  1  the run finished but something did not hold: devices that never connected, an\n"
    "     expectation not met, --verify found a gap; or a runtime failure (the endpoint name does\n"
    "     not resolve, a report file cannot be written, stopped at once by a second Ctrl-C), or an\n"
    "     --expect threshold failed\n"
    "  2  usage or configuration error (bad flag, template, CA, CSV line, profile): nothing ran\n";

verdict judge(const run_report& r) {
    if (r.stopped_at_once) return {1, "stopped at once: the counts are partial"};
    if (!r.mismatches.empty())
        return {1, std::to_string(r.mismatches.size()) + " of " + std::to_string(r.expectations_checked) +
                       " devices did not do what the credentials file expected"};
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
    if (!thresholds::all_passed(r.thresholds))
        return {1, "--expect: " + thresholds::failed_list(r.thresholds)};
    return {0, "OK"};
}

}  // namespace wv::sim
