#pragma once
// What a connection_machine hands out: the effects of its inputs, in the order they must be
// applied (style.md 4b, after async_mqtt's protocol events). The machine never does them
// itself; it has no broker, log, rules engine, throttle or certificate directory.
//
// Two appliers share the work:
//   the transport (connection.cpp)    send_bytes, close_connection, call_authorizer
//   effect_applier (effect_applier.*) everything that touches the gateway's shared state:
//                                     the broker (attach/route/detach, subscribe), the event
//                                     log, the rules engine, the connect throttle, the
//                                     certificate directory and the live-certificate table.
// Effects marked "answered by" are questions: the applier answers by calling that input of
// the machine (at once, for everything effect_applier applies; later, from another thread's
// completion posted back, for call_authorizer). Until the answer the machine waits: input
// that arrives meanwhile is buffered, as behind a CONNECT (connection_machine.hpp).
#include <chrono>
#include <cstdint>
#include <optional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "gateway/broker.hpp"
#include "gateway/disconnect_reason.hpp"
#include "gateway/gateway_config.hpp"
#include "gateway/message.hpp"
#include "mqtt/byte_buffer.hpp"

namespace wv::gate {

struct x509_peer;

// --- the transport's ---------------------------------------------------------------------

// Bytes for the peer, one or more whole MQTT packets.
struct send_bytes {
    mqtt::byte_buffer bytes;
};
// The machine is done: flush what was sent, then close. Always the last effect.
struct close_connection {
    disconnect_reason reason;
    std::string detail;
};
// Invoke the custom authorizer `authorizer` with AWS's event. Answered by on_authorizer_result.
struct call_authorizer {
    std::string authorizer;  // name, as configured
    std::string event_json;
};

// --- AWS's rules: questions about identity and rate ----------------------------------------

// The 1 CONNECT/s per client id throttle (connect_throttle.hpp), shared by every connection.
// Answered by on_connect_admitted. An applier without a throttle admits.
struct admit_connect {
    std::string client_id;
};
// The X.509 certificate the client presented, against the certificate directory and the
// validity period (x509_identity.hpp). Answered by on_certificate_verdict.
struct verify_certificate {
    std::shared_ptr<const x509_peer> certificate;
};
// Close this connection when the certificate (or its CA) leaves ACTIVE (certificate_sessions).
// The applier forgets it when the connection closes.
struct watch_certificate {
    std::string certificate_id;
    std::string ca_certificate_id;
};

// --- the session in the broker --------------------------------------------------------------

// Bind the client id to this connection (a previous owner is kicked). Answered by on_attached.
struct attach_session {
    std::string client_id;
    bool clean_session = true;  // MQTT 5: Clean Start
    // MQTT 5: the Session Expiry Interval granted (0: the session ends with the connection);
    // unset for 3.1.1 (persistent = !clean_session, the broker's expiry).
    std::optional<std::chrono::steady_clock::duration> session_expiry;
};
// One filter of a SUBSCRIBE. Answered by on_subscribed (the retained messages for it).
struct subscribe_session {
    std::string client_id;
    std::string filter;
    std::uint8_t qos = 0;
    subscription_options options{};  // MQTT 5 No Local, Retain As Published
    std::uint8_t retain_handling = 0;  // MQTT 5: 0 send retained, 1 only if new, 2 never
};
// Answered by on_unsubscribed (the session's subscription count).
struct unsubscribe_session {
    std::string client_id;
    std::string filter;
};
// The connection ended. A persistent session keeps `unacked` (QoS 1 deliveries not
// acknowledged, oldest first) to send again on resume; empty for a clean session.
struct detach_session {
    std::string client_id;
    std::vector<message_ptr> unacked;
    // MQTT 5: a Session Expiry Interval the client's DISCONNECT changed; unset: as attached.
    std::optional<std::chrono::steady_clock::duration> session_expiry;
};
// A message for the broker's subscribers (and retained store): a device's PUBLISH, a Will, a
// lifecycle event.
struct route_message {
    message_ptr msg;
};

// MQTT 5 Will Delay Interval: the broker publishes `will` at `due` unless the client id
// connects again first (broker::delay_will).
struct delay_will {
    std::string client_id;
    message_ptr will;
    std::chrono::steady_clock::time_point due;
};

// A PUBLISH to a fleet-provisioning request topic ($aws/certificates/create*/<fmt>,
// $aws/provisioning-templates/<name>/provision/<fmt>), allowed by the policy: answered by the
// provisioning service to this connection only (provisioning_step.hpp), never routed.
struct provisioning_request {
    std::string topic;
    std::string payload;
    std::string client_id;
    std::string certificate_id;  // X.509: the certificate presented (a claim); else empty
};

// --- observers ------------------------------------------------------------------------------

// A message for the topic rules (rules_engine::engine::on_message), with the connection's
// principal: every PUBLISH the gateway accepted, Wills included.
struct rules_event {
    message_ptr msg;
    std::string principal;
};
// One event-log line in AWS IoT's shape (event_log.hpp adds timestamp, logLevel, accountId).
// Only made for levels the machine was told are enabled (machine_env::log_level).
struct log_line {
    log_level level;
    nlohmann::json fields;
};

using effect = std::variant<send_bytes, close_connection, call_authorizer, admit_connect, verify_certificate,
                            watch_certificate, attach_session, subscribe_session, unsubscribe_session,
                            detach_session, route_message, provisioning_request, rules_event, log_line,
                            delay_will>;
using effects = std::vector<effect>;

}  // namespace wv::gate
