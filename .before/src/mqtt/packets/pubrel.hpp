#pragma once
// PUBREL (3.6): QoS 2 delivery, part 2; fixed-header flags 0010.
#include <cstdint>
#include <span>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/result.hpp"

namespace wv::mqtt {

struct pubrel {
    std::uint16_t packet_id = 0;
    // MQTT 5 will add a reason code and properties here.
};

// Errors: reserved_flags (flags must be 2), truncated, zero_packet_id, trailing_bytes.
result<pubrel> decode_pubrel(std::span<const std::byte> body, std::uint8_t flags) noexcept;
void encode(const pubrel& p, byte_buffer& out);

}  // namespace wv::mqtt
