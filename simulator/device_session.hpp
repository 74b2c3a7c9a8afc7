#pragma once
// One connection of a simulated device as a protocol machine (net/protocol_machine.hpp) on the
// shared client machine (client/client_machine.hpp): the client machine speaks MQTT (CONNECT,
// CONNACK, packet ids, PUBACK matching, keep-alive PINGREQ and its deadline); this adds what a
// Wavelet does with it:
//   connect   CONNECT with the device's identity and a will (ReportEnd TERMINATED); the answer
//             becomes an outcome (connect_outcome(), classify.hpp's buckets)
//   reports   on the timetable's schedule, QoS 0 or 1 with at most 8 unacknowledged (a full
//             window delays the next report; its latency counts from its due time). At MQTT 5
//             the first report of a connection sets Topic Alias 1 for the report topic and
//             later ones send only the alias (when --topic-alias is on and the server allows
//             one), and carry the --user-property pairs (CONNECT carries them too); a PUBACK
//             with a failure reason code counts the report as refused (outcome::puback_refused),
//             not acked
//   the end   a clean stop or a churn waits for the acks in flight (bounded), then
//             ReportEnd(CLOSED) + DISCONNECT; --kill resets the connection (the broker must
//             publish the will); an ack or PINGRESP that does not come within --ack-timeout,
//             the server closing, or a protocol error end it with that outcome
//             (device::record_end). The driver runs it; session.hpp accounts for the end.
// Counters go to the worker's fleet_stats as they happen.
//
// Threading: the device's worker thread.
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include "client/client_machine.hpp"
#include "net/protocol_machine.hpp"
#include "websocket/client_layer.hpp"
#include "outcome.hpp"

namespace wv::sim {

using clock = std::chrono::steady_clock;

struct worker;
struct device;

class device_session final : public net::protocol_machine, private client::session_events {
public:
    device_session(worker& w, device& d) noexcept : w_(w), d_(d) {}

    // Sends CONNECT (the answer comes as connect_outcome()).
    void begin(clock::time_point now, net::effects& fx);
    // After CONNACK 0, once the engine has counted the connect: reports from now on.
    void start(clock::time_point now, net::effects& fx);
    // The device was asked to stop (device::stop_requested): starts the clean stop now.
    void poke(clock::time_point now, net::effects& fx) { step(now, fx); }

    // What CONNECT got, once it is known (CONNACK, or the failure before one).
    const std::optional<outcome_detail>& connect_outcome() const noexcept { return connect_outcome_; }
    // Called once connect_outcome() is set (the engine wakes the connecting coroutine).
    std::function<void()> on_connect_outcome;
    // Reports sent and not acknowledged (lost if the session ends now).
    std::uint8_t unacked() const noexcept { return ring_size_; }
    // --transport wss: the WebSocket layer under this device (its refused upgrade's status).
    const websocket::client_layer* transport = nullptr;
    // The detail of a session that ended in outcome::server_disconnect (reason_detail: the
    // DISCONNECT's reason code and reason string); empty otherwise.
    std::string end_detail() const;

    // protocol_machine
    void on_bytes(std::span<const std::byte> in, clock::time_point now, net::effects& fx) override;
    void on_deadline(clock::time_point now, net::effects& fx) override;
    void on_transport_closed(std::error_code why, clock::time_point now) override;
    std::optional<clock::time_point> next_deadline() const override;
    bool wants_input() const override { return client_.wants_input(); }
    bool wants_quick_ack() const override { return client_.wants_quick_ack(); }

private:
    // A QoS 1 report waiting for its PUBACK.
    struct inflight {
        std::uint16_t packet_id = 0;
        clock::time_point due, sent;
    };

    // Does whatever is due now (report, stop, kill, churn, ack timeout) and sets next_.
    void step(clock::time_point now, net::effects& fx);
    void begin_stop(outcome why, clock::time_point now);
    void send_goodbye(clock::time_point now, net::effects& fx);
    // After an input the client machine handled: its closes become outcomes; acks step.
    void after_client(clock::time_point now, net::effects& fx);

    // client::session_events
    void on_connack(std::error_code result, bool session_present) override;
    void on_message(const mqtt::publish&) override {}  // a device subscribes to nothing
    void on_acknowledged(std::uint16_t packet_id, std::error_code result) override;

    worker& w_;
    device& d_;
    client::client_machine client_{*this};
    std::array<inflight, 8> ring_{};
    std::uint8_t ring_head_ = 0, ring_size_ = 0;
    clock::time_point now_{};               // of the input being handled (for events)
    clock::time_point connect_sent_{}, last_write_{}, stop_deadline_{};
    clock::time_point next_ = clock::time_point::max();  // the device's own next deadline
    std::optional<clock::time_point> kill_at_, churn_at_;
    std::optional<outcome_detail> connect_outcome_;
    bool in_session_ = false;
    bool stopping_ = false;                 // waits for the acks in flight, then the goodbye
    bool step_after_input_ = false;         // an ack opened the window or drained the acks
    bool alias_on_ = false;                 // MQTT 5: reports use Topic Alias 1 on this connection
    bool alias_set_ = false;                // ... and a report has set it
    std::uint8_t disconnect_reason_ = 0;    // MQTT 5: the server's DISCONNECT reason code (0: none)
};

// The ways a peer ends a stream (EOF, close_notify, reset, ...), as opposed to protocol errors.
bool is_closed(std::error_code ec);

}  // namespace wv::sim
