#pragma once
// A lean client-side MQTT 3.1.1 connection over a wv::tls::stream (TLS or plain TCP).
//
// Built for fleets: the simulator holds 15,000 of these in one process, so a connection keeps
// no read buffer (reads go to one buffer per thread and are decoded before the next await), no
// write buffer while idle, no writer coroutine (packets are written at once, non-blocking; only
// a full socket buffer parks the rest until the socket is writable), one lazily re-armed timer
// (keep-alive and PINGRESP deadline), and no copy of its options' strings. run() is a single
// coroutine: the read loop.
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
// once, on PUBLISH; PUBREC, then PUBCOMP on PUBREL).
//
// Errors: async_connect returns transport errors, mqtt_errc for a malformed CONNACK, or
// client_errc (timeout, CONNACK refusal codes, unexpected_packet). run() returns why the
// connection ended. Nothing here throws: a local value the wire cannot carry (a topic over
// 65,535 bytes) completes its operation with the codec's error (mqtt_errc::string_too_long).
// Threading: a connection belongs to its stream's executor; call every member from there.
// It must not move while run() or async_connect is in progress (it is neither copyable nor
// movable); destroy it only after run() has returned.
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <span>
#include <string_view>
#include <system_error>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "client/client_errc.hpp"
#include "client/session_options.hpp"
#include "mqtt/byte_buffer.hpp"
#include "mqtt/packets/publish.hpp"
#include "mqtt/packets/subscribe.hpp"
#include "mqtt/stream_decoder.hpp"
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
    void on_message(message_handler h) { on_message_ = std::move(h); }

    // One packet as it is queued for writing (sent) or handled after reading (received), for
    // protocol traces such as mosquitto_pub's -d lines. packet_id is 0 where the packet has none.
    struct packet_note {
        bool sent;
        mqtt::packet_type type;
        std::uint16_t packet_id;
    };
    // Called synchronously, in wire order; must not block or call into the connection. Unset
    // by default (then a packet costs one test).
    void on_packet(std::function<void(const packet_note&)> h) { on_packet_ = std::move(h); }

    // Sends CONNECT, sets TCP_QUICKACK, waits for CONNACK (bounded by o.connack_timeout).
    // GCC 12: name the options first; a braced temporary inside a co_await expression is
    // destroyed twice by that compiler (seen as a crash in free()).
    asio::awaitable<std::error_code> async_connect(const session_options& o);
    bool session_present() const { return session_present_; }

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

    bool is_connected() const { return connected_ && !closing_; }
    std::size_t in_flight() const { return in_flight_.size(); }
    std::size_t queued_bytes() const { return pending_.size(); }
    tls::stream& stream() { return stream_; }

private:
    enum class waiting_for : std::uint8_t { puback, pubrec, pubcomp, suback, unsuback };
    struct pending_op {
        std::uint16_t id;
        waiting_for what;
        completion done;
    };

    void start_publish(const mqtt::publish& p, completion done);
    void start_subscribe(std::span<const mqtt::subscription> subs, completion done);
    void start_unsubscribe(std::span<const std::string_view> filters, completion done);

    std::error_code decode(std::span<const std::byte> chunk);  // feeds, handles every whole frame
    std::error_code handle_frame(const mqtt::frame& f);
    std::error_code complete_ack(std::uint16_t id, waiting_for what, std::error_code result);

    // Writes what is queued now, without suspending; on a full socket buffer, parks until the
    // socket is writable. After a DISCONNECT is out, sends close_notify and closes.
    void flush();
    void arm_timer(std::chrono::steady_clock::time_point at);
    void on_timer(const boost::system::error_code& ec);
    // Ends the connection with `why` (kept if a reason is already set): closes the socket, which
    // ends the read loop in run().
    void fail(std::error_code why);

    void note(bool sent, mqtt::packet_type type, std::uint16_t packet_id = 0) {
        if (on_packet_) on_packet_({sent, type, packet_id});
    }
    std::uint16_t allocate_id();
    void post_completion(completion done, std::error_code ec);
    void fail_all(std::error_code ec);

    tls::stream stream_;
    mqtt::stream_decoder decoder_;
    asio::steady_timer timer_;        // keep-alive and PINGRESP deadlines (CONNACK's during async_connect)
    mqtt::byte_buffer pending_;       // encoded packets not yet handed to the socket
    mqtt::byte_buffer writing_;       // the batch being written (kept while the socket is full)
    std::size_t write_offset_ = 0;    // plain TCP: bytes of writing_ already written
    // A list, not a vector: erasing from a vector move-assigns the elements after it, and
    // Boost 1.81's any_completion_handler move assignment recurses until the stack overflows
    // (it copies `other` into a new handler that wraps it; fixed in 1.82).
    std::list<pending_op> in_flight_;
    std::vector<std::uint16_t> awaiting_pubrel_;  // incoming QoS 2 ids, delivered, not yet released
    message_handler on_message_;
    std::function<void(const packet_note&)> on_packet_;
    std::chrono::steady_clock::time_point last_sent_{};
    std::chrono::steady_clock::time_point pingresp_deadline_{};
    std::chrono::seconds keep_alive_{0};
    std::chrono::milliseconds pingresp_timeout_{10'000};
    std::size_t max_queued_bytes_ = 256 * 1024;
    std::uint16_t next_id_ = 1;
    bool connected_ = false;
    bool session_present_ = false;
    std::error_code failure_;         // why the connection ended, once it has
    bool closing_ = false;            // disconnect() or abort() called
    bool write_blocked_ = false;      // a wait for writability is pending (its handler uses this)
    bool timer_armed_ = false;        // a timer wait is pending (its handler uses this)
    bool ping_outstanding_ = false;
    bool large_frame_seen_ = false;   // shrink the decoder once the big packet is through
};

}  // namespace wv::client
