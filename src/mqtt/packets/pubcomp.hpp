#pragma once
// PUBCOMP (3.7; 5.0 3.7): QoS 2 delivery, part 3.
#include <cstdint>
#include <span>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/packet_type.hpp"
#include "mqtt/properties.hpp"
#include "mqtt/reason_code.hpp"
#include "mqtt/result.hpp"

namespace wv::mqtt {

struct pubcomp {
    std::uint16_t packet_id = 0;
    reason_code reason = reason_code::success;  // MQTT 5 only
    mqtt::properties properties{};              // MQTT 5 only: Reason String, User Properties
};

// Errors: reserved_flags (flags must be 0), truncated, zero_packet_id, trailing_bytes; at 5 also
// reason_code_not_allowed and the property errors. At 5 a Remaining Length of 2 means Success.
result<pubcomp> decode_pubcomp(std::span<const std::byte> body, std::uint8_t flags, protocol_level v) noexcept;
result<pubcomp> decode_pubcomp(std::span<const std::byte> body, std::uint8_t flags) noexcept;  // 3.1.1
// At 5 writes the shortest form; at 3.1.1 throws exception(not_in_protocol_version) for a reason
// code or properties.
void encode(const pubcomp& p, byte_buffer& out, protocol_level v);
void encode(const pubcomp& p, byte_buffer& out);  // 3.1.1

}  // namespace wv::mqtt
