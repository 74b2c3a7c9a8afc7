#include "timetable.hpp"

#include <algorithm>
#include <cmath>

namespace wv::sim {

namespace {
std::uint64_t mix(std::uint64_t x) noexcept {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}
enum salt : std::uint64_t { phase_salt = 1, jitter_salt = 2, kill_salt = 3, kill_time_salt = 4, churn_salt = 5 };
}  // namespace

timetable::timetable(load_shape s) : shape_(s) {
    if (shape_.devices == 0) shape_.devices = 1;
    if (shape_.interval.count() <= 0) shape_.interval = run_time(1.0);
    shape_.jitter = std::clamp(shape_.jitter, 0.0, 1.0);
}

double timetable::unit(std::uint32_t d, std::uint64_t k, std::uint64_t salt) const noexcept {
    const std::uint64_t global = std::uint64_t{shape_.first_index} + d;
    const auto h = mix(mix(mix(shape_.seed ^ (salt << 56)) + global) + k);
    return static_cast<double>(h >> 11) * 0x1.0p-53;
}

run_time timetable::connect_at(std::uint32_t d) const noexcept {
    if (shape_.connect_rate <= 0) return run_time(0);
    return run_time(static_cast<double>(d) / shape_.connect_rate);
}

std::optional<run_time> timetable::report_due(std::uint32_t d, std::uint64_t k) const noexcept {
    if (k == 0) return std::nullopt;
    if (shape_.messages && k > shape_.messages) return std::nullopt;
    const double iv = shape_.interval.count();
    // A random phase spreads the fleet's reports evenly over each interval instead of in bursts
    // at whole seconds; the first report is due one phase after the device's planned connect.
    const double phase = unit(d, 0, phase_salt) * iv;
    double t = connect_at(d).count() + phase + static_cast<double>(k - 1) * iv;
    if (shape_.jitter > 0) t += (unit(d, k, jitter_salt) - 0.5) * shape_.jitter * iv;
    t = std::max(t, 0.0);
    if (t >= shape_.duration.count()) return std::nullopt;
    return run_time(t);
}

std::optional<run_time> timetable::kill_at(std::uint32_t d) const noexcept {
    if (shape_.kill <= 0 || unit(d, 0, kill_salt) >= shape_.kill) return std::nullopt;
    // Somewhere in the middle of the run, so the device has reported and its will is live.
    const double dur = shape_.duration.count();
    return run_time(connect_at(d).count() + dur * (0.25 + 0.4 * unit(d, 0, kill_time_salt)));
}

std::optional<run_time> timetable::churn_after(std::uint32_t d, run_time t) const noexcept {
    const double c = shape_.churn.count();
    if (c <= 0) return std::nullopt;
    const double start = connect_at(d).count() + unit(d, 0, churn_salt) * c;
    double next = start + std::max(0.0, std::floor((t.count() - start) / c) + 1) * c;
    if (next <= t.count()) next += c;
    return run_time(next);
}

std::uint64_t timetable::reports_planned() const noexcept {
    std::uint64_t total = 0;
    for (std::uint32_t d = 0; d < shape_.devices; ++d) {
        const auto killed = kill_at(d);
        for (std::uint64_t k = 1;; ++k) {
            const auto t = report_due(d, k);
            if (!t || (killed && *t >= *killed)) break;
            ++total;
        }
    }
    return total;
}

}  // namespace wv::sim
