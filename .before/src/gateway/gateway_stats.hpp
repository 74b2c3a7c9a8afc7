#pragma once
// Counters of a running gateway. `counters` is shared by every I/O thread (relaxed atomics:
// each is an independent tally); `gateway_stats` is a plain snapshot of it.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "metrics/concurrent_histogram.hpp"

namespace wv::gate {

struct gateway_stats {
    std::uint64_t connections_open = 0;
    std::uint64_t connections_accepted = 0;
    std::uint64_t connections_refused_limit = 0;  // over limits_config::max_connections
    std::uint64_t tls_handshake_failures = 0;
    std::uint64_t connects_accepted = 0;          // CONNACK 0 sent
    std::uint64_t connects_auth_failed = 0;       // closed without CONNACK: authorizer said no / failed
    std::uint64_t connects_denied = 0;            // iot:Connect denied by policy
    std::uint64_t connects_protocol_error = 0;    // malformed / no CONNECT in time
    std::uint64_t connects_throttled = 0;         // over 1 CONNECT/s per client id
    std::uint64_t authorizer_calls = 0;
    std::uint64_t authorizer_errors = 0;          // transport, timeout, garbage, overload
    std::uint64_t messages_in = 0;                // PUBLISH accepted from clients
    std::uint64_t messages_out = 0;               // PUBLISH written to clients
    std::uint64_t bytes_in = 0;
    std::uint64_t bytes_out = 0;
    std::uint64_t messages_dropped = 0;           // slow subscriber, offline queue full, quota
    std::uint64_t policy_denials = 0;             // publish/subscribe/receive/connect denied
    std::uint64_t disconnects = 0;
    // Authorizer call latency (queue wait + call), every call including refreshes.
    std::uint64_t authorizer_p50_us = 0, authorizer_p99_us = 0, authorizer_max_us = 0;
    // The first authorizer policies that named another region/account than the gateway's
    // (policy/scope_check.hpp), in words with the fix; empty when none did.
    std::string scope_mismatch{};
};

struct counters {
    std::atomic<std::uint64_t> connections_open{0}, connections_accepted{0},
        connections_refused_limit{0}, tls_handshake_failures{0}, connects_accepted{0},
        connects_auth_failed{0}, connects_denied{0}, connects_protocol_error{0}, connects_throttled{0},
        authorizer_calls{0}, authorizer_errors{0}, messages_in{0}, messages_out{0}, bytes_in{0},
        bytes_out{0}, messages_dropped{0}, policy_denials{0}, disconnects{0};
    metrics::concurrent_histogram authorizer_latency;

    // Records the first region/account mismatch; later ones are dropped (said once).
    // scope_mismatch_recorded() lets callers skip building the text.
    void record_scope_mismatch(std::string text);
    bool scope_mismatch_recorded() const noexcept { return scope_mismatch_seen_.load(std::memory_order_acquire); }

    gateway_stats snapshot() const;

private:
    std::atomic<bool> scope_mismatch_seen_{false};
    mutable std::mutex scope_mismatch_m_;
    std::string scope_mismatch_;
};

inline void bump(std::atomic<std::uint64_t>& c, std::uint64_t n = 1) noexcept {
    c.fetch_add(n, std::memory_order_relaxed);
}

}  // namespace wv::gate
