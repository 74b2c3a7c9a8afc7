#include "fleet_stats.hpp"

namespace wv::sim {

void fleet_stats::count(outcome o, const std::string& detail) {
    if (detail.empty()) {
        outcomes[static_cast<std::size_t>(o)].fetch_add(1, std::memory_order_relaxed);
        return;
    }
    std::lock_guard lock(m_);
    auto bucket = outcome_detail{o, detail}.bucket();
    // A server may put the client id in its reason strings (AWS does: "...:<uuid>"): past a few
    // distinct ones per reason code the rest share one bucket, which says so.
    if (const auto colon = bucket.find(':', key(o).size() + 1);
        has_reason_code(o) && colon != std::string::npos && !detailed_.contains(bucket)) {
        const auto code = bucket.substr(0, colon + 1);  // "connack_refused:0x87:"
        std::size_t seen = 0;
        for (auto it = detailed_.lower_bound(code); it != detailed_.end() && it->first.starts_with(code); ++it) ++seen;
        if (seen >= max_reason_strings) bucket = code + std::string(other_reason_strings);
    }
    ++detailed_[bucket];
}

void fleet_stats::on_connected() noexcept {
    const auto now = static_cast<std::uint64_t>(connected.fetch_add(1, std::memory_order_relaxed) + 1);
    auto peak = connected_peak.load(std::memory_order_relaxed);
    while (now > peak && !connected_peak.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
    }
}

void fleet_stats::fill(run_report& r) const {
    r.connect_attempts = connect_attempts.load();
    r.connected_peak = connected_peak.load();
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        const auto n = outcomes[i].load();
        if (!n) continue;
        const auto o = static_cast<outcome>(i);
        (is_connect_outcome(o) ? r.connect_outcomes : is_refusal(o) ? r.refused : r.session_ends)[std::string(key(o))] += n;
    }
    {
        std::lock_guard lock(m_);
        for (const auto& [k, n] : detailed_) {
            const auto o = outcome_from_key(k.substr(0, k.find(':')));
            (is_connect_outcome(o) ? r.connect_outcomes : is_refusal(o) ? r.refused : r.session_ends)[k] += n;
        }
    }
    r.reports_sent = sent.load();
    r.reports_acked = acked.load();
    r.reports_lost = lost.load();
    r.report_ends_sent = report_ends.load();
    r.devices_killed = killed.load();
    r.latency["tcp_connect"] = tcp_connect.snapshot();
    r.latency["tls_handshake"] = tls_handshake.snapshot();
    r.latency["connack"] = connack.snapshot();
    r.latency["puback"] = puback.snapshot();
    r.latency["send_lag"] = send_lag.snapshot();
}

}  // namespace wv::sim
