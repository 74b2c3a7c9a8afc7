#include "mqtt/reason_code.hpp"

#include <string>

#include "mqtt/errors.hpp"

namespace wv::mqtt {
namespace {

// Bit (1 << packet type) for every packet type that may carry the code (5.0 Table 2-6).
constexpr std::uint32_t bit(packet_type t) noexcept { return 1u << static_cast<unsigned>(t); }

constexpr std::uint32_t connack_b = bit(packet_type::connack);
constexpr std::uint32_t puback_b = bit(packet_type::puback);
constexpr std::uint32_t pubrec_b = bit(packet_type::pubrec);
constexpr std::uint32_t pubrel_b = bit(packet_type::pubrel);
constexpr std::uint32_t pubcomp_b = bit(packet_type::pubcomp);
constexpr std::uint32_t suback_b = bit(packet_type::suback);
constexpr std::uint32_t unsuback_b = bit(packet_type::unsuback);
constexpr std::uint32_t disconnect_b = bit(packet_type::disconnect);
constexpr std::uint32_t auth_b = bit(packet_type::auth);
constexpr std::uint32_t pub_acks_b = puback_b | pubrec_b;

std::uint32_t packets_allowing(reason_code c) noexcept {
    using enum reason_code;
    switch (c) {
    case success:
        return connack_b | puback_b | pubrec_b | pubrel_b | pubcomp_b | unsuback_b | auth_b | disconnect_b |
               suback_b;
    case granted_qos1:
    case granted_qos2: return suback_b;
    case disconnect_with_will_message: return disconnect_b;
    case no_matching_subscribers: return pub_acks_b;
    case no_subscription_existed: return unsuback_b;
    case continue_authentication:
    case re_authenticate: return auth_b;
    case unspecified_error:
    case implementation_specific_error:
    case not_authorized: return connack_b | pub_acks_b | suback_b | unsuback_b | disconnect_b;
    case malformed_packet:
    case protocol_error:
    case server_busy:
    case bad_authentication_method:
    case packet_too_large:
    case retain_not_supported:
    case qos_not_supported:
    case use_another_server:
    case server_moved:
    case connection_rate_exceeded: return connack_b | disconnect_b;
    case unsupported_protocol_version:
    case client_identifier_not_valid:
    case bad_user_name_or_password:
    case server_unavailable:
    case banned: return connack_b;
    case server_shutting_down:
    case keep_alive_timeout:
    case session_taken_over:
    case receive_maximum_exceeded:
    case topic_alias_invalid:
    case message_rate_too_high:
    case administrative_action:
    case maximum_connect_time: return disconnect_b;
    case topic_filter_invalid: return suback_b | unsuback_b | disconnect_b;
    case topic_name_invalid:
    case payload_format_invalid: return connack_b | pub_acks_b | disconnect_b;
    case packet_identifier_in_use: return pub_acks_b | suback_b | unsuback_b;
    case packet_identifier_not_found: return pubrel_b | pubcomp_b;
    case quota_exceeded: return connack_b | pub_acks_b | suback_b | disconnect_b;
    case shared_subscriptions_not_supported:
    case subscription_identifiers_not_supported:
    case wildcard_subscriptions_not_supported: return suback_b | disconnect_b;
    }
    return 0;
}

class reason_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "mqtt5-reason"; }
    std::string message(int v) const override {
        return std::string(to_string(static_cast<reason_code>(v))) + " (0x" + "0123456789abcdef"[(v >> 4) & 15] +
               "0123456789abcdef"[v & 15] + ")";
    }
};

}  // namespace

const std::error_category& reason_category() noexcept {
    static const reason_category_impl c;
    return c;
}

std::error_code make_error_code(reason_code c) noexcept { return {static_cast<int>(c), reason_category()}; }

bool is_allowed(reason_code c, packet_type t) noexcept { return (packets_allowing(c) & bit(t)) != 0; }

std::string_view to_string(reason_code c, packet_type t) noexcept {
    using enum reason_code;
    switch (c) {
    case success:
        if (t == packet_type::disconnect) return "Normal disconnection";
        if (t == packet_type::suback) return "Granted QoS 0";
        return "Success";
    case granted_qos1: return "Granted QoS 1";
    case granted_qos2: return "Granted QoS 2";
    case disconnect_with_will_message: return "Disconnect with Will Message";
    case no_matching_subscribers: return "No matching subscribers";
    case no_subscription_existed: return "No subscription existed";
    case continue_authentication: return "Continue authentication";
    case re_authenticate: return "Re-authenticate";
    case unspecified_error: return "Unspecified error";
    case malformed_packet: return "Malformed Packet";
    case protocol_error: return "Protocol Error";
    case implementation_specific_error: return "Implementation specific error";
    case unsupported_protocol_version: return "Unsupported Protocol Version";
    case client_identifier_not_valid: return "Client Identifier not valid";
    case bad_user_name_or_password: return "Bad User Name or Password";
    case not_authorized: return "Not authorized";
    case server_unavailable: return "Server unavailable";
    case server_busy: return "Server busy";
    case banned: return "Banned";
    case server_shutting_down: return "Server shutting down";
    case bad_authentication_method: return "Bad authentication method";
    case keep_alive_timeout: return "Keep Alive timeout";
    case session_taken_over: return "Session taken over";
    case topic_filter_invalid: return "Topic Filter invalid";
    case topic_name_invalid: return "Topic Name invalid";
    case packet_identifier_in_use: return "Packet Identifier in use";
    case packet_identifier_not_found: return "Packet Identifier not found";
    case receive_maximum_exceeded: return "Receive Maximum exceeded";
    case topic_alias_invalid: return "Topic Alias invalid";
    case packet_too_large: return "Packet too large";
    case message_rate_too_high: return "Message rate too high";
    case quota_exceeded: return "Quota exceeded";
    case administrative_action: return "Administrative action";
    case payload_format_invalid: return "Payload format invalid";
    case retain_not_supported: return "Retain not supported";
    case qos_not_supported: return "QoS not supported";
    case use_another_server: return "Use another server";
    case server_moved: return "Server moved";
    case shared_subscriptions_not_supported: return "Shared Subscriptions not supported";
    case connection_rate_exceeded: return "Connection rate exceeded";
    case maximum_connect_time: return "Maximum connect time";
    case subscription_identifiers_not_supported: return "Subscription Identifiers not supported";
    case wildcard_subscriptions_not_supported: return "Wildcard Subscriptions not supported";
    }
    return "Unknown reason code";
}

reason_code reason_code_for(std::error_code e) noexcept {
    if (e.category() != mqtt_category()) return reason_code::unspecified_error;
    switch (static_cast<mqtt_errc>(e.value())) {
    case mqtt_errc::unacceptable_protocol_level: return reason_code::unsupported_protocol_version;
    case mqtt_errc::packet_too_large: return reason_code::packet_too_large;
    case mqtt_errc::topic_alias_zero: return reason_code::topic_alias_invalid;
    case mqtt_errc::property_duplicate:
    case mqtt_errc::property_bad_value:
    case mqtt_errc::subscription_identifier_zero:
    case mqtt_errc::receive_maximum_zero:
    case mqtt_errc::maximum_packet_size_zero:
    case mqtt_errc::authentication_data_without_method:
    case mqtt_errc::auth_without_method:
    case mqtt_errc::wildcard_in_response_topic:
    case mqtt_errc::empty_topic_without_alias:
    case mqtt_errc::subscribe_invalid_retain_handling:
    case mqtt_errc::no_local_on_shared_subscription:
    case mqtt_errc::invalid_shared_subscription:
    case mqtt_errc::will_qos_without_will:
    case mqtt_errc::will_retain_without_will:
    case mqtt_errc::zero_packet_id:
        return reason_code::protocol_error;
    default:
        return reason_code::malformed_packet;
    }
}

}  // namespace wv::mqtt
