#pragma once
// What one device did over a run, gathered from either engine once it has stopped, and the
// per-device parts of the report built from it: reports due, and why due reports went unsent.
//
// Open loop: a report comes due at its timetable time whether or not its device is ready. One
// that comes due while its device is still connecting, reconnecting, or waiting with 8 reports
// unacknowledged is sent as soon as the device can, in order, and its PUBACK latency counts
// from the due time (so a slow connect or a slow server shows as latency, and it counts as
// late when sent 1 s or more after due). A report is unsent only when its device never
// connected, lost its connection for good, or was still behind when the run ended.
#include <cstdint>
#include <string_view>
#include <vector>

#include "outcome.hpp"
#include "report.hpp"
#include "timetable.hpp"

namespace wv::sim {

struct device_result {
    std::uint64_t last_sent = 0;            // report_id of the last report sent (they count up from 1)
    bool killed = false;                    // dropped on purpose (--kill)
    bool ever_connected = false;
    outcome first = outcome::count_;        // of the first connect attempt (count_: never tried)
    outcome last_end = outcome::count_;     // how the last session ended (count_: none)
};

// The key in run_report::unsent for a device that left reports unsent: "never_connected",
// "connection_lost" (closed by the server, timed out, or a churn reconnect failed) or
// "behind_at_end" (connected, but still catching up when it stopped).
std::string_view unsent_reason(const device_result& d) noexcept;

// A device that was connected at some point and was not at the end: the server closed its
// connection, or a reconnect failed for good. Devices killed on purpose (--kill) do not count.
bool down_at_end(const device_result& d) noexcept;

// Sets r.reports_due, r.unsent, r.reports_skipped and r.devices_down_at_end from the timetable
// and each local device's result. Reports stop coming due at `due_until` (seconds from the start: the end of
// the run, or a Ctrl-C) or at the device's kill.
void tally_reports(run_report& r, const timetable& tt, const std::vector<device_result>& devices, double due_until);

}  // namespace wv::sim
