#pragma once
// The Remaining Length "variable byte integer" (2.2.3): 7 bits per byte, low group first,
// bit 7 = more bytes follow, at most four bytes, so at most 268,435,455.
#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>

#include "mqtt/errors.hpp"

namespace wv::mqtt {

// Bytes needed to encode v (1..4). Precondition: v <= max_remaining_length.
constexpr std::size_t varint_size(std::uint32_t v) noexcept {
    return v < 128 ? 1 : v < 16'384 ? 2 : v < 2'097'152 ? 3 : 4;
}

// Writes varint_size(v) bytes at out and returns that count. Precondition: v <= 268,435,455.
std::size_t encode_varint(std::uint32_t v, std::byte* out) noexcept;

struct varint_value {
    std::uint32_t value;
    std::size_t size;   // bytes it took on the wire
};
struct varint_incomplete {};  // every byte present had its continuation bit set

// Reads one varint from the front of in. Errors: remaining_length_too_long when the fourth byte
// still has its continuation bit set. Non-minimal encodings (0x80 0x00) are accepted: 3.1.1,
// unlike MQTT 5, does not forbid them.
std::variant<varint_value, varint_incomplete, std::error_code> decode_varint(
    std::span<const std::byte> in) noexcept;

}  // namespace wv::mqtt
