#pragma once
// MQTT 5 reason codes (5.0 2.4, Table 2-6): one byte in CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP,
// DISCONNECT and AUTH, one per filter in SUBACK and UNSUBACK. Values below 0x80 mean success;
// 0x80 and up mean failure. Several names share a value (0x00 is Success, Normal disconnection
// and Granted QoS 0): the enum names each value once, after its most common meaning, and
// to_string(code, type) gives the name the packet type uses.
#include <cstdint>
#include <string_view>
#include <system_error>

#include "mqtt/packet_type.hpp"

namespace wv::mqtt {

enum class reason_code : std::uint8_t {
    success = 0x00,                  // also Normal disconnection (DISCONNECT), Granted QoS 0 (SUBACK)
    granted_qos1 = 0x01,
    granted_qos2 = 0x02,
    disconnect_with_will_message = 0x04,
    no_matching_subscribers = 0x10,
    no_subscription_existed = 0x11,
    continue_authentication = 0x18,
    re_authenticate = 0x19,
    unspecified_error = 0x80,
    malformed_packet = 0x81,
    protocol_error = 0x82,
    implementation_specific_error = 0x83,
    unsupported_protocol_version = 0x84,
    client_identifier_not_valid = 0x85,
    bad_user_name_or_password = 0x86,
    not_authorized = 0x87,
    server_unavailable = 0x88,
    server_busy = 0x89,
    banned = 0x8a,
    server_shutting_down = 0x8b,
    bad_authentication_method = 0x8c,
    keep_alive_timeout = 0x8d,
    session_taken_over = 0x8e,
    topic_filter_invalid = 0x8f,
    topic_name_invalid = 0x90,
    packet_identifier_in_use = 0x91,
    packet_identifier_not_found = 0x92,
    receive_maximum_exceeded = 0x93,
    topic_alias_invalid = 0x94,
    packet_too_large = 0x95,
    message_rate_too_high = 0x96,
    quota_exceeded = 0x97,
    administrative_action = 0x98,
    payload_format_invalid = 0x99,
    retain_not_supported = 0x9a,
    qos_not_supported = 0x9b,
    use_another_server = 0x9c,
    server_moved = 0x9d,
    shared_subscriptions_not_supported = 0x9e,
    connection_rate_exceeded = 0x9f,
    maximum_connect_time = 0xa0,
    subscription_identifiers_not_supported = 0xa1,
    wildcard_subscriptions_not_supported = 0xa2,
};

inline constexpr reason_code normal_disconnection = reason_code::success;
inline constexpr reason_code granted_qos0 = reason_code::success;

constexpr bool is_failure(reason_code c) noexcept { return static_cast<std::uint8_t>(c) >= 0x80; }

// Whether Table 2-6 (and the packet's own reason code table) lists c for packets of type t.
// CONNECT, PUBLISH, SUBSCRIBE, UNSUBSCRIBE, PINGREQ and PINGRESP carry none: always false.
// DISCONNECT follows Table 2-6, which also lists 0x8C Bad authentication method (3.14.2.1's own
// table omits it; a receiver that accepts it loses nothing).
bool is_allowed(reason_code c, packet_type t) noexcept;

// The specification's name ("Not authorized", "Normal disconnection" for 0x00 in DISCONNECT,
// "Granted QoS 0" in SUBACK); "Unknown reason code" for a value Table 2-6 lacks.
std::string_view to_string(reason_code c, packet_type t = packet_type::connack) noexcept;

// The reason code an MQTT 5 server (or client) sends in the CONNACK or DISCONNECT that answers a
// decode error e (5.0 4.13): 0x84 for an unsupported protocol level, 0x95 for packet_too_large,
// 0x94 for topic_alias_zero (as mosquitto does), 0x82 for the rules marked Protocol Error in
// errors.hpp, 0x81 Malformed Packet for the rest. Every value returned is allowed in both CONNACK
// and DISCONNECT except 0x84 (CONNACK only: only CONNECT decoding returns that error).
reason_code reason_code_for(std::error_code e) noexcept;

// A failure reason code as a std::error_code (category "mqtt5-reason", message() the
// specification's name), so a client can surface a refusal - CONNACK 0x87, PUBACK 0x87, SUBACK
// 0xA2 - as the operation's error: `if (e == reason_code::not_authorized)`. Convert failures
// only: 0x00 becomes the empty error_code, and the other success codes are not errors.
const std::error_category& reason_category() noexcept;
std::error_code make_error_code(reason_code c) noexcept;

}  // namespace wv::mqtt

template <>
struct std::is_error_code_enum<wv::mqtt::reason_code> : std::true_type {};
