#include "gateway/gateway_stats.hpp"

namespace wv::gate {

void counters::record_scope_mismatch(std::string text) {
    std::lock_guard lk(scope_mismatch_m_);
    if (!scope_mismatch_.empty()) return;
    scope_mismatch_ = std::move(text);
    scope_mismatch_seen_.store(true, std::memory_order_release);
}

gateway_stats counters::snapshot() const {
    const auto r = [](const std::atomic<std::uint64_t>& c) { return c.load(std::memory_order_relaxed); };
    const auto h = authorizer_latency.snapshot();
    std::string mismatch;
    {
        std::lock_guard lk(scope_mismatch_m_);
        mismatch = scope_mismatch_;
    }
    return gateway_stats{
        .connections_open = r(connections_open),
        .connections_accepted = r(connections_accepted),
        .connections_refused_limit = r(connections_refused_limit),
        .tls_handshake_failures = r(tls_handshake_failures),
        .connects_accepted = r(connects_accepted),
        .connects_auth_failed = r(connects_auth_failed),
        .connects_denied = r(connects_denied),
        .connects_protocol_error = r(connects_protocol_error),
        .connects_throttled = r(connects_throttled),
        .authorizer_calls = r(authorizer_calls),
        .authorizer_errors = r(authorizer_errors),
        .messages_in = r(messages_in),
        .messages_out = r(messages_out),
        .bytes_in = r(bytes_in),
        .bytes_out = r(bytes_out),
        .messages_dropped = r(messages_dropped),
        .policy_denials = r(policy_denials),
        .disconnects = r(disconnects),
        .authorizer_p50_us = h.percentile_us(0.5),
        .authorizer_p99_us = h.percentile_us(0.99),
        .authorizer_max_us = h.max_us(),
        .scope_mismatch = std::move(mismatch),
    };
}

}  // namespace wv::gate
