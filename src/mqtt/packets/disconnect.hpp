#pragma once
// DISCONNECT (3.14; 5.0 3.14). 3.1.1: the client's clean close, no fields. MQTT 5: either side
// may send it, with a reason code (0x00 Normal disconnection, 0x04 with Will, 0x8E Session taken
// over ...) and properties (Session Expiry Interval, Reason String, Server Reference).
#include <cstdint>
#include <span>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/packet_type.hpp"
#include "mqtt/properties.hpp"
#include "mqtt/reason_code.hpp"
#include "mqtt/result.hpp"

namespace wv::mqtt {

struct disconnect {
    reason_code reason = normal_disconnection;  // MQTT 5 only
    mqtt::properties properties{};              // MQTT 5 only
    friend bool operator==(const disconnect&, const disconnect&) = default;
};

// Errors: reserved_flags (flags must be 0); 3.1.1: trailing_bytes (the body must be empty); 5:
// truncated, reason_code_not_allowed, the property errors, trailing_bytes. At 5 a Remaining
// Length of 0 means Normal disconnection, of 1 a reason code without properties.
result<disconnect> decode_disconnect(std::span<const std::byte> body, std::uint8_t flags, protocol_level v) noexcept;
result<disconnect> decode_disconnect(std::span<const std::byte> body, std::uint8_t flags) noexcept;  // 3.1.1
// At 5 writes the shortest form; at 3.1.1 throws exception(not_in_protocol_version) for a reason
// code or properties.
void encode(const disconnect& p, byte_buffer& out, protocol_level v);
void encode(const disconnect& p, byte_buffer& out);  // 3.1.1

}  // namespace wv::mqtt
