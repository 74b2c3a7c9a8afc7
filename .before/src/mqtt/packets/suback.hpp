#pragma once
// SUBACK (3.9): one return code per filter of the SUBSCRIBE it acknowledges.
#include <cstdint>
#include <span>
#include <vector>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/result.hpp"

namespace wv::mqtt {

enum class suback_code : std::uint8_t {
    granted_qos0 = 0x00,
    granted_qos1 = 0x01,
    granted_qos2 = 0x02,
    failure = 0x80,
};

struct suback {
    std::uint16_t packet_id = 0;
    std::vector<suback_code> return_codes{};
};

// Errors: reserved_flags, truncated, zero_packet_id, suback_no_return_codes,
// suback_invalid_return_code.
result<suback> decode_suback(std::span<const std::byte> body, std::uint8_t flags);
void encode(const suback& p, byte_buffer& out);

}  // namespace wv::mqtt
