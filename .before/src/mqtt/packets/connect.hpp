#pragma once
// CONNECT (3.1): the first packet a client sends.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/packet_type.hpp"
#include "mqtt/qos.hpp"
#include "mqtt/result.hpp"

namespace wv::mqtt {

// The message the server publishes for the client if the connection ends without DISCONNECT.
struct last_will {
    std::string_view topic{};                 // a valid topic name
    std::span<const std::byte> message{};     // binary, may be empty
    mqtt::qos qos = mqtt::qos::at_most_once;
    bool retain = false;
};

struct connect {
    // Written as given by encode, so tests can build MQTT 3.1 or 5 CONNECTs the decoder refuses.
    std::string_view protocol_name = "MQTT";
    std::uint8_t protocol_level = 4;        // protocol_level::v3_1_1
    bool clean_session = true;
    std::uint16_t keep_alive_s = 0;         // 0 disables keep-alive
    std::string_view client_id{};             // may be empty only with clean_session
    std::optional<last_will> will{};
    std::optional<std::string_view> user_name{};
    std::optional<std::span<const std::byte>> password{};  // binary; a secret: never log it
    // MQTT 5 will add CONNECT properties and will properties here, empty for 3.1.1.
};

// Decodes a CONNECT body (views into body). flags must be 0. Errors, in wire order:
// reserved_flags, truncated, utf8_*, bad_protocol_name, unacceptable_protocol_level (also for
// "MQIsdp" level 3 and "MQTT" level 5, so the server can answer CONNACK 1: see connack.hpp
// connack_code_for), connect_reserved_flag, will_qos_without_will, invalid_will_qos,
// will_retain_without_will, password_without_user_name, empty_client_id_without_clean_session,
// empty_topic_name / wildcard_in_topic_name (Will Topic), trailing_bytes.
result<connect> decode_connect(std::span<const std::byte> body, std::uint8_t flags) noexcept;

// Appends the packet. Throws exception(string_too_long) for a field over 65,535 bytes.
void encode(const connect& p, byte_buffer& out);

}  // namespace wv::mqtt
