#pragma once
// PINGRESP (3.13; 5.0 3.13): server answer to PINGREQ. No fields in either version.
#include <cstdint>
#include <span>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/packet_type.hpp"
#include "mqtt/result.hpp"

namespace wv::mqtt {

struct pingresp {
    friend bool operator==(const pingresp&, const pingresp&) = default;
};

// Errors: reserved_flags (flags must be 0), trailing_bytes (the body must be empty). The level
// overloads exist so every packet type decodes and encodes alike; the bytes are the same.
result<pingresp> decode_pingresp(std::span<const std::byte> body, std::uint8_t flags) noexcept;
result<pingresp> decode_pingresp(std::span<const std::byte> body, std::uint8_t flags, protocol_level v) noexcept;
void encode(const pingresp& p, byte_buffer& out);
void encode(const pingresp& p, byte_buffer& out, protocol_level v);

}  // namespace wv::mqtt
