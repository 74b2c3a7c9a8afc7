#pragma once
// AUTH (5.0 3.15, MQTT 5 only): an enhanced-authentication exchange step. Packet type 15, which
// MQTT 3.1.1 reserves (read_frame refuses it below level 5). AWS IoT Core does not support AUTH;
// the codec decodes it so that a gateway can answer it precisely instead of as garbage.
#include <cstdint>
#include <span>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/packet_type.hpp"
#include "mqtt/properties.hpp"
#include "mqtt/reason_code.hpp"
#include "mqtt/result.hpp"

namespace wv::mqtt {

struct auth {
    reason_code reason = reason_code::success;  // 0x00, 0x18 Continue authentication, 0x19 Re-authenticate
    mqtt::properties properties{};              // Authentication Method (required unless empty), Data ...
};

// Errors: not_in_protocol_version (v not 5), reserved_flags (flags must be 0), truncated,
// reason_code_not_allowed, the property errors, auth_without_method (anything but the empty
// Success form without an Authentication Method), trailing_bytes.
result<auth> decode_auth(std::span<const std::byte> body, std::uint8_t flags, protocol_level v) noexcept;
// Writes Remaining Length 0 for Success without properties, else reason code and properties.
// Throws exception(not_in_protocol_version) below 5, exception(auth_without_method) as above.
void encode(const auth& p, byte_buffer& out, protocol_level v);

}  // namespace wv::mqtt
