#pragma once
// The last phase of a run (simulation.hpp): from what the engine and the gateway left behind to
// the finished report, as a pure function, so every rule here is unit-tested without a socket.
//
//   run_report r = header;              // what was run: target, devices, warnings, timeline, ...
//   stats.fill(r);                      // the fleet's counters and histograms
//   r = finish_report(std::move(r), facts, ids);   // per-device tallies, notes, thresholds
//   return judge(r).exit_code;
//
// What it adds: reports due and unsent by reason (tally_reports), allow/deny expectations and
// devices that never connected, --verify's verdict, the embedded gateway's counters and rules,
// THROTTLED closes moved out of "closed_without_connack", the notes a reader needs (engine
// limits, an early stop, an authorizer's share of CONNACK), and the --expect thresholds.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "device_result.hpp"
#include "identity.hpp"
#include "report.hpp"
#include "timetable.hpp"

namespace wv::sim {

// Everything finish_report reads besides the identities, gathered once the engine has stopped.
struct run_facts {
    const timetable* tt = nullptr;
    std::vector<device_result> devices;      // per local device
    double elapsed_s = 0;                    // start to the end of the engine
    // Reports stop coming due at a stop request (Ctrl-C), not at the end of the last device.
    std::optional<double> stop_requested_s{};  // seconds from the start
    bool messages_budget = false;            // --messages: the publish window is the whole run
    bool embedded = false;
    bool paho = false;
    std::uint64_t paho_kills_failed = 0;
    bool https = false;
    double churn_s = 0;
    int signals_seen = 0;
    bool aborted = false;                    // a second Ctrl-C, or devices stuck past every deadline
    std::optional<verify_result> verify{};
    // The embedded gateway (gateway null without one).
    nlohmann::json gateway{};
    std::optional<rules_result> rules{};
    std::uint64_t throttled = 0;
    // The process.
    double cpu_user_s = 0, cpu_system_s = 0;
    std::uint64_t rss_baseline_kib = 0, rss_peak_kib = 0;
    std::vector<std::string> expect{};       // --expect, parsed and checked by parse_options
};

run_report finish_report(run_report r, const run_facts& f, std::span<const device_identity> ids);

}  // namespace wv::sim
