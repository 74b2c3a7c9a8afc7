#pragma once
// DISCONNECT (3.14): clean client close; the server discards the Will. No fields.
#include <cstdint>
#include <span>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/result.hpp"

namespace wv::mqtt {

struct disconnect {
    friend bool operator==(const disconnect&, const disconnect&) = default;
};

// Errors: reserved_flags (flags must be 0), trailing_bytes (the body must be empty).
result<disconnect> decode_disconnect(std::span<const std::byte> body, std::uint8_t flags) noexcept;
void encode(const disconnect& p, byte_buffer& out);

}  // namespace wv::mqtt
