#pragma once
// CONNECT (3.1; 5.0 3.1): the first packet a client sends. Its protocol level decides how every
// later packet of the connection is read and written.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/packet_type.hpp"
#include "mqtt/properties.hpp"
#include "mqtt/qos.hpp"
#include "mqtt/result.hpp"

namespace wv::mqtt {

// The message the server publishes for the client if the connection ends without DISCONNECT.
struct last_will {
    std::string_view topic{};                 // a valid topic name
    std::span<const std::byte> message{};     // binary, may be empty
    mqtt::qos qos = mqtt::qos::at_most_once;
    bool retain = false;
    mqtt::properties properties{};            // MQTT 5 Will Properties (will delay, expiry, ...)
};

struct connect {
    // Written as given by encode, so tests can build MQTT 3.1 CONNECTs the decoder refuses. Level
    // 5 writes (and decodes) the MQTT 5 layout: properties after keep-alive and in the will.
    std::string_view protocol_name = "MQTT";
    std::uint8_t protocol_level = 4;        // protocol_level::v3_1_1
    bool clean_session = true;              // MQTT 5 calls the same bit Clean Start
    std::uint16_t keep_alive_s = 0;         // 0 disables keep-alive
    std::string_view client_id{};             // 3.1.1: may be empty only with clean_session
    std::optional<last_will> will{};
    std::optional<std::string_view> user_name{};
    std::optional<std::span<const std::byte>> password{};  // binary; a secret: never log it
    mqtt::properties properties{};          // MQTT 5 CONNECT properties; empty for 3.1.1
};

// Decodes a CONNECT body (views into body) from a client speaking up to highest (3.1.1 or 5):
// a level above highest, or any level but 4 and 5, is unacceptable_protocol_level, so a 3.1.1
// server answers CONNACK 1 and a 5 server CONNACK 0x84. flags must be 0. Errors, in wire order:
// reserved_flags, truncated, utf8_*, bad_protocol_name, unacceptable_protocol_level (also for
// "MQIsdp" level 3, see connack.hpp connack_code_for), connect_reserved_flag,
// will_qos_without_will, invalid_will_qos, will_retain_without_will, password_without_user_name
// (3.1.1 only: MQTT 5 allows a password alone), the property errors of properties.hpp (CONNECT
// and Will Properties), empty_topic_name / wildcard_in_topic_name (Will Topic), trailing_bytes,
// empty_client_id_without_clean_session (3.1.1 only).
result<connect> decode_connect(std::span<const std::byte> body, std::uint8_t flags,
                               protocol_level highest) noexcept;
// 3.1.1 only: decode_connect(body, flags, protocol_level::v3_1_1).
result<connect> decode_connect(std::span<const std::byte> body, std::uint8_t flags) noexcept;

// Appends the packet in the layout p.protocol_level names (5: MQTT 5, anything else: 3.1.1).
// Throws exception(string_too_long) for a field over 65,535 bytes, exception(not_in_protocol_version)
// for properties on a 3.1.1 CONNECT, and the property errors for properties not allowed there.
void encode(const connect& p, byte_buffer& out);
// The same, checking that p.protocol_level is v (exception(not_in_protocol_version) otherwise).
void encode(const connect& p, byte_buffer& out, protocol_level v);

}  // namespace wv::mqtt
