#pragma once
// PINGREQ (3.12): client keep-alive probe. No fields.
#include <cstdint>
#include <span>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/result.hpp"

namespace wv::mqtt {

struct pingreq {
    friend bool operator==(const pingreq&, const pingreq&) = default;
};

// Errors: reserved_flags (flags must be 0), trailing_bytes (the body must be empty).
result<pingreq> decode_pingreq(std::span<const std::byte> body, std::uint8_t flags) noexcept;
void encode(const pingreq& p, byte_buffer& out);

}  // namespace wv::mqtt
