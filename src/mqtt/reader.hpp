#pragma once
// Field reader over one packet body: the building block of every decoder. Each read checks the
// end bound; the first failure is remembered and later reads fail too, so a decoder can chain
// reads and test once. Strings are views into the body, never copies.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <system_error>

#include "mqtt/errors.hpp"

namespace wv::mqtt {

class reader {
public:
    explicit reader(std::span<const std::byte> body) noexcept : in_(body) {}

    bool u8(std::uint8_t& v) noexcept;
    bool u16(std::uint16_t& v) noexcept;               // big-endian (1.5.2)
    bool u32(std::uint32_t& v) noexcept;               // big-endian (5.0 1.5.3)
    // An MQTT 5 Variable Byte Integer (5.0 1.5.5): remaining_length_too_long past four bytes,
    // varint_not_minimal when a shorter encoding exists [MQTT-1.5.5-1].
    bool varint(std::uint32_t& v) noexcept;
    bool take(std::size_t n, std::span<const std::byte>& v) noexcept;  // n bytes, no length prefix
    bool binary(std::span<const std::byte>& v) noexcept;  // 2-byte length + bytes (3.1.3.5)
    bool utf8_string(std::string_view& v) noexcept;    // 2-byte length + validated UTF-8 (1.5.3)
    std::span<const std::byte> rest() noexcept;        // everything left (a PUBLISH payload)

    // Records e unless an earlier error is recorded; returns false for chaining.
    bool fail(std::error_code e) noexcept;

    std::size_t remaining() const noexcept { return in_.size() - pos_; }
    bool at_end() const noexcept { return pos_ == in_.size(); }
    bool ok() const noexcept { return !error_; }
    std::error_code error() const noexcept { return error_; }

    // ok() and nothing left over; otherwise records trailing_bytes. Ends every decoder.
    bool finish() noexcept;

private:
    std::span<const std::byte> in_;
    std::size_t pos_ = 0;
    std::error_code error_;
};

}  // namespace wv::mqtt
