#pragma once
// The MQTT 3.1.1 and 5 mechanics of one server-side connection, with nothing of AWS in it:
//   input     buffering and framing (whole packets out of a byte stream, bounded)
//   keep-alive the 1.5 x keep-alive deadline, moved by every packet received
//   output    outbound PUBLISH with packet ids (increasing, wrapping, skipping 0 and ids
//             still in flight), the QoS 1 in-flight window and the bounded queue behind it,
//             PUBACK releasing the window oldest first
//   replay    a resumed session's stored QoS 1 messages, paced (one now, then 1/rate)
//   persistence what a persistent session keeps when the connection ends (unacked())
// What to do with a packet (AWS's rules: auth, policies, quotas, lifecycle) is the
// connection_machine's; it owns one mqtt_session and feeds it.
//
// Sans-I/O: bytes and time in; encoded packets out, appended as send_bytes to the effects the
// machine hands out. The limits are read live from the gateway config it is given.
//
// Threading: like its machine, used from one connection's executor only.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <variant>
#include <vector>

#include "gateway/connection_effects.hpp"
#include "gateway/gateway_config.hpp"
#include "gateway/gateway_stats.hpp"
#include "gateway/lazy_deque.hpp"
#include "gateway/lazy_map.hpp"
#include "gateway/outbound_topic_aliases.hpp"
#include "mqtt/frame.hpp"
#include "mqtt/packet_type.hpp"

namespace wv::gate {

class mqtt_session {
public:
    using time_point = std::chrono::steady_clock::time_point;

    // `limits`, `stats` and `out` must outlive the session (the machine owns all three).
    mqtt_session(const limits_config& limits, counters& stats, effects& out);

    // --- input ---
    // Appends received bytes (counted in bytes_in). With nothing buffered the session only
    // views `in`, which must stay valid until compact_input() (called before `in` goes away).
    void append_input(std::span<const std::byte> in);
    // The next whole packet of the input (its body views the input until compact_input()),
    // need_more, or a framing error (malformed remaining length, over max_packet_bytes()).
    std::variant<mqtt::need_more, mqtt::frame, std::error_code> next_frame();
    // Drops the frames read so far and copies what is left of a viewed input; holds no
    // buffer once nothing is left.
    void compact_input();
    // Input bytes not yet read as frames (after compact_input(): all that is buffered).
    std::size_t buffered_input() const noexcept { return input().size() - read_at_; }
    void clear_input();
    // The largest packet accepted: a maximum-size PUBLISH (payload, topic, header).
    std::size_t max_packet_bytes() const noexcept;

    // --- keep-alive ---
    // The keep-alive the connection runs with (AWS clamps the client's: the machine's job).
    void set_keep_alive(std::chrono::seconds keep_alive) noexcept { keep_alive_ = keep_alive; }
    // A packet arrived (or the session started): the deadline moves to now + 1.5 x keep-alive
    // (keep-alive 0: no deadline).
    void packet_received(time_point now);
    bool keep_alive_expired(time_point now) const noexcept;
    std::chrono::seconds keep_alive() const noexcept { return keep_alive_; }

    // --- MQTT 5 (set once the CONNECT is read; a 3.1.1 session keeps the defaults) ---
    // The level outbound PUBLISHes are written at (5: with the message's properties).
    void set_version(mqtt::protocol_level v) noexcept { version_ = v; }
    mqtt::protocol_level version() const noexcept { return version_; }
    // The client's Receive Maximum: the QoS 1 window is the smaller of it and
    // limits.max_inflight_qos1.
    void set_receive_maximum(std::size_t n) noexcept { receive_maximum_ = static_cast<std::uint16_t>(std::min<std::size_t>(n, 65535)); }
    // The client's Maximum Packet Size: a PUBLISH larger than it is not sent (5.0 3.1.2.11.4:
    // discarded as if delivered). 0: no limit.
    void set_peer_max_packet(std::size_t n) noexcept {
        peer_max_packet_ = static_cast<std::uint32_t>(std::min<std::size_t>(n, UINT32_MAX));
    }
    std::size_t peer_max_packet() const noexcept { return peer_max_packet_; }
    // The client's Topic Alias Maximum: outbound PUBLISHes set aliases up to it
    // (outbound_topic_aliases.hpp). 0 (the default): no aliases.
    void set_peer_topic_alias_maximum(std::uint16_t n) { aliases_.reset(n); }
    // The time outbound messages are stamped with (the Message Expiry left; expired ones are
    // not sent). The machine sets it with every input.
    void set_clock(time_point now) noexcept { now_ = now; }

    // --- output ---
    // Any packet (CONNACK, PUBACK, SUBACK, ...): counted in bytes_out, appended as send_bytes.
    void send(mqtt::byte_buffer packet);
    // An application message to the client. QoS 1 takes a packet id and a place in the
    // in-flight window (limits.max_inflight_qos1); past it, or behind messages already
    // waiting, it waits in order, up to limits.max_outbox_bytes. False: over that bound,
    // dropped (counted in messages_dropped).
    bool publish(const message_ptr& m, std::uint8_t qos, bool retained);
    // The client's PUBACK: frees the id and moves waiting messages into the window.
    void acknowledge(std::uint16_t packet_id);
    std::size_t inflight() const noexcept { return inflight_.size(); }

    // --- replay of a resumed session ---
    // Stored QoS 1 messages to send, oldest first, at limits.session_replay_per_s.
    void start_replay(std::vector<message_ptr> stored, time_point now);
    // The stored messages due now (the first at once, then one per 1/rate; all with rate 0).
    // The caller decides whether each may be delivered (iot:Receive) and publish()es it.
    std::vector<message_ptr> take_due_replay(time_point now);

    // --- end ---
    // QoS 1 deliveries not acknowledged: in flight (oldest first), waiting for the window,
    // then stored messages not replayed yet. What a persistent session keeps.
    bool has_undelivered() const noexcept;
    std::vector<message_ptr> unacked() const;
    // The connection is over: forget every delivery, the replay and the input.
    void clear();

    // The earliest of the keep-alive deadline and the next replay; nullopt: none.
    std::optional<time_point> next_deadline() const;

private:
    void transmit(const message_ptr& m, std::uint8_t qos, bool retained);
    std::size_t window() const noexcept;
    bool wait_for_window(const message_ptr& m, bool retained);

    const limits_config& limits_;
    counters& stats_;
    effects& out_;

    std::span<const std::byte> input() const noexcept;  // borrowed_ when set, else in_

    std::vector<std::byte> in_;  // received, not yet consumed (bounded by the packet limit)
    std::span<const std::byte> borrowed_;  // or the caller's bytes, until compact_input()
    std::size_t read_at_ = 0;    // frames before this offset have been handed out

    std::chrono::seconds keep_alive_{0};
    std::optional<time_point> keep_alive_deadline_;

    lazy_map<std::uint16_t, message_ptr> inflight_;  // QoS 1 deliveries not acknowledged, by packet id
    // QoS 1 deliveries past the in-flight window, oldest first, as AWS holds them until the
    // client acks; bounded by limits.max_outbox_bytes (beyond: dropped, counted).
    lazy_deque<std::pair<message_ptr, bool>> waiting_qos1_;  // message, retained
    std::size_t waiting_bytes_ = 0;

    // Small fields together (every connection has a session: padding costs per connection).
    std::uint16_t next_packet_id_ = 1;
    mqtt::protocol_level version_ = mqtt::protocol_level::v3_1_1;
    std::uint16_t receive_maximum_ = 65535;  // MQTT 5 Receive Maximum: at most 65,535
    std::uint32_t peer_max_packet_ = 0;      // MQTT 5 Maximum Packet Size: at most 268,435,455
    outbound_topic_aliases aliases_;
    time_point now_{};

    // A resumed session's stored messages still to send; only while a replay runs (most
    // sessions never resume with messages, so they do not carry its fields).
    struct replay_state {
        std::vector<message_ptr> stored;
        std::size_t next = 0;
        time_point at{};
    };
    std::unique_ptr<replay_state> replay_;
};

}  // namespace wv::gate
