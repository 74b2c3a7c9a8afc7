#pragma once
// CONNACK (3.2): the server's answer to CONNECT.
#include <cstdint>
#include <optional>
#include <span>
#include <system_error>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/result.hpp"

namespace wv::mqtt {

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
    connack_code code = connack_code::accepted;
    // MQTT 5 will add properties; its reason codes extend connack_code's range.
};

// Errors: reserved_flags, truncated, connack_reserved_flags, connack_invalid_return_code,
// connack_session_present_with_error, trailing_bytes.
result<connack> decode_connack(std::span<const std::byte> body, std::uint8_t flags) noexcept;
void encode(const connack& p, byte_buffer& out);

// The CONNACK a server must send before closing for a CONNECT that failed with e, if the spec
// requires one: unacceptable_protocol_level -> 1 [MQTT-3.1.2-2],
// empty_client_id_without_clean_session -> 2 [MQTT-3.1.3-8]. Otherwise nullopt: just close.
std::optional<connack_code> connack_code_for(std::error_code e) noexcept;

}  // namespace wv::mqtt
