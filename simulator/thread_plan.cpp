#include "thread_plan.hpp"

#include <algorithm>
#include <cmath>

namespace wv::sim {

thread_plan plan_threads(unsigned requested, unsigned cores, std::uint32_t devices, double reports_per_s) {
    const unsigned most = std::max(1u, std::min<unsigned>(requested ? requested : std::max(1u, cores), std::max<std::uint32_t>(1, devices)));
    if (requested) return {.sessions = most, .connectors = 0, .spread_connects = false};
    const double need = std::ceil(std::max(0.0, reports_per_s) / reports_per_session_thread);
    const unsigned sessions = std::clamp<unsigned>(need > most ? most : static_cast<unsigned>(need), 1u, most);
    return {.sessions = sessions, .connectors = most - sessions, .spread_connects = most > 1};
}

std::chrono::microseconds timer_tick_for(double requested_ms, double interval_s) {
    const double ms = requested_ms > 0 ? requested_ms : std::clamp(interval_s * 4.0, 1.0, 4.0);
    return std::chrono::microseconds(std::max<std::int64_t>(1, static_cast<std::int64_t>(std::llround(ms * 1000))));
}

}  // namespace wv::sim
