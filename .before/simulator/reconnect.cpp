#include "reconnect.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace wv::sim {

namespace {
std::uint64_t mix(std::uint64_t x) noexcept {  // splitmix64's finaliser
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

double seconds(const std::string& s, const std::string& text) {
    std::size_t used = 0;
    double v = 0;
    try {
        v = std::stod(s, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != s.size() || !std::isfinite(v) || v <= 0 || v > 86'400)
        throw std::invalid_argument("--retry-backoff '" + text +
                                    "': expected 'off' or INITIAL,MAX in seconds, e.g. 1,30 (each > 0, MAX >= INITIAL)");
    return v;
}
}  // namespace

retry_backoff parse_retry_backoff(const std::string& text) {
    retry_backoff b;
    if (text == "off") {
        b.enabled = false;
        return b;
    }
    const auto comma = text.find(',');
    const double lo = seconds(text.substr(0, comma), text);
    const double hi = comma == std::string::npos ? lo : seconds(text.substr(comma + 1), text);
    if (hi < lo) seconds("", text);  // throws the same message
    b.initial = std::chrono::milliseconds(static_cast<std::int64_t>(lo * 1000));
    b.max = std::chrono::milliseconds(static_cast<std::int64_t>(hi * 1000));
    return b;
}

std::chrono::milliseconds retry_delay(const retry_backoff& b, std::uint64_t seed, std::uint32_t device,
                                      std::uint32_t attempt) noexcept {
    const auto cap = static_cast<double>(b.max.count());
    const double full = std::min(cap, static_cast<double>(b.initial.count()) * std::ldexp(1.0, static_cast<int>(std::min(attempt, 40u))));
    const auto r = mix(seed ^ mix((static_cast<std::uint64_t>(device) << 32) | attempt));
    const double unit = static_cast<double>(r >> 11) * 0x1.0p-53;
    return std::chrono::milliseconds(static_cast<std::int64_t>(full / 2 + unit * full / 2));
}

}  // namespace wv::sim
