#pragma once
// The open-loop schedule of a run: when each device connects, when each report is due,
// when a device churns (reconnects) or is killed. A pure function of the options and the
// device index, so it is the same on every run with the same --seed, and latency can be
// measured from the time a report was *due* rather than when a busy client got round to it.
#include <chrono>
#include <cstdint>
#include <optional>

namespace wv::sim {

// Seconds from the start of the run.
using run_time = std::chrono::duration<double>;

struct load_shape {
    std::uint32_t devices = 1;     // in this process (this shard)
    double connect_rate = 0;       // connects/s ramp; 0: as fast as --max-connecting allows
    run_time interval{1.0};        // between reports of one device
    double jitter = 0;             // fraction of the interval, 0..1: each report moves +-jitter/2
    run_time duration{30.0};       // no report is due at or after this
    std::uint64_t messages = 0;    // per device; 0: until the duration ends
    run_time churn{0};             // reconnect every churn seconds; 0: never
    double kill = 0;               // fraction of devices dropped without DISCONNECT
    std::uint64_t seed = 1;
    // Global index of this process's device 0 (--shard): phases, jitter, kills and churn
    // offsets follow the global index, so shards of one fleet draw what one process would.
    std::uint32_t first_index = 0;
};

class timetable {
public:
    explicit timetable(load_shape s);

    // When local device `d` (0-based within this process) starts its first connect.
    run_time connect_at(std::uint32_t d) const noexcept;
    // When report number k (1-based, its report_id) of device d is due; nullopt past the
    // device's message budget or the end of the run.
    std::optional<run_time> report_due(std::uint32_t d, std::uint64_t k) const noexcept;
    // When device d drops its TCP connection without DISCONNECT; nullopt if it is not one of
    // the killed fraction. Killed devices stay down, so their wills fire once.
    std::optional<run_time> kill_at(std::uint32_t d) const noexcept;
    // The next clean reconnect of device d after time t; nullopt without churn.
    std::optional<run_time> churn_after(std::uint32_t d, run_time t) const noexcept;

    run_time end() const noexcept { return shape_.duration; }
    const load_shape& shape() const noexcept { return shape_; }
    // Reports due over the whole run for all devices (stopping at each kill).
    std::uint64_t reports_planned() const noexcept;

private:
    // A uniform double in [0, 1), a pure function of (seed, device, k, salt).
    double unit(std::uint32_t d, std::uint64_t k, std::uint64_t salt) const noexcept;
    load_shape shape_;
};

}  // namespace wv::sim
