#pragma once
// PINGRESP (3.13): server answer to PINGREQ. No fields.
#include <cstdint>
#include <span>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/result.hpp"

namespace wv::mqtt {

struct pingresp {
    friend bool operator==(const pingresp&, const pingresp&) = default;
};

// Errors: reserved_flags (flags must be 0), trailing_bytes (the body must be empty).
result<pingresp> decode_pingresp(std::span<const std::byte> body, std::uint8_t flags) noexcept;
void encode(const pingresp& p, byte_buffer& out);

}  // namespace wv::mqtt
