#include "device_result.hpp"

#include <algorithm>

namespace wv::sim {

std::string_view unsent_reason(const device_result& d) noexcept {
    if (!d.ever_connected) return "never_connected";
    switch (d.last_end) {
    case outcome::closed_by_server:
    case outcome::disconnected_after_publish:
    case outcome::keep_alive_timeout:
    case outcome::protocol_error:
    case outcome::churned:  // still "churned" at the end: the reconnect after it failed
        return "connection_lost";
    default: return "behind_at_end";
    }
}

bool down_at_end(const device_result& d) noexcept {
    return d.ever_connected && !d.killed && unsent_reason(d) == "connection_lost";
}

void tally_reports(run_report& r, const timetable& tt, const std::vector<device_result>& devices, double due_until) {
    r.reports_due = 0;
    r.unsent.clear();
    r.devices_down_at_end = 0;
    for (std::uint32_t d = 0; d < devices.size(); ++d) {
        const auto k = tt.kill_at(d);
        const double stop_at = std::min(due_until, k ? k->count() : due_until);
        std::uint64_t due = 0;
        for (std::uint64_t n = 1;; ++n) {
            const auto t = tt.report_due(d, n);
            if (!t || t->count() > stop_at) break;
            ++due;
        }
        r.reports_due += due;
        r.devices_down_at_end += down_at_end(devices[d]);
        if (due > devices[d].last_sent) r.unsent[std::string(unsent_reason(devices[d]))] += due - devices[d].last_sent;
    }
    r.reports_skipped = 0;
    for (const auto& [k, n] : r.unsent) r.reports_skipped += n;
}

}  // namespace wv::sim
