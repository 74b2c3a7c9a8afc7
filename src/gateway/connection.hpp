#pragma once
// One device connection of the gateway, from the accepted socket to its end.
//
//   serve_connection()  a coroutine for the TLS handshake (bounded, short-lived); then HTTPS
//                       publish (https_session.hpp), an MQTT `connection` below, or on aws-443
//                       without ALPN the HTTP front (http_front.hpp): HTTPS publish, or MQTT
//                       over WebSocket (a `connection` whose driver runs a
//                       websocket::server_layer, which runs the connection as its inner
//                       machine: RFC 6455 framing under the same MQTT machine; the connection
//                       closes it after websocket.ttl as AWS does, WEBSOCKET_TTL_EXPIRATION)
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
// Lifetime: the connection holds itself from start() until the driver's end handler (the
// driver has finished then); the broker holds it while it owns the session. Threading: a
// connection lives on the executor of its socket (one io_context thread). deliver() and
// kick() are called by the broker (and the certificate table) from any thread: they only
// post, and the posted work feeds the machine through driver::act(). Deliveries are bounded by limits_config::max_outbox_bytes (posted and
// not yet handled, plus what the socket has not taken): a message beyond it is dropped and
// counted, so a slow subscriber never grows memory without bound.
#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "auth/http_authentication.hpp"
#include "gateway/connection_machine.hpp"
#include "gateway/effect_applier.hpp"
#include "net/driver.hpp"
#include "tls/stream.hpp"
#include "websocket/server_layer.hpp"

namespace wv::gate {

// Looks up the service for an authorizer name (nullptr: unknown).
using authorizer_lookup = std::function<auth::authorizer_service*(const std::string& name)>;

// Runs the TLS handshake of an accepted stream, then serves it (HTTPS publish, or MQTT on a
// `connection` that lives on after this coroutine in the driver's handlers). Never throws for
// I/O reasons. Counts the connection in counters::connections_open from start to end;
// `services` and `authorizers` are the gateway's and outlive every connection.
boost::asio::awaitable<void> serve_connection(tls::stream stream, machine_env env, const gateway_services* services,
                                              const authorizer_lookup* authorizers, std::string listener,
                                              listener_kind kind);

// The calling thread's timer wheel (net/timer_wheel.hpp): gateway.cpp gives each of its I/O
// threads one, and a connection made on that thread runs its deadlines on it, so an idle
// connection holds no timer and no pending timer operation of its own. Null elsewhere (a
// connection driven on a test's io_context): the driver keeps its own timer.
void set_thread_timer_wheel(net::timer_wheel* wheel) noexcept;

class connection final : public subscriber,
                         public net::protocol_machine,
                         private websocket::upgrade_judge,
                         public std::enable_shared_from_this<connection> {
public:
    // `stream` is past its TLS handshake. Call start() once, on the stream's executor.
    // `websocket_request`: MQTT over WebSocket, the bytes of the upgrade request already read
    // (the HTTP front's); nullopt: MQTT straight on TLS.
    connection(tls::stream stream, peer_info peer, machine_env env, const gateway_services* services,
               const authorizer_lookup* authorizers, std::optional<std::string> websocket_request = std::nullopt);
    ~connection() override;
    void start();

    // subscriber (any thread: posts)
    bool deliver(message_ptr m, std::uint8_t qos, bool retained) override;
    void kick(disconnect_reason why) override;

    // net::protocol_machine (the driver's inputs and queries)
    void on_bytes(std::span<const std::byte> in, clock::time_point now, net::effects& fx) override;
    void on_deadline(clock::time_point now, net::effects& fx) override;
    void on_transport_closed(std::error_code why, clock::time_point now) override;
    std::optional<clock::time_point> next_deadline() const override;

private:
    // driver::act() for the connection's own inputs: through the WebSocket layer when there is one.
    template <class F>
    bool act(F&& f) {
        return ws_ ? driver_.act(ws_->wrap(f)) : driver_.act(std::forward<F>(f));
    }
    void log_refused_upgrade();
    // websocket::upgrade_judge: the HTTP front's authenticator decides the upgrade (SigV4, or a
    // refusal with AWS's status); custom auth is deferred to CONNECT, as AWS does, with the
    // upgrade request handed to the machine (its headers and query join the event).
    void judge(const websocket::http::request_header<>& request, clock::time_point now) override;
    void on_upgrade_verdict(auth::http_auth_verdict v);
    // Before a frequent input (bytes, a delivery): the thread's spare effect storage goes to the
    // machine, and apply() takes it back, so no batch grows a vector of its own.
    void lend_effect_storage() noexcept;
    // Applies what the machine handed out, answers included, until it hands out nothing more.
    void apply(clock::time_point now, net::effects& fx);
    void call_authorizer(const std::string& name, std::string event_json, clock::time_point now);

    counters& stats_;
    std::size_t max_outbox_bytes_;
    effect_applier applier_;           // the gateway's effects: broker, log, rules, throttle, certificates
    const authorizer_lookup* authorizers_;  // the gateway's (a std::function per connection cost 32 bytes)
    connection_machine machine_;
    event_log* log_;
    // MQTT over WebSocket: the layer the driver runs (this connection is its inner machine),
    // what only the upgrade needs (behind a pointer: a plain MQTT/TLS connection, nearly all of
    // them, does not carry its ~400 bytes) and when AWS's WebSocket TTL closes it.
    struct websocket_upgrade {
        std::string request;                                    // fed to ws_ at start(), then freed
        const auth::http_authenticator* http_auth = nullptr;   // null: no HTTP front (CONNECT decides)
        auth::http_auth_request facts{};                        // the transport facts judge() adds the request to
        std::optional<clock::time_point> ttl_at;                // AWS's WebSocket lifetime ends
    };
    std::unique_ptr<websocket::server_layer> ws_;
    std::unique_ptr<websocket_upgrade> upgrade_;  // set with ws_
    net::driver driver_;               // after machine_ and ws_: it runs them (through this adapter)
    std::atomic<std::size_t> posted_bytes_{0};  // deliveries posted, not yet handled
    std::shared_ptr<connection> self_;          // from start() until the driver's end handler
};

}  // namespace wv::gate
