#pragma once
// Every way MQTT 3.1.1 and MQTT 5 input can be rejected, one named value per rule, as a
// std::error_code.
//
// Decoders return these as values (never throw); encoders throw `wv::mqtt::exception` only when
// local code asks for something the wire cannot carry (a string over 65,535 bytes, a packet over
// 268,435,455 bytes). The comment on each value names the OASIS MQTT 3.1.1 conformance statement
// it enforces, so a log line can be traced to the spec: [MQTT-x.y.z-n] numbers are 3.1.1's unless
// the comment says 5.0; "5.0 x.y" is a section of the MQTT 5.0 standard. An MQTT 5 server answers
// each error with the CONNACK or DISCONNECT reason code reason_code_for() gives (reason_code.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>

namespace wv::mqtt {

enum class mqtt_errc {
    // Framing (section 2)
    truncated = 1,                 // the body ends before its fields do
    remaining_length_too_long,     // a fifth byte in a Remaining Length (2.2.3: at most four) or in
                                   // an MQTT 5 Variable Byte Integer (5.0 1.5.5)
    packet_too_large,              // over the configured maximum, or over 268,435,455 to encode
    reserved_packet_type,          // control packet type 0 or 15 (2.2.1)
    reserved_flags,                // fixed-header flags other than the type's fixed value [MQTT-2.2.2-1/2]
    bad_remaining_length,          // a fixed-size packet (PUBACK, PINGREQ, ...) with another length
    trailing_bytes,                // bytes after the last field of a packet
    // UTF-8 encoded strings (1.5.3)
    utf8_malformed,                // not well-formed UTF-8, or beyond U+10FFFF [MQTT-1.5.3-1]
    utf8_overlong,                 // an overlong (non-shortest) encoding [MQTT-1.5.3-1]
    utf8_surrogate,                // U+D800..U+DFFF [MQTT-1.5.3-1]
    utf8_null,                     // U+0000 [MQTT-1.5.3-2]
    // CONNECT (3.1)
    bad_protocol_name,             // not "MQTT" [MQTT-3.1.2-1]
    unacceptable_protocol_level,   // level other than 4: the server answers CONNACK 1 [MQTT-3.1.2-2]
    connect_reserved_flag,         // CONNECT flags bit 0 set [MQTT-3.1.2-3]
    will_qos_without_will,         // Will QoS non-zero with Will Flag 0 [MQTT-3.1.2-13]
    invalid_will_qos,              // Will QoS 3 [MQTT-3.1.2-14]
    will_retain_without_will,      // Will Retain with Will Flag 0 [MQTT-3.1.2-15]
    password_without_user_name,    // Password Flag without User Name Flag [MQTT-3.1.2-22]
    empty_client_id_without_clean_session,  // server answers CONNACK 2 [MQTT-3.1.3-8]
    // Topics (4.7)
    empty_topic_name,              // [MQTT-4.7.3-1]
    wildcard_in_topic_name,        // '+' or '#' in a PUBLISH / Will topic [MQTT-3.3.2-2]
    empty_topic_filter,            // [MQTT-4.7.3-1]
    misplaced_multi_level_wildcard,   // '#' not last, or not a whole level [MQTT-4.7.1-2]
    misplaced_single_level_wildcard,  // '+' not a whole level [MQTT-4.7.1-3]
    // PUBLISH and acknowledgements (3.3 - 3.7)
    invalid_qos,                   // PUBLISH QoS 3 [MQTT-3.3.1-4]
    dup_with_qos0,                 // DUP set on a QoS 0 PUBLISH [MQTT-3.3.1-2]
    zero_packet_id,                // packet identifier 0 where one is required [MQTT-2.3.1-1]
    // SUBSCRIBE, SUBACK, UNSUBSCRIBE (3.8 - 3.11)
    subscribe_no_topics,           // [MQTT-3.8.3-3]
    subscribe_invalid_qos,         // requested QoS 3 [MQTT-3.8.3-4]
    subscribe_reserved_bits,       // requested-QoS byte bits 7-2 set [MQTT-3-8.3-4]
    suback_no_return_codes,        // a SUBACK acknowledging nothing (3.9.3)
    suback_invalid_return_code,    // not 0x00, 0x01, 0x02 or 0x80 (3.9.3)
    unsubscribe_no_topics,         // [MQTT-3.10.3-2]
    // CONNACK (3.2)
    connack_reserved_flags,        // acknowledge flags bits 7-1 set (3.2.2.1)
    connack_invalid_return_code,   // return code over 5 (3.2.2.3)
    connack_session_present_with_error,  // session present with a non-zero code [MQTT-3.2.2-4]
    // Encoding local values
    string_too_long,               // a string or binary field over 65,535 bytes (1.5.3)
    // MQTT 5 (OASIS MQTT Version 5.0). Malformed Packet (0x81) unless marked Protocol Error (0x82).
    varint_not_minimal,            // a Variable Byte Integer longer than its value needs [MQTT-1.5.5-1 (5.0)]
    property_unknown,              // an identifier Table 2-4 does not define (5.0 2.2.2.2)
    property_not_allowed,          // a property this packet (or a Will) may not carry (5.0 2.2.2.2, Table 2-4)
    property_length_mismatch,      // a property runs past the Property Length (5.0 2.2.2.1)
    property_duplicate,            // a property other than User Property (and Subscription Identifier
                                   // in PUBLISH) twice: Protocol Error (5.0 3.x.2.x "more than once")
    property_bad_value,            // a byte property other than 0 or 1 (Payload Format Indicator,
                                   // Request Problem/Response Information, Maximum QoS, the
                                   // *Available flags): Protocol Error (5.0 3.1.2.11.7, 3.2.2.3.4 ...)
    topic_alias_zero,              // Topic Alias 0 [MQTT-3.3.2-8 (5.0)]: Topic Alias invalid (0x94)
    subscription_identifier_zero,  // Subscription Identifier 0: Protocol Error (5.0 3.3.2.3.8, 3.8.2.1.2)
    receive_maximum_zero,          // Receive Maximum 0: Protocol Error (5.0 3.1.2.11.3, 3.2.2.3.3)
    maximum_packet_size_zero,      // Maximum Packet Size 0: Protocol Error (5.0 3.1.2.11.4, 3.2.2.3.6)
    authentication_data_without_method,  // Protocol Error (5.0 3.1.2.11.10, 3.15.2.2.3)
    auth_without_method,           // an AUTH with properties but no Authentication Method: Protocol
                                   // Error (5.0 3.15.2.2.2)
    wildcard_in_response_topic,    // [MQTT-3.3.2-14 (5.0)]
    empty_topic_without_alias,     // PUBLISH topic empty and no Topic Alias: Protocol Error (5.0 3.3.2.1)
    reason_code_not_allowed,       // a reason code the packet type does not define (5.0 Table 2-6)
    subscribe_invalid_retain_handling,  // Retain Handling 3: Protocol Error (5.0 3.8.3.1)
    no_local_on_shared_subscription,    // No Local on a $share/ filter: Protocol Error [MQTT-3.8.3-4 (5.0)]
    invalid_shared_subscription,   // "$share/" without a ShareName, a ShareName with '+' or '#', or no
                                   // filter after it [MQTT-4.8.2-1/2 (5.0)]
    unsuback_no_reason_codes,      // an MQTT 5 UNSUBACK acknowledging nothing (5.0 3.11.3)
    // Encoding local values (MQTT 5)
    not_in_protocol_version,       // a reason code, property or option 3.1.1 cannot carry, or a
                                   // protocol level the codec does not speak
    property_wrong_type,           // property_builder: a value of the wrong type for the identifier
};

const std::error_category& mqtt_category() noexcept;
std::error_code make_error_code(mqtt_errc e) noexcept;

// Thrown by encoders, for values local code built that the wire cannot carry, and by
// result<T>::value() on an error. Decoders never throw it.
class exception : public std::system_error {
public:
    explicit exception(mqtt_errc e) : std::system_error(make_error_code(e)) {}
    explicit exception(std::error_code e) : std::system_error(e) {}
};

}  // namespace wv::mqtt

template <>
struct std::is_error_code_enum<wv::mqtt::mqtt_errc> : std::true_type {};
