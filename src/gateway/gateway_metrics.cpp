// wvgate_* in the metrics registry: names, help texts and labels as /metrics has always shown them.
#include "gateway/gateway_metrics.hpp"

#include <atomic>
#include <cstdint>

namespace wv::gate {

namespace {
std::function<double()> read_counter(const std::atomic<std::uint64_t>& c) {
    return [&c] { return static_cast<double>(c.load(std::memory_order_relaxed)); };
}
}  // namespace

void register_gateway_metrics(metrics::registry& reg, const counters& s,
                              const std::vector<std::string>& authorizer_names, authorizer_service_lookup service) {
    reg.add_gauge_fn("wvgate_connections_open", "Connections currently open.", read_counter(s.connections_open));
    reg.add_counter_fn("wvgate_connections_accepted_total", "TCP connections accepted.", read_counter(s.connections_accepted));
    reg.add_counter_fn("wvgate_connections_refused_total", "Connections closed at once: over the connection limit.",
                       read_counter(s.connections_refused_limit));
    reg.add_counter_fn("wvgate_tls_handshake_failures_total", "TLS handshakes that failed or timed out.",
                       read_counter(s.tls_handshake_failures));
    for (const auto& [outcome, c] :
         {std::pair<const char*, const std::atomic<std::uint64_t>*>{"accepted", &s.connects_accepted},
          {"auth_failed", &s.connects_auth_failed},
          {"connect_denied", &s.connects_denied},
          {"protocol_error", &s.connects_protocol_error},
          {"throttled", &s.connects_throttled}})
        reg.add_counter_fn("wvgate_connects_total", "CONNECT outcomes.", read_counter(*c), {{"outcome", outcome}});
    reg.add_counter_fn("wvgate_authorizer_calls_total", "Authorizer invocations (connect and refresh).",
                       read_counter(s.authorizer_calls));
    reg.add_counter_fn("wvgate_authorizer_errors_total", "Authorizer calls without a valid answer.",
                       read_counter(s.authorizer_errors));
    reg.add_counter_fn("wvgate_messages_in_total", "PUBLISH accepted from devices.", read_counter(s.messages_in));
    reg.add_counter_fn("wvgate_messages_out_total", "PUBLISH sent to devices.", read_counter(s.messages_out));
    reg.add_counter_fn("wvgate_messages_dropped_total", "Messages dropped: slow subscriber, quota, offline queue.",
                       read_counter(s.messages_dropped));
    reg.add_counter_fn("wvgate_bytes_in_total", "Bytes received from devices (after TLS).", read_counter(s.bytes_in));
    reg.add_counter_fn("wvgate_bytes_out_total", "Bytes queued to devices (before TLS).", read_counter(s.bytes_out));
    reg.add_counter_fn("wvgate_policy_denials_total", "Actions denied by IoT policy.", read_counter(s.policy_denials));
    reg.add_counter_fn("wvgate_disconnects_total", "Connected sessions that ended.", read_counter(s.disconnects));
    reg.add_summary_fn("wvgate_authorizer_latency_seconds", "Authorizer call latency (queue wait + call).",
                       [&s] { return s.authorizer_latency.snapshot(); });
    for (const auto& name : authorizer_names) {
        const metrics::labels l{{"authorizer", name}};
        const auto field = [service, name](auto member) {
            return [service, name, member] {
                const auto* svc = service(name);
                return svc ? static_cast<double>(svc->stats().*member) : 0.0;
            };
        };
        reg.add_gauge_fn("wvgate_authorizer_in_flight", "Authorizer calls in flight.",
                         field(&auth::authorizer_service_stats::in_flight), l);
        reg.add_counter_fn("wvgate_authorizer_timeouts_total", "Authorizer calls that timed out.",
                           field(&auth::authorizer_service_stats::timeouts), l);
        reg.add_counter_fn("wvgate_authorizer_overloaded_total", "Authorizer calls refused: its queue was full.",
                           field(&auth::authorizer_service_stats::overloaded), l);
    }
}

}  // namespace wv::gate
