#pragma once
// Field writer used by every encoder: size the packet once, reserve it in the caller's buffer,
// then write fields without further bounds checks or allocation.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "mqtt/byte_buffer.hpp"

namespace wv::mqtt {

// Wire size of a length-prefixed string or binary field. Throws exception(string_too_long) over
// 65,535 bytes: encoders check every field here before writing anything.
std::size_t field_size(std::size_t payload_bytes);
inline std::size_t field_size(std::string_view s) { return field_size(s.size()); }
inline std::size_t field_size(std::span<const std::byte> b) { return field_size(b.size()); }

class writer {
public:
    explicit writer(std::byte* at) noexcept : p_(at) {}
    void u8(std::uint8_t v) noexcept { *p_++ = std::byte{v}; }
    void u16(std::uint16_t v) noexcept {
        u8(static_cast<std::uint8_t>(v >> 8));
        u8(static_cast<std::uint8_t>(v));
    }
    void u32(std::uint32_t v) noexcept {
        u16(static_cast<std::uint16_t>(v >> 16));
        u16(static_cast<std::uint16_t>(v));
    }
    void varint(std::uint32_t v) noexcept;                  // Variable Byte Integer, v <= 268,435,455
    void raw(std::span<const std::byte> b) noexcept;       // no length prefix
    void field(std::span<const std::byte> b) noexcept;     // 2-byte length + bytes
    void field(std::string_view s) noexcept { field(as_bytes(s)); }
    std::byte* position() const noexcept { return p_; }

private:
    std::byte* p_;
};

// Appends the fixed header (first_byte, Remaining Length) to out, grows out by the whole packet
// and returns a writer at the body. The encoder must then write exactly remaining_length bytes.
// Throws exception(packet_too_large) when remaining_length exceeds 268,435,455.
writer begin_packet(byte_buffer& out, std::uint8_t first_byte, std::size_t remaining_length);

}  // namespace wv::mqtt
