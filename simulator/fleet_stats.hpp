#pragma once
// The live tallies of a run, updated by every device on every I/O thread and read once a
// second by the progress line and the timeline sampler.
//
// Threading: every member may be used from any thread (relaxed atomics: each value is exact,
// a set of values read together is not a snapshot; histograms lock a per-thread shard).
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "metrics/concurrent_histogram.hpp"
#include "outcome.hpp"
#include "report.hpp"

namespace wv::sim {

struct fleet_stats {
    using counter = std::atomic<std::uint64_t>;
    counter connect_attempts{0}, connects_ok{0}, connect_failures{0};
    std::atomic<std::int64_t> connecting{0}, connected{0};
    counter connected_peak{0};
    counter sent{0}, acked{0}, lost{0}, skipped{0}, report_ends{0}, killed{0};
    std::array<counter, static_cast<std::size_t>(outcome::count_)> outcomes{};

    metrics::concurrent_histogram tcp_connect, tls_handshake, connack, puback, send_lag;
    // Emptied once a second by the sampler: the per-second percentiles of the timeline.
    metrics::concurrent_histogram connack_second, puback_second;

    // Records a connect attempt's or a session's outcome; details (TLS alert names, MQTT 5
    // reason codes) are rare and kept under a mutex. At most max_reason_strings buckets per
    // reason code; further reason strings count as "<code>:" + other_reason_strings.
    void count(outcome o, const std::string& detail = {});
    static constexpr std::size_t max_reason_strings = 10;
    static constexpr std::string_view other_reason_strings = "(other reason strings)";
    void on_connected() noexcept;
    void on_disconnected() noexcept { connected.fetch_sub(1, std::memory_order_relaxed); }

    // Fills the counts, outcomes and histograms of a report.
    void fill(run_report& r) const;

private:
    mutable std::mutex m_;
    std::map<std::string, std::uint64_t> detailed_;  // "tls_alert:handshake_failure" -> n
};

}  // namespace wv::sim
