#pragma once
// UNSUBACK (3.11): acknowledges UNSUBSCRIBE.
#include <cstdint>
#include <span>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/result.hpp"

namespace wv::mqtt {

struct unsuback {
    std::uint16_t packet_id = 0;
    // MQTT 5 will add a reason code and properties here.
};

// Errors: reserved_flags (flags must be 0), truncated, zero_packet_id, trailing_bytes.
result<unsuback> decode_unsuback(std::span<const std::byte> body, std::uint8_t flags) noexcept;
void encode(const unsuback& p, byte_buffer& out);

}  // namespace wv::mqtt
