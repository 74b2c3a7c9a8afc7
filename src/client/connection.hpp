#pragma once
// A lean client-side MQTT 3.1.1 or 5 (session_options::protocol) connection over a wv::tls::stream (TLS or plain TCP): the
// client machine (client_machine.hpp: the protocol, Sans-I/O) on the one connection driver
// (net/driver.hpp: reads until would-block, coalesced non-blocking writes, one lazily re-armed
// timer). This file only turns the machine's events into Asio completions.
//
// Built for fleets: a connection keeps no read buffer (one per thread), no write buffer while
// idle, no writer coroutine and no coroutine while running, and no copy of its options' strings.
//
//   wv::client::connection c{std::move(tls_stream)};
//   c.on_message([](const wv::mqtt::publish& p) { ... });         // views valid during the call
//   const wv::client::session_options so{.client_id = "d1", .user_name = u, .password = pw};
//   if (auto ec = co_await c.async_connect(so)) ...;
//   asio::co_spawn(ex, c.run(), [](std::exception_ptr, std::error_code why) { ... });
//   const wv::mqtt::publish p{.topic = "t", .payload = bytes, .qos = qos::at_least_once};
//   auto [ec] = co_await c.async_publish(p, asio::as_tuple(asio::use_awaitable));  // PUBACK received
//   c.disconnect();                      // DISCONNECT, close_notify, close; run() returns disconnected
//   c.abort();                           // RST, no DISCONNECT: the broker publishes the will;
//                                        // run() returns std::errc::connection_aborted
//
// Completions (signature void(std::error_code)) are posted to the connection's executor, never
// run inside the call that started them. QoS 0 completes once queued, QoS 1 on PUBACK, QoS 2 on
// PUBCOMP, subscribe on SUBACK (subscription_refused if any filter got 0x80), unsubscribe on
// UNSUBACK. When the connection ends, every pending completion gets connection_lost.
// Incoming QoS 1 and 2 publishes are acknowledged after on_message returns (QoS 2: delivered
// once, on PUBLISH; PUBREC, then PUBCOMP on PUBREL). Messages that arrive with the CONNACK are
// held until run() starts.
//
// Errors: async_connect returns transport errors, mqtt_errc for a malformed CONNACK, or
// client_errc (timeout, CONNACK refusal codes, unexpected_packet). At MQTT 5 the server's failure
// reason codes are the errors instead (mqtt::reason_category(): `ec == mqtt::reason_code::
// not_authorized` for CONNACK, PUBACK, SUBACK or UNSUBACK 0x87; a server's DISCONNECT 0x8E ends
// run() with session_taken_over), and the machine keeps the Reason String. run() returns why the
// connection ended. Nothing here throws: a local value the wire cannot carry (a topic over
// 65,535 bytes) completes its operation with the codec's error (mqtt_errc::string_too_long).
// Threading: a connection belongs to its stream's executor; call every member from there.
// It is neither copyable nor movable. Destroy it after run() has returned, or after a failed
// async_connect; destroyed while still open, it resets the connection and its driver winds
// down on its own (pending completions then get connection_lost).
#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <memory>

#include "client/client_errc.hpp"
#include "client/client_machine.hpp"
#include "client/session_options.hpp"
#include "mqtt/packets/publish.hpp"
#include "mqtt/packets/subscribe.hpp"
#include "tls/stream.hpp"

namespace wv::client {

namespace asio = boost::asio;

class connection {
public:
    using completion = asio::any_completion_handler<void(std::error_code)>;
    using message_handler = std::function<void(const mqtt::publish&)>;

    explicit connection(tls::stream s);
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    // Called for every PUBLISH from the server; topic and payload view a read buffer that is
    // reused after the call returns. Must not block.
    void on_message(message_handler h);

    // One packet as it is queued for writing (sent) or handled after reading (received), for
    // protocol traces such as mosquitto_pub's -d lines. packet_id is 0 where the packet has none.
    using packet_note = client::packet_note;
    // Called synchronously, in wire order; must not block or call into the connection. Unset
    // by default (then a packet costs one test).
    void on_packet(std::function<void(const packet_note&)> h);

    // Sends CONNECT, waits for CONNACK (bounded by o.connack_timeout; TCP_QUICKACK before every
    // wait for it). On failure the connection is closed when this returns.
    // GCC 12: name the options first; a braced temporary inside a co_await expression is
    // destroyed twice by that compiler (seen as a crash in free()).
    asio::awaitable<std::error_code> async_connect(const session_options& o);
    bool session_present() const;

    // Reads, writes and keeps alive until the connection ends; returns why (client_errc::disconnected
    // after disconnect()). Call once, after a successful async_connect.
    asio::awaitable<std::error_code> run();

    // p.packet_id is ignored (allocated here); p.dup must be false.
    template <class Token>
    auto async_publish(const mqtt::publish& p, Token&& token) {
        return asio::async_initiate<Token, void(std::error_code)>(
            [this](auto handler, const mqtt::publish& msg) { start_publish(msg, completion(std::move(handler))); }, token, p);
    }
    template <class Token>
    auto async_subscribe(std::span<const mqtt::subscription> subs, Token&& token) {
        return asio::async_initiate<Token, void(std::error_code)>(
            [this](auto handler, std::span<const mqtt::subscription> s) { start_subscribe(s, completion(std::move(handler))); }, token,
            subs);
    }
    template <class Token>
    auto async_unsubscribe(std::span<const std::string_view> filters, Token&& token) {
        return asio::async_initiate<Token, void(std::error_code)>(
            [this](auto handler, std::span<const std::string_view> f) { start_unsubscribe(f, completion(std::move(handler))); }, token,
            filters);
    }

    // Queues DISCONNECT; once it is written, sends close_notify and closes. run() then returns
    // client_errc::disconnected. Pending QoS 1/2 completions get connection_lost.
    void disconnect();
    // Closes at once with RST (SO_LINGER 0) and no DISCONNECT: a "network failure" to the broker.
    void abort() noexcept;

    bool is_connected() const;
    std::size_t in_flight() const;     // operations waiting for their acknowledgement
    // MQTT 5: the Reason String of the server's last reported failure (empty if none).
    const std::string& reason_string() const;
    std::size_t queued_bytes() const;  // bytes the socket has not taken yet
    tls::stream& stream();

private:
    struct core;  // machine, driver and pending completions; outlives a connection destroyed while open

    void start_publish(const mqtt::publish& p, completion done);
    void start_subscribe(std::span<const mqtt::subscription> subs, completion done);
    void start_unsubscribe(std::span<const std::string_view> filters, completion done);

    std::unique_ptr<core> core_;
};

}  // namespace wv::client
