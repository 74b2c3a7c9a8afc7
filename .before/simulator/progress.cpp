#include "progress.hpp"

#include <cstdio>

namespace wv::sim {

std::string progress_latency(const metrics::sparse_histogram& h, double q) {
    if (h.empty()) return "-";
    const auto us = h.percentile_us(q);
    char b[32];
    if (us < 1000) std::snprintf(b, sizeof b, "%luus", static_cast<unsigned long>(us));
    else if (us < 1'000'000) std::snprintf(b, sizeof b, "%.1fms", static_cast<double>(us) / 1e3);
    else std::snprintf(b, sizeof b, "%.2fs", static_cast<double>(us) / 1e6);
    return b;
}

std::string progress_line(const timeline_sample& s, std::int64_t connecting, std::uint64_t failed) {
    char line[320];
    std::snprintf(line, sizeof line,
                  "[%5.0fs] connected %lu, connecting %ld, failed %lu | sent %lu/s, acked %lu/s | CONNACK p50 %s "
                  "p99 %s | PUBACK p50 %s p99 %s",
                  s.t, static_cast<unsigned long>(s.connected),
                  static_cast<long>(connecting < 0 ? 0 : connecting), static_cast<unsigned long>(failed),
                  static_cast<unsigned long>(s.sent), static_cast<unsigned long>(s.acked),
                  progress_latency(s.connack, 0.5).c_str(), progress_latency(s.connack, 0.99).c_str(),
                  progress_latency(s.puback, 0.5).c_str(), progress_latency(s.puback, 0.99).c_str());
    return line;
}

}  // namespace wv::sim
