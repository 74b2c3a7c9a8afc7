#pragma once
// PUBREC (3.5): QoS 2 delivery, part 1.
#include <cstdint>
#include <span>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/result.hpp"

namespace wv::mqtt {

struct pubrec {
    std::uint16_t packet_id = 0;
    // MQTT 5 will add a reason code and properties here.
};

// Errors: reserved_flags (flags must be 0), truncated, zero_packet_id, trailing_bytes.
result<pubrec> decode_pubrec(std::span<const std::byte> body, std::uint8_t flags) noexcept;
void encode(const pubrec& p, byte_buffer& out);

}  // namespace wv::mqtt
