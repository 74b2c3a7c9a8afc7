#pragma once
// The client side of an MQTT 3.1.1 or 5 session (session_options::protocol) as a Sans-I/O machine (net/protocol_machine.hpp):
// bytes and time in; bytes to send, the next deadline and a close out; and events for its owner
// (CONNACK's answer, received messages, acknowledgements by packet id, a trace of packets).
// It never does I/O and never reads a clock: tests run it on virtual time with a scripted
// server (tests/unit/client/client_machine_test.cpp); client::connection runs it on a
// net::driver; wvsim's device session is a machine that contains one.
//
//   begin(options)        CONNECT; CONNACK due within options.connack_timeout
//   CONNACK 0             events.on_connack({}, session_present); frames behind it are held
//                         (wants_input() false) until release(), so the owner can install
//                         its handlers first
//   publish/subscribe/    encoded into fx.send at once; acknowledged later through
//   unsubscribe           events.on_acknowledged(id, result) (QoS 1: PUBACK, QoS 2: PUBCOMP)
//   keep-alive            PINGREQ after keep_alive without a packet sent; no PINGRESP within
//                         pingresp_timeout closes with client_errc::pingresp_timeout
//   incoming PUBLISH      events.on_message(p), then PUBACK (QoS 1) or PUBREC ... PUBCOMP (QoS 2,
//                         delivered once, on PUBLISH)
//   disconnect()          DISCONNECT, then close_notify and close: why = client_errc::disconnected
// Any protocol violation by the server closes at once with its error (mqtt_errc from the codec,
// client_errc::unexpected_packet). A field the wire cannot carry (a topic over 65,535 bytes) is
// the operation's error (mqtt_errc::string_too_long); nothing here throws.
//
// Threading: none of its own; its owner calls it from one thread.
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "client/client_errc.hpp"
#include "client/session_options.hpp"
#include "mqtt/packet_type.hpp"
#include "mqtt/packets/publish.hpp"
#include "mqtt/packets/subscribe.hpp"
#include "mqtt/properties.hpp"
#include "mqtt/reason_code.hpp"
#include "mqtt/result.hpp"
#include "mqtt/stream_decoder.hpp"
#include "net/protocol_machine.hpp"

namespace wv::client {

using net::clock;

// One packet as it is queued for writing (sent) or handled after reading (received), for
// protocol traces such as mosquitto_pub's -d lines. packet_id is 0 where the packet has none.
struct packet_note {
    bool sent;
    mqtt::packet_type type;
    std::uint16_t packet_id;
};

// What the machine tells its owner, synchronously, from inside an input. Handlers must not
// block; they may call the machine's operations (publish from on_message).
class session_events {
public:
    // The answer to CONNECT: empty (accepted), a client_errc refusal, connack_timeout, the
    // codec's error or the transport's. Called once per begin().
    virtual void on_connack(std::error_code result, bool session_present) = 0;
    // A PUBLISH from the server; topic and payload view a buffer reused after the call.
    virtual void on_message(const mqtt::publish& p) = 0;
    // The operation with this packet id is complete (PUBACK, PUBCOMP, SUBACK, UNSUBACK):
    // empty, or client_errc::subscription_refused for a SUBACK with 0x80 in it.
    virtual void on_acknowledged(std::uint16_t packet_id, std::error_code result) = 0;
    // Every packet, in wire order. Default: nothing.
    virtual void on_packet(const packet_note&) {}

protected:
    ~session_events() = default;
};

class client_machine final : public net::protocol_machine {
public:
    explicit client_machine(session_events& events) noexcept : events_(events) {}

    // Sends CONNECT for `o` (whose strings need only live during the call). A CONNECT the
    // wire cannot carry is answered at once: on_connack(its error) and a close.
    void begin(const session_options& o, clock::time_point now, net::effects& fx);
    // Handles the frames that arrived behind the CONNACK and lets reading go on.
    void release(clock::time_point now, net::effects& fx);

    // Queues the packet; returns its packet id (0 for QoS 0: complete once queued) or the
    // error: not_connected, too_many_in_flight (also: the server's Receive Maximum reached),
    // queue_full (over max_queued_bytes, counting fx.backlog; one packet always fits an empty
    // queue), packet_too_large (MQTT 5: the whole PUBLISH is larger than the Maximum Packet
    // Size of the server's CONNACK; nothing is sent), topic_alias_above_maximum, or the codec's. At 5 p.properties may carry a Topic
    // Alias (with an empty topic once the alias is set on this connection: the caller's map).
    // p.packet_id and p.dup are ignored.
    mqtt::result<std::uint16_t> publish(const mqtt::publish& p, clock::time_point now, net::effects& fx);
    mqtt::result<std::uint16_t> subscribe(std::span<const mqtt::subscription> subs, clock::time_point now, net::effects& fx);
    mqtt::result<std::uint16_t> unsubscribe(std::span<const std::string_view> filters, clock::time_point now, net::effects& fx);
    // DISCONNECT, then close_notify and close (why: client_errc::disconnected).
    void disconnect(clock::time_point now, net::effects& fx);

    bool is_connected() const noexcept { return state_ == state::connected || state_ == state::holding; }
    bool session_present() const noexcept { return session_present_; }
    std::size_t in_flight() const noexcept { return in_flight_.size(); }
    std::chrono::seconds keep_alive() const noexcept { return keep_alive_; }
    mqtt::protocol_level protocol() const noexcept { return level_; }
    // MQTT 5, from the CONNACK: the largest Topic Alias the server accepts (0: none; always 0 at
    // 3.1.1) and how many QoS 1 and 2 publishes it takes unacknowledged (65,535 when it said
    // nothing). publish() refuses an alias above the first (mqtt_errc::topic_alias_above_maximum)
    // and a publish past the second (client_errc::too_many_in_flight), so the server never has to
    // disconnect for them (5.0 3.3.2.3.4, 4.9).
    std::uint16_t server_topic_alias_maximum() const noexcept { return server_alias_max_; }
    std::uint16_t server_receive_maximum() const noexcept { return server_receive_max_; }
    // MQTT 5, from the CONNACK: the largest packet the server accepts (0: it set no limit).
    // publish() refuses a larger PUBLISH (client_errc::packet_too_large, 5.0 3.2.2.3.6).
    std::uint32_t server_maximum_packet_size() const noexcept { return server_max_packet_; }
    // MQTT 5: the Reason String of the last failure the server reported (CONNACK, an
    // acknowledgement, DISCONNECT), empty when it sent none.
    const std::string& reason_string() const noexcept { return reason_string_; }
    // Calls events.on_packet for every packet (off by default: then a packet costs one test).
    void trace_packets(bool on) noexcept { trace_ = on; }

    // protocol_machine
    void on_bytes(std::span<const std::byte> in, clock::time_point now, net::effects& fx) override;
    void on_deadline(clock::time_point now, net::effects& fx) override;
    void on_transport_closed(std::error_code why, clock::time_point now) override;
    std::optional<clock::time_point> next_deadline() const override;
    bool wants_input() const override { return state_ != state::holding && state_ != state::closed; }
    bool wants_quick_ack() const override { return state_ == state::connecting; }

private:
    enum class state : std::uint8_t { idle, connecting, holding, connected, closed };
    enum class waiting_for : std::uint8_t { puback, pubrec, pubcomp, suback, unsuback };
    struct pending {
        std::uint16_t id;
        waiting_for what;
    };

    // Frames of `d`; stops at the CONNACK (the rest is held) or at an error (closes).
    void take_frames(mqtt::stream_decoder& d, clock::time_point now, net::effects& fx);
    std::error_code handle_connack(const mqtt::frame& f, net::effects& fx);
    std::error_code handle_frame(const mqtt::frame& f, clock::time_point now, net::effects& fx);
    // At 5: the error for a failure reason code (empty for success), keeping its reason string.
    std::error_code refusal(mqtt::reason_code c, const mqtt::properties& props);
    void acknowledge(std::uint16_t id, waiting_for what, std::error_code result);
    void fail(std::error_code why, net::effects& fx);
    mqtt::result<std::uint16_t> allocate_id();
    std::size_t publishes_in_flight() const noexcept;
    void sent(mqtt::packet_type type, std::uint16_t id, clock::time_point now);
    void note(bool sent, mqtt::packet_type type, std::uint16_t id = 0) {
        if (trace_) events_.on_packet({sent, type, id});
    }

    session_events& events_;
    mqtt::protocol_level level_ = mqtt::protocol_level::v3_1_1;
    std::string reason_string_;
    mqtt::stream_decoder decoder_;
    mqtt::byte_buffer held_;                       // whole frames that came behind the CONNACK
    std::vector<pending> in_flight_;
    std::vector<std::uint16_t> awaiting_pubrel_;   // incoming QoS 2 ids, delivered, not yet released
    clock::time_point last_sent_{};
    clock::time_point connack_deadline_{};
    clock::time_point pingresp_deadline_{};
    std::chrono::seconds keep_alive_{0};
    std::chrono::milliseconds pingresp_timeout_{10'000};
    std::size_t max_queued_bytes_ = 256 * 1024;
    std::uint16_t next_id_ = 1;
    std::uint16_t server_alias_max_ = 0;
    std::uint16_t server_receive_max_ = 65535;
    std::uint32_t server_max_packet_ = 0;
    state state_ = state::idle;
    bool session_present_ = false;
    bool ping_outstanding_ = false;
    bool large_frame_seen_ = false;                // shrink the decoder once the big packet is through
    bool trace_ = false;
};

}  // namespace wv::client
