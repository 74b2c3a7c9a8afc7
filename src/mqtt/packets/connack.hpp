#pragma once
// CONNACK (3.2; 5.0 3.2): the server's answer to CONNECT.
#include <cstdint>
#include <optional>
#include <span>
#include <system_error>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/packet_type.hpp"
#include "mqtt/properties.hpp"
#include "mqtt/reason_code.hpp"
#include "mqtt/result.hpp"

namespace wv::mqtt {

// MQTT 3.1.1 return codes (3.2.2.3). MQTT 5 uses reason_code instead.
enum class connack_code : std::uint8_t {
    accepted = 0,
    unacceptable_protocol_version = 1,
    identifier_rejected = 2,
    server_unavailable = 3,
    bad_user_name_or_password = 4,
    not_authorized = 5,
};

struct connack {
    bool session_present = false;
    connack_code code = connack_code::accepted;     // 3.1.1 only
    // MQTT 5 only: the Connect Reason Code (5.0 3.2.2.2) and CONNACK properties (Assigned Client
    // Identifier, Server Keep Alive, Topic Alias Maximum, Reason String ...).
    reason_code reason = reason_code::success;
    mqtt::properties properties{};
};

// Errors: reserved_flags, truncated, connack_reserved_flags, connack_invalid_return_code (3.1.1),
// reason_code_not_allowed and the property errors (5), connack_session_present_with_error
// ([MQTT-3.2.2-4]; 5.0 [MQTT-3.2.2-6]), trailing_bytes.
result<connack> decode_connack(std::span<const std::byte> body, std::uint8_t flags, protocol_level v) noexcept;
result<connack> decode_connack(std::span<const std::byte> body, std::uint8_t flags) noexcept;  // 3.1.1

// At 3.1.1 writes code; at 5 writes reason and properties. Throws exception(not_in_protocol_version)
// when p sets the other version's fields, the property errors for disallowed properties.
void encode(const connack& p, byte_buffer& out, protocol_level v);
void encode(const connack& p, byte_buffer& out);  // 3.1.1

// The CONNACK a 3.1.1 server must send before closing for a CONNECT that failed with e, if the
// spec requires one: unacceptable_protocol_level -> 1 [MQTT-3.2.1-2],
// empty_client_id_without_clean_session -> 2 [MQTT-3.1.3-8]. Otherwise nullopt: just close.
// (An MQTT 5 server answers every CONNECT error with reason_code_for(e), reason_code.hpp.)
std::optional<connack_code> connack_code_for(std::error_code e) noexcept;

}  // namespace wv::mqtt
