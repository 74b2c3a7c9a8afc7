#pragma once
// One device connection as a Sans-I/O state machine (style.md 1, after async_mqtt's
// rv_connection): bytes, timer ticks, authorizer results and broker deliveries go in;
// actions (bytes to send, an authorizer call to make, close) come out. It owns every AWS rule
// that concerns one connection: CONNECT deadline, custom auth and policies, keep-alive
// clamping and the 1.5x timeout, size limits, QoS 2 refusal, publish quota, lifecycle events,
// the Will. It talks to the broker (in-memory, thread-safe) directly.
//
// Clock: every input carries `now`; the machine never reads a clock, so tests run on virtual
// time. next_deadline() says when on_tick() must be called next.
//
// Threading: one machine belongs to one connection and is used from that connection's
// executor only. Broker deliveries reach it through its `subscriber`, which posts.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "auth/authorizer_service.hpp"
#include "auth/custom_authorizers.hpp"
#include "gateway/broker.hpp"
#include "gateway/certificate_directory.hpp"
#include "gateway/certificate_sessions.hpp"
#include "gateway/x509_identity.hpp"
#include "gateway/decision_cache.hpp"
#include "gateway/connect_throttle.hpp"
#include "gateway/disconnect_reason.hpp"
#include "gateway/event_log.hpp"
#include "gateway/lazy_deque.hpp"
#include "gateway/gateway_config.hpp"
#include "gateway/gateway_stats.hpp"
#include "mqtt/byte_buffer.hpp"
#include "policy/policy.hpp"
#include "policy/policy_set_cache.hpp"

namespace wv::mqtt {
struct connect;
struct publish;
struct subscribe;
struct unsubscribe;
}  // namespace wv::mqtt

namespace wv::provisioning {
class provisioning_service;
}

namespace wv::gate {

using clock = std::chrono::steady_clock;

// What the transport knows about the peer when the connection starts.
struct peer_info {
    std::string listener = "aws-443";
    std::string ip = "127.0.0.1";
    std::uint16_t port = 0;
    std::optional<std::string> server_name;  // SNI
    std::string alpn;                         // negotiated; empty for none / plain TCP
    bool x509 = false;                        // X.509 authentication (port 8883 / ALPN x-amzn-mqtt-ca)
    std::shared_ptr<const x509_peer> certificate;  // what the client presented (X.509 only)
};

// Shared, immutable-while-running things every machine uses.
struct machine_env {
    const gateway_config* config = nullptr;
    const auth::custom_authorizers* authorizers = nullptr;
    broker* brk = nullptr;
    // Parsed authorizer policies shared by every connection that got the same documents.
    // Null: each connection parses its own (tests).
    policy::policy_set_cache* policy_cache = nullptr;
    counters* stats = nullptr;
    event_log* log = nullptr;
    // X.509 identity: registered certificates, their status, policies and things. Null: every
    // X.509 CONNECT is refused (no directory configured).
    const certificate_directory* certificates = nullptr;
    // Live X.509 connections by certificate, for disconnects on status changes. Null: none kept.
    certificate_sessions* cert_sessions = nullptr;
    // Called for every PUBLISH the gateway accepted (after the broker has it), with the
    // connection's principal: the rules engine's entry. Must not block. Null: no rules.
    const std::function<void(const message&, const std::string& principal)>* on_accepted_publish = nullptr;
    // AWS's 1 CONNECT/s per client id, shared by every connection. Null: no throttling.
    connect_throttle* throttle = nullptr;
    // Fleet provisioning's MQTT API (provisioning_step.hpp). Null: its topics route as any other.
    provisioning::provisioning_service* provisioning = nullptr;
};

// Actions for the driver, in order.
struct send_bytes {
    mqtt::byte_buffer bytes;
};
struct call_authorizer {
    std::string authorizer;  // name, as configured
    std::string event_json;
};
struct close_connection {
    disconnect_reason reason;
    std::string detail;
};
using action = std::variant<send_bytes, call_authorizer, close_connection>;

class connection_machine {
public:
    enum class state { awaiting_connect, authenticating, connected, closed };

    // `self` is what the broker delivers to for this connection (the driver's subscriber).
    connection_machine(machine_env env, peer_info peer, std::string connection_id, clock::time_point now);
    ~connection_machine();
    connection_machine(const connection_machine&) = delete;
    connection_machine& operator=(const connection_machine&) = delete;

    // Weak: the driver owns the machine, and the broker holds the driver while attached.
    void set_self(std::weak_ptr<subscriber> self) { self_ = std::move(self); }

    // Inputs. Each may append actions; drain them with take_actions() after every call.
    void on_bytes(std::span<const std::byte> in, clock::time_point now);
    void on_tick(clock::time_point now);
    void on_authorizer_result(const auth::authorization_result& r, clock::time_point now);
    void on_deliver(const message_ptr& m, std::uint8_t qos, bool retained, clock::time_point now);
    void on_kick(disconnect_reason why, clock::time_point now);
    // The transport ended (EOF, reset, write error) without the machine asking.
    void on_transport_closed(clock::time_point now, std::string detail = {});
    // Gateway shutdown: a server-initiated disconnect (SERVER_INITIATED_DISCONNECT, Will
    // published, as AWS does on any disconnect the client did not ask for). Same as
    // on_kick(disconnect_reason::server_initiated_disconnect).
    void on_shutdown(clock::time_point now);

    std::vector<action> take_actions();
    bool has_actions() const noexcept { return !actions_.empty(); }
    std::optional<clock::time_point> next_deadline() const;

    state current_state() const noexcept { return state_; }
    const std::string& client_id() const noexcept { return client_id_; }
    const std::string& connection_id() const noexcept { return connection_id_; }
    std::chrono::seconds keep_alive() const noexcept { return keep_alive_; }
    std::size_t inflight() const noexcept { return inflight_.size(); }

private:
    struct will_message {
        std::string topic;
        std::string payload;
        std::uint8_t qos = 0;
        bool retain = false;
    };

    // Steps (one file each: connect_step.cpp, publish_step.cpp, subscribe_step.cpp).
    void handle_frame_bytes(clock::time_point now);
    void handle_connect(const mqtt::connect& c, clock::time_point now);
    void start_custom_auth(clock::time_point now);
    void start_x509_auth(clock::time_point now);  // x509_step.cpp: the certificate directory decides
    auth::prepared_invocation prepare_invocation() const;  // the authorizer event, from CONNECT's fields
    void finish_connect(clock::time_point now);
    void refuse_input_before_connack(std::size_t limit, clock::time_point now);
    void start_refresh(clock::time_point now);  // refreshAfterInSeconds elapsed: call the authorizer again
    void handle_publish(const mqtt::publish& p, clock::time_point now);
    void handle_subscribe(const mqtt::subscribe& s, clock::time_point now);
    void handle_unsubscribe(const mqtt::unsubscribe& u, clock::time_point now);
    void handle_puback(std::uint16_t packet_id);
    bool send_publish(const message_ptr& m, std::uint8_t qos, bool retained);
    void transmit_publish(const message_ptr& m, std::uint8_t qos, bool retained);  // window checked
    bool wait_for_window(const message_ptr& m, bool retained);
    void drop_deliveries();  // in flight and waiting: the connection is closing
    // In-flight QoS 1 (oldest first), those waiting for the window, then stored messages not
    // yet replayed: what a persistent session keeps when the connection ends.
    std::vector<message_ptr> unacked() const;
    void send_replay(clock::time_point now);

    // Policy checks (evaluate the connection's policies; log and count denials).
    bool allowed(const std::string& action, const std::string& resource);
    void close(disconnect_reason why, std::string detail, clock::time_point now, bool publish_will = true);
    void publish_the_will(disconnect_reason why);
    void fail_connect(std::string status_reason, std::string detail, bool auth_failure);
    void publish_lifecycle(bool connected, disconnect_reason why);
    void publish_subscription_event(bool subscribed, std::vector<std::string> filters);
    void log_event(log_level l, const char* event_type, bool success, std::string reason, std::string details,
                   const std::string* topic = nullptr);
    void send(mqtt::byte_buffer b);
    std::chrono::nanoseconds scaled(std::int64_t seconds) const;
    bool take_publish_token(clock::time_point now);

    machine_env env_;
    peer_info peer_;
    std::string connection_id_;
    state state_ = state::awaiting_connect;
    std::weak_ptr<subscriber> self_;
    std::vector<action> actions_;
    std::vector<std::byte> in_;                  // unparsed input (bounded by the packet limit)

    // From CONNECT.
    std::string client_id_;
    bool clean_session_ = true;
    std::chrono::seconds keep_alive_{0};
    std::optional<std::string> username_;
    std::optional<std::string> password_;
    std::optional<will_message> will_;

    // From the authorizer.
    std::string authorizer_name_;
    std::string principal_id_;
    policy::shared_policy_set policies_;        // immutable, shared (see machine_env::policy_cache)
    // iot:Publish, iot:RetainPublish and iot:Receive per topic; cleared when the policies change.
    decision_cache decisions_;
    bool refreshing_ = false;
    // X.509: thing and certificate facts for policy variables; the certificate_sessions entry.
    std::shared_ptr<const policy::principal_facts> principal_facts_;
    std::uint64_t cert_session_ = 0;

    // Timers.
    clock::time_point connect_deadline_;
    std::optional<clock::time_point> keep_alive_deadline_;
    std::optional<clock::time_point> disconnect_deadline_;
    std::optional<clock::time_point> refresh_deadline_;

    // Flow.
    std::uint16_t next_packet_id_ = 1;
    std::unordered_map<std::uint16_t, message_ptr> inflight_;
    // QoS 1 deliveries past the in-flight window wait here, oldest first, as AWS holds them
    // until the client acks; bounded by limits.max_outbox_bytes (beyond: dropped, counted).
    lazy_deque<std::pair<message_ptr, bool>> waiting_qos1_;  // message, retained
    std::size_t waiting_bytes_ = 0;
    std::vector<message_ptr> replay_;            // a resumed session's stored QoS 1, paced
    std::size_t replay_next_ = 0;
    std::optional<clock::time_point> replay_at_;
    std::size_t subscriptions_ = 0;
    double tokens_ = 0;                          // publish quota token bucket
    clock::time_point tokens_at_{};
};

}  // namespace wv::gate
