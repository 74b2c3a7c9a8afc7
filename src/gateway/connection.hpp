#pragma once
// One device connection of the gateway, from the accepted socket to its end.
//
//   serve_connection()  a coroutine for the TLS handshake (bounded, short-lived); then HTTPS
//                       publish (https_session.hpp) or an MQTT `connection` below
//   connection          a connection_machine run by the one connection driver
//                       (src/net/driver.hpp: reads until would-block, coalesced non-blocking
//                       writes, one lazily re-armed timer). It adapts the machine to
//                       net::protocol_machine: after every input it applies the machine's
//                       effects: send_bytes into the driver's queue, close_connection as the
//                       driver's close, call_authorizer to the authorizer service, and the
//                       gateway's effects (broker, log, rules, throttle, certificates) through
//                       its effect_applier.
// No coroutine after the handshake: a connected, idle device costs one pending socket wait and
// one timer (bench_gateway: a coroutine per direction cost ~4 KiB per idle connection and ~20%
// more CPU per message).
//
// Lifetime: the driver's end handler holds the connection until the driver has finished; the
// broker holds it while it owns the session. Threading: a connection lives on the executor of
// its socket (one io_context thread). deliver() and kick() are called by the broker (and the
// certificate table) from any thread: they only post, and the posted work feeds the machine
// through driver::act(). Deliveries are bounded by limits_config::max_outbox_bytes (posted and
// not yet handled, plus what the socket has not taken): a message beyond it is dropped and
// counted, so a slow subscriber never grows memory without bound.
#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "gateway/connection_machine.hpp"
#include "gateway/effect_applier.hpp"
#include "net/driver.hpp"
#include "tls/stream.hpp"

namespace wv::gate {

// Looks up the service for an authorizer name (nullptr: unknown).
using authorizer_lookup = std::function<auth::authorizer_service*(const std::string& name)>;

// Runs the TLS handshake of an accepted stream, then serves it (HTTPS publish, or MQTT on a
// `connection` that lives on after this coroutine in the driver's handlers). Never throws for
// I/O reasons. Counts the connection in counters::connections_open from start to end;
// `services` is the gateway's and outlives every connection.
boost::asio::awaitable<void> serve_connection(tls::stream stream, machine_env env, const gateway_services* services,
                                              authorizer_lookup authorizers, std::string listener, listener_kind kind);

// The calling thread's timer wheel (net/timer_wheel.hpp): gateway.cpp gives each of its I/O
// threads one, and a connection made on that thread runs its deadlines on it, so an idle
// connection holds no timer and no pending timer operation of its own. Null elsewhere (a
// connection driven on a test's io_context): the driver keeps its own timer.
void set_thread_timer_wheel(net::timer_wheel* wheel) noexcept;

class connection final : public subscriber,
                         public net::protocol_machine,
                         public std::enable_shared_from_this<connection> {
public:
    // `stream` is past its TLS handshake. Call start() once, on the stream's executor.
    connection(tls::stream stream, peer_info peer, machine_env env, const gateway_services* services,
               authorizer_lookup authorizers);
    ~connection() override;
    void start();

    // subscriber (any thread: posts)
    bool deliver(message_ptr m, std::uint8_t qos, bool retained) override;
    void kick(disconnect_reason why) override;

    // net::protocol_machine (the driver's inputs and queries)
    void on_bytes(std::span<const std::byte> in, clock::time_point now, net::effects& fx) override;
    void on_deadline(clock::time_point now, net::effects& fx) override;
    void on_transport_closed(std::error_code why, clock::time_point now) override;
    std::optional<clock::time_point> next_deadline() const override { return machine_.next_deadline(); }

private:
    // Before a frequent input (bytes, a delivery): the thread's spare effect storage goes to the
    // machine, and apply() takes it back, so no batch grows a vector of its own.
    void lend_effect_storage() noexcept;
    // Applies what the machine handed out, answers included, until it hands out nothing more.
    void apply(clock::time_point now, net::effects& fx);
    void call_authorizer(const std::string& name, std::string event_json, clock::time_point now);

    counters& stats_;
    std::size_t max_outbox_bytes_;
    effect_applier applier_;           // the gateway's effects: broker, log, rules, throttle, certificates
    authorizer_lookup authorizers_;
    connection_machine machine_;
    net::driver driver_;               // after machine_: it runs it (through this adapter)
    std::atomic<std::size_t> posted_bytes_{0};  // deliveries posted, not yet handled
};

}  // namespace wv::gate
