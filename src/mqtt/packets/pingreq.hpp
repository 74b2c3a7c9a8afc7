#pragma once
// PINGREQ (3.12; 5.0 3.12): client keep-alive probe. No fields in either version.
#include <cstdint>
#include <span>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/packet_type.hpp"
#include "mqtt/result.hpp"

namespace wv::mqtt {

struct pingreq {
    friend bool operator==(const pingreq&, const pingreq&) = default;
};

// Errors: reserved_flags (flags must be 0), trailing_bytes (the body must be empty). The level
// overloads exist so every packet type decodes and encodes alike; the bytes are the same.
result<pingreq> decode_pingreq(std::span<const std::byte> body, std::uint8_t flags) noexcept;
result<pingreq> decode_pingreq(std::span<const std::byte> body, std::uint8_t flags, protocol_level v) noexcept;
void encode(const pingreq& p, byte_buffer& out);
void encode(const pingreq& p, byte_buffer& out, protocol_level v);

}  // namespace wv::mqtt
