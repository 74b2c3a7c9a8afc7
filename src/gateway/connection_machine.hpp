#pragma once
// One device connection's AWS IoT rules as a Sans-I/O state machine (style.md 1 and 4b, after
// async_mqtt's rv_connection): bytes, timer ticks and answers go in; effects come out
// (connection_effects.hpp). It owns every AWS rule that concerns one connection: the CONNECT
// deadline, the 1 CONNECT/s throttle question, custom auth and X.509 identity, policies
// (iot:Connect, Publish, RetainPublish, Subscribe, Receive), keep-alive clamping, size limits,
// QoS 2 refusal, the publish quota, lifecycle and subscription events, the Will.
//
// The MQTT mechanics underneath (framing, the 1.5 x keep-alive deadline, packet ids, the QoS 1
// window, PUBACK, paced replay) are its mqtt_session's (mqtt_session.hpp). The machine makes
// no call into the broker, the event log, the rules engine, the throttle or the certificate
// directory: it asks for them with effects, applied by the connection (connection.cpp) and
// effect_applier.cpp, which answer questions through the on_* inputs below.
//
// One file per step:
//   connection_machine.cpp   dispatch by state, timers, closing (Will, lifecycle, detach)
//   connect_step.cpp         CONNECT: validation, throttle, custom auth, iot:Connect, attach
//   x509_step.cpp            CONNECT on X.509 listeners: the certificate's verdict
//   publish_step.cpp         PUBLISH in: topic rules, quota, iot:Publish, route, rules event
//   deliver_step.cpp         PUBLISH out: iot:Receive, then the session's window; replay
//   subscribe_step.cpp       SUBSCRIBE / UNSUBSCRIBE: limits, iot:Subscribe, retained
//   mqtt5_step.cpp           MQTT 5: CONNECT properties, CONNACK's, refusals as reason codes,
//                            DISCONNECT reasons, inbound topic aliases
//
// MQTT version: the CONNECT's. A 3.1.1 device sees what AWS shows 3.1.1 (refusals close
// without CONNACK, a denied PUBLISH or SUBSCRIBE closes the connection); a 5 device what AWS
// shows 5 (CONNACK/PUBACK/SUBACK reason codes with reason strings, DISCONNECT with a reason
// before the gateway closes).
//
// Clock: every input carries `now`; the machine never reads a clock, so tests run on virtual
// time. next_deadline() says when on_tick() must be called next.
//
// Threading: one machine belongs to one connection and is used from that connection's
// executor only. Broker deliveries reach it through the connection (a broker subscriber),
// which posts them to that executor.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "auth/authorizer_service.hpp"
#include "auth/custom_authorizers.hpp"
#include "gateway/broker.hpp"
#include "gateway/certificate_directory.hpp"
#include "gateway/connection_effects.hpp"
#include "gateway/decision_cache.hpp"
#include "gateway/disconnect_reason.hpp"
#include "gateway/gateway_config.hpp"
#include "gateway/gateway_stats.hpp"
#include "gateway/mqtt_session.hpp"
#include "gateway/x509_identity.hpp"
#include "mqtt/packet_type.hpp"
#include "mqtt/reason_code.hpp"
#include "policy/policy.hpp"
#include "policy/policy_set_cache.hpp"

namespace wv::auth {
class http_authenticator;
}
namespace wv::mqtt {
struct connect;
struct disconnect;
struct publish;
struct subscribe;
struct unsubscribe;
}  // namespace wv::mqtt

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
    bool websocket = false;                   // MQTT over WebSocket (aws-443 without ALPN, GET /mqtt)
    // MQTT over WebSocket: the upgrade request (headers as received, query), set by
    // on_websocket_upgrade(). Custom auth at CONNECT reads the authorizer's parameters from it
    // (headers, then query, then the user name) and the event carries it as protocolData.http.
    std::shared_ptr<const auth::http_request_info> http;
    std::shared_ptr<const x509_peer> certificate;  // what the client presented (X.509 only)
};

// Shared, immutable-while-running things every machine reads. Nothing here is changed by a
// machine but the counters (relaxed atomics) and the policy cache (a memo of parsed documents).
struct machine_env {
    const gateway_config* config = nullptr;
    // Authorizer selection, token signatures and AWS's event: pure, thread-safe.
    const auth::custom_authorizers* authorizers = nullptr;
    // Parsed authorizer policies shared by every connection that got the same documents.
    // Null: each connection parses its own (tests).
    policy::policy_set_cache* policy_cache = nullptr;
    counters* stats = nullptr;
    // The event log's level: log_line effects below it are not made (nor their JSON built).
    log_level min_log_level = log_level::info;
    // The gateway has topic rules: hand out a rules_event for every accepted PUBLISH and Will.
    bool has_rules = false;
    // Fleet provisioning's MQTT API is served: a PUBLISH to one of its request topics becomes a
    // provisioning_request (provisioning_step.hpp) instead of a route_message.
    bool provisioning = false;
    // The HTTP front's authentication (443 without ALPN: HTTPS publish, MQTT over WebSocket):
    // custom auth from the request and SigV4 against the iam: keys. Null: no HTTP front.
    const auth::http_authenticator* http_auth = nullptr;
};

class connection_machine {
public:
    // admitting, attaching: a question is out (admit_connect, attach_session) whose answer comes
    // at once from effect_applier; authenticating: the authorizer or the certificate's verdict.
    enum class state : std::uint8_t { awaiting_connect, admitting, authenticating, attaching, connected, closed };

    connection_machine(machine_env env, peer_info peer, std::string connection_id, clock::time_point now);
    ~connection_machine();
    connection_machine(const connection_machine&) = delete;
    connection_machine& operator=(const connection_machine&) = delete;

    // --- inputs; each may add effects: take them with take_effects() after every call ---
    void on_bytes(std::span<const std::byte> in, clock::time_point now);
    void on_tick(clock::time_point now);
    // A broker delivery (the connection's subscriber::deliver, posted to its executor).
    void on_deliver(const message_ptr& m, std::uint8_t qos, bool retained, clock::time_point now);
    // The broker or the certificate table closes this connection (takeover, shutdown, status).
    void on_kick(disconnect_reason why, clock::time_point now);
    // The transport ended (EOF, reset, write error) without the machine asking.
    void on_transport_closed(clock::time_point now, std::string detail = {});
    // Gateway shutdown: a server-initiated disconnect (SERVER_INITIATED_DISCONNECT, Will
    // published, as AWS does on any disconnect the client did not ask for). Same as
    // on_kick(disconnect_reason::server_initiated_disconnect).
    void on_shutdown(clock::time_point now);

    // --- answers to the machine's questions (connection_effects.hpp) ---
    void on_authorizer_result(const auth::authorization_result& r, clock::time_point now);  // call_authorizer
    void on_connect_admitted(bool admitted, clock::time_point now);                         // admit_connect
    // verify_certificate; nullopt: no certificate directory is configured.
    void on_certificate_verdict(const std::optional<certificate_verdict>& v, clock::time_point now);
    // attach_session: CONNACK's session flag, the stored messages to replay, and how many
    // subscriptions the session has (a resumed one keeps its own).
    void on_attached(attach_result r, std::size_t subscriptions, clock::time_point now);
    // subscribe_session: the retained messages to send for that filter, and the session's
    // subscription count after it.
    void on_subscribed(const subscribe_session& s, subscribe_result r, std::size_t subscriptions,
                       clock::time_point now);
    // unsubscribe_session: the session's subscription count after it.
    void on_unsubscribed(std::size_t subscriptions);
    // The transport already authenticated the connection (MQTT over WebSocket with a SigV4
    // presigned URL): CONNECT skips the authorizer; these policies decide iot:Connect and the
    // rest. Call before the CONNECT arrives.
    void on_transport_authenticated(std::string principal, policy::shared_policy_set policies);
    // MQTT over WebSocket: the upgrade request the connection was opened with (peer_info::http).
    // Call before the CONNECT arrives.
    void on_websocket_upgrade(std::shared_ptr<const auth::http_request_info> request);

    // --- output ---
    effects take_effects();
    // The same into `into` (cleared first), whose storage the machine keeps for its next
    // effects: a caller that recycles one vector spares an allocation per effect batch.
    void take_effects(effects& into) noexcept;
    bool has_effects() const noexcept { return !effects_.empty(); }
    std::optional<clock::time_point> next_deadline() const;

    state current_state() const noexcept { return state_; }
    const std::string& client_id() const noexcept { return client_id_; }
    const std::string& connection_id() const noexcept { return connection_id_; }
    std::chrono::seconds keep_alive() const noexcept { return session_.keep_alive(); }
    std::size_t inflight() const noexcept { return session_.inflight(); }
    mqtt::protocol_level version() const noexcept { return session_.version(); }

private:
    struct will_message {
        std::string topic;
        std::string payload;
        std::uint8_t qos = 0;
        bool retain = false;
        std::string properties;                        // MQTT 5, passed on (message::properties)
        std::optional<std::uint32_t> expiry_s;         // MQTT 5 Message Expiry Interval
        std::uint32_t delay_s = 0;                     // MQTT 5 Will Delay Interval
    };

    // connection_machine.cpp
    void handle_frames(clock::time_point now);
    bool waiting_for_connack() const noexcept;
    void close(disconnect_reason why, std::string detail, clock::time_point now, bool publish_will = true);
    // The same; an MQTT 5 client gets DISCONNECT `code` (instead of disconnect_code_for(why)).
    void close(disconnect_reason why, mqtt::reason_code code, std::string detail, clock::time_point now);
    void close_with(disconnect_reason why, std::optional<mqtt::reason_code> code, std::string detail,
                    clock::time_point now, bool publish_will);
    void publish_the_will(disconnect_reason why, clock::time_point now);
    // Logs a refused CONNECT; an MQTT 5 client also gets CONNACK `code` (default: 0x87 Not
    // authorized with AWS's reason string for auth failures, 0x80 otherwise) before the close.
    void fail_connect(std::string status_reason, std::string detail, bool auth_failure,
                      std::optional<mqtt::reason_code> code = std::nullopt);
    void publish_lifecycle(bool connected, disconnect_reason why);
    // Evaluates the connection's policies; logs and counts a denial.
    bool allowed(const std::string& action, const std::string& resource);
    void log_event(log_level l, const char* event_type, bool success, std::string reason, std::string details,
                   const std::string* topic = nullptr);
    bool logs(log_level l) const noexcept { return l >= env_.min_log_level && env_.min_log_level != log_level::off; }
    std::chrono::nanoseconds scaled(std::int64_t seconds) const;

    // connect_step.cpp, x509_step.cpp
    void handle_connect(const mqtt::connect& c, clock::time_point now);
    void continue_connect(clock::time_point now);  // admitted: the Will's checks, then auth
    void start_custom_auth(clock::time_point now);
    void start_x509_auth(clock::time_point now);
    auth::prepared_invocation prepare_invocation() const;  // the authorizer event, from CONNECT's fields
    void finish_connect(clock::time_point now);            // policies known: iot:Connect, Will, attach
    void refuse_input_before_connack(clock::time_point now);
    void start_refresh(clock::time_point now);  // refreshAfterInSeconds elapsed: call the authorizer again

    // publish_step.cpp, deliver_step.cpp
    void handle_publish(const mqtt::publish& p, clock::time_point now);
    bool take_publish_token(clock::time_point now);
    bool may_receive(const std::string& topic);
    void send_due_replay(clock::time_point now);

    // mqtt5_step.cpp
    bool v5() const noexcept { return session_.version() == mqtt::protocol_level::v5; }
    bool read_connect_properties(const mqtt::connect& c, clock::time_point now);  // false: refused
    void send_connack(bool session_present, clock::time_point now);
    void send_refusal_connack(mqtt::reason_code code, const std::string& reason);
    void send_disconnect(mqtt::reason_code code, const std::string& reason);
    // The PUBLISH's topic, through its Topic Alias; nullopt: refused (closed).
    std::optional<std::string_view> resolve_topic_alias(const mqtt::publish& p, clock::time_point now);
    void answer_publish(const mqtt::publish& p, mqtt::reason_code code, const std::string& reason);
    bool disconnect_received(const mqtt::disconnect& d, clock::time_point now);  // false: closed for a bad one

    // subscribe_step.cpp
    void handle_subscribe(const mqtt::subscribe& s, clock::time_point now);
    void handle_unsubscribe(const mqtt::unsubscribe& u, clock::time_point now);
    void publish_subscription_event(bool subscribed, std::vector<std::string> filters);

    // One of these lives in every connection: members are ordered so that the small ones share
    // words, and what only some connections need (a Will, a resumed session's replay, X.509 or
    // WebSocket facts) sits behind a pointer or in a shared record. Mind the padding when adding.
    machine_env env_;
    // What the machine reads of the peer_info it was given (not the listener name or the ALPN:
    // they chose the transport and the authentication before the machine was made).
    struct peer_facts {
        std::string ip;
        std::optional<std::string> server_name;                 // SNI
        std::shared_ptr<const auth::http_request_info> http;    // MQTT over WebSocket: the upgrade request
        std::shared_ptr<const x509_peer> certificate;           // X.509 only
        std::uint16_t port = 0;
        bool x509 = false;
        bool websocket = false;
    };
    peer_facts peer_;
    std::string connection_id_;
    effects effects_;
    mqtt_session session_;  // after effects_: it appends to them

    // From CONNECT.
    std::string client_id_;
    std::string username_;  // has_username_: the CONNECT had one (empty is a user name too)
    std::string password_;  // has_password_: likewise
    std::unique_ptr<will_message> will_;  // null: no Will (most devices)

    // MQTT 5 (mqtt5_step.cpp).
    std::vector<std::string> topic_aliases_;   // inbound: alias n is [n - 1]
    std::uint32_t session_expiry_s_ = 0;       // granted (CONNACK echoes it when lowered)
    std::uint16_t keep_alive_requested_ = 0;   // CONNECT's, for Server Keep Alive
    bool session_expiry_lowered_ = false;
    bool session_expiry_changed_ = false;      // by the client's DISCONNECT
    bool clean_start_ = true;
    bool client_id_assigned_ = false;
    bool problem_information_ = true;          // Request Problem Information
    bool connack_sent_ = false;

    state state_ = state::awaiting_connect;
    bool clean_session_ = true;                 // From CONNECT
    bool has_username_ = false;
    bool has_password_ = false;
    bool refreshing_ = false;
    bool transport_authenticated_ = false;      // on_transport_authenticated(): no authorizer at CONNECT
    // AWS's quotas: the session's subscriptions, as the broker last said, and subscribe_session
    // effects not answered yet.
    std::uint32_t subscriptions_ = 0;
    std::uint32_t subscribing_ = 0;

    // From the authorizer (or the certificate's verdict).
    std::string authorizer_name_;
    std::string principal_id_;
    policy::shared_policy_set policies_;        // immutable, shared (see machine_env::policy_cache)
    // iot:Publish, iot:RetainPublish and iot:Receive per topic; cleared when the policies change.
    decision_cache decisions_;
    // X.509: thing and certificate facts for policy variables.
    std::shared_ptr<const policy::principal_facts> principal_facts_;

    // Timers (the session keeps the keep-alive deadline and the replay's); time_point::max(): none.
    clock::time_point connect_deadline_;
    clock::time_point disconnect_deadline_ = clock::time_point::max();
    clock::time_point refresh_deadline_ = clock::time_point::max();

    // AWS's publish quota: a token bucket.
    double tokens_ = 0;
    clock::time_point tokens_at_{};
};

}  // namespace wv::gate
