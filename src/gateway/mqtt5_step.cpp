// MQTT 5 as AWS IoT Core speaks it (spec 2.4, 5): the CONNECT's properties, the CONNACK's
// (Maximum QoS 1, Retain Available, Maximum Packet Size, Topic Alias Maximum, Server Keep Alive
// when clamped, Assigned Client Identifier, Shared Subscriptions yes, Subscription Identifiers
// no), refusals as CONNACK reason codes with reason strings, PUBACK reason codes, DISCONNECT
// with a reason before the gateway closes, inbound topic aliases, the client's DISCONNECT.
#include <algorithm>

#include "gateway/connection_machine.hpp"
#include "gateway/mqtt5_properties.hpp"
#include "mqtt/mqtt.hpp"

namespace wv::gate {

namespace {
using mqtt::property_id;
using mqtt::reason_code;

// A reason string for the wire: reason strings are UTF-8 strings of at most 65,535 bytes.
std::string_view wire_reason(const std::string& reason) {
    if (mqtt::validate_utf8(reason)) return {};
    return std::string_view(reason).substr(0, 1024);
}
}  // namespace

bool connection_machine::read_connect_properties(const mqtt::connect& c, clock::time_point now) {
    const auto& lim = env_.config->limits;
    const auto& pr = c.properties;
    if (pr.contains(property_id::authentication_method)) {
        // AWS supports neither enhanced authentication nor AUTH (spec 5.1).
        bump(env_.stats->connects_protocol_error);
        fail_connect("CLIENT_ERROR", "enhanced authentication (Authentication Method) is not supported", false,
                     reason_code::bad_authentication_method);
        close(disconnect_reason::client_error, "Authentication Method in CONNECT", now);
        return false;
    }
    const auto up = std::max(user_properties_bytes(pr), c.will ? user_properties_bytes(c.will->properties) : 0);
    if (up > lim.max_user_properties_bytes) {
        bump(env_.stats->connects_protocol_error);
        const auto what = "user properties of " + std::to_string(up) + " bytes in CONNECT exceed " +
                          std::to_string(lim.max_user_properties_bytes);
        fail_connect("CLIENT_ERROR", what, false, reason_code::packet_too_large);
        close(disconnect_reason::client_error, what, now);
        return false;
    }
    clean_start_ = c.clean_session;
    // Clean Start 0 + Session Expiry > 0 is AWS's persistent session (spec 5.5); the expiry is at
    // most the account's (limits.persistent_session_expiry), and CONNACK says so when lowered.
    auto expiry = pr.number(property_id::session_expiry_interval).value_or(0);
    const auto most = static_cast<std::uint32_t>(std::max<std::int64_t>(0, lim.persistent_session_expiry.count()));
    if (expiry > most) {
        expiry = most;
        session_expiry_lowered_ = true;
    }
    session_expiry_s_ = expiry;
    clean_session_ = expiry == 0;
    if (const auto n = pr.number(property_id::receive_maximum)) session_.set_receive_maximum(*n);
    if (const auto n = pr.number(property_id::maximum_packet_size)) session_.set_peer_max_packet(*n);
    if (const auto n = pr.number(property_id::topic_alias_maximum))
        session_.set_peer_topic_alias_maximum(static_cast<std::uint16_t>(*n));
    if (const auto n = pr.number(property_id::request_problem_information)) problem_information_ = *n != 0;
    return true;
}

void connection_machine::send_connack(bool session_present, clock::time_point) {
    connack_sent_ = true;
    if (!v5()) {
        session_.send(mqtt::encode_to_bytes(mqtt::connack{.session_present = session_present}));
        return;
    }
    const auto& lim = env_.config->limits;
    mqtt::property_builder props;
    if (session_expiry_lowered_) props.add(property_id::session_expiry_interval, session_expiry_s_);
    if (client_id_assigned_) props.add(property_id::assigned_client_identifier, client_id_);
    const auto ka = static_cast<std::uint32_t>(session_.keep_alive().count());
    if (ka != keep_alive_requested_) props.add(property_id::server_keep_alive, ka);
    props.add(property_id::maximum_qos, 1);
    props.add(property_id::retain_available, 1);
    props.add(property_id::maximum_packet_size, static_cast<std::uint32_t>(lim.max_payload_bytes));
    props.add(property_id::topic_alias_maximum, lim.topic_alias_maximum);
    props.add(property_id::subscription_identifier_available, 0);
    props.add(property_id::shared_subscription_available, 1);
    session_.send(mqtt::encode_to_bytes(
        mqtt::connack{.session_present = session_present, .reason = reason_code::success, .properties = props.view()},
        mqtt::protocol_level::v5));
}

void connection_machine::send_refusal_connack(reason_code code, const std::string& reason) {
    connack_sent_ = true;
    if (!mqtt::is_allowed(code, mqtt::packet_type::connack)) code = reason_code::unspecified_error;
    mqtt::property_builder props;
    if (const auto r = wire_reason(reason); !r.empty()) props.add(property_id::reason_string, r);
    session_.send(
        mqtt::encode_to_bytes(mqtt::connack{.reason = code, .properties = props.view()}, mqtt::protocol_level::v5));
}

void connection_machine::send_disconnect(reason_code code, const std::string& reason) {
    if (!mqtt::is_allowed(code, mqtt::packet_type::disconnect)) code = reason_code::unspecified_error;
    mqtt::property_builder props;
    if (const auto r = wire_reason(reason); !r.empty()) props.add(property_id::reason_string, r);
    auto out = mqtt::encode_to_bytes(mqtt::disconnect{.reason = code, .properties = props.view()},
                                     mqtt::protocol_level::v5);
    if (const auto most = session_.peer_max_packet(); most != 0 && out.size() > most) {
        // Keep it within any Maximum Packet Size a client may have announced: no reason string.
        out = mqtt::encode_to_bytes(mqtt::disconnect{.reason = code}, mqtt::protocol_level::v5);
    }
    session_.send(std::move(out));
}

std::optional<std::string_view> connection_machine::resolve_topic_alias(const mqtt::publish& p,
                                                                        clock::time_point now) {
    const auto alias = p.properties.number(property_id::topic_alias);
    if (!alias) return p.topic;
    const auto most = env_.config->limits.topic_alias_maximum;
    if (mqtt::check_topic_alias(p, most)) {
        close(disconnect_reason::client_error, reason_code::topic_alias_invalid,
              "Topic Alias " + std::to_string(*alias) + " above the maximum " + std::to_string(most), now);
        return std::nullopt;
    }
    if (topic_aliases_.size() < most) topic_aliases_.resize(most);
    auto& slot = topic_aliases_[*alias - 1];
    if (p.topic.empty()) {
        if (slot.empty()) {
            close(disconnect_reason::client_error, reason_code::protocol_error,
                  "Topic Alias " + std::to_string(*alias) + " was never set", now);
            return std::nullopt;
        }
        return std::string_view(slot);
    }
    slot.assign(p.topic);
    return std::string_view(slot);
}

void connection_machine::answer_publish(const mqtt::publish& p, reason_code code, const std::string& reason) {
    if (p.qos != mqtt::qos::at_least_once) return;
    if (!v5()) {
        session_.send(mqtt::encode_to_bytes(mqtt::puback{.packet_id = p.packet_id}));
        return;
    }
    mqtt::property_builder props;
    // Request Problem Information 0: no Reason String outside CONNACK, PUBLISH, DISCONNECT.
    if (problem_information_)
        if (const auto r = wire_reason(reason); !r.empty()) props.add(property_id::reason_string, r);
    session_.send(mqtt::encode_to_bytes(mqtt::puback{.packet_id = p.packet_id, .reason = code, .properties = props.view()},
                                        mqtt::protocol_level::v5));
}

bool connection_machine::disconnect_received(const mqtt::disconnect& d, clock::time_point now) {
    if (!v5()) return true;
    if (const auto e = d.properties.number(property_id::session_expiry_interval)) {
        if (session_expiry_s_ == 0 && *e != 0) {
            // 5.0 3.14.2.2.2: a Protocol Error, answered by the server's DISCONNECT.
            close(disconnect_reason::client_error, reason_code::protocol_error,
                  "DISCONNECT sets a Session Expiry Interval after 0 in CONNECT", now);
            return false;
        }
        const auto most = static_cast<std::uint32_t>(std::max<std::int64_t>(0, env_.config->limits.persistent_session_expiry.count()));
        session_expiry_s_ = std::min(*e, most);
        session_expiry_changed_ = true;
        clean_session_ = session_expiry_s_ == 0;
    }
    return true;
}

}  // namespace wv::gate
