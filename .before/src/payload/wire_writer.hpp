#pragma once
// Internal: protobuf wire-format primitives written back to front. Writing a message from its
// last field to its first means each length prefix is known when it is written, so nested
// messages cost one pass and no size bookkeeping. The caller guarantees the room.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace wv::payload::wire {

constexpr std::size_t varint_size(std::uint64_t v) noexcept {
    return v < 0x80 ? 1 : static_cast<std::size_t>((std::bit_width(v) + 6) / 7);
}
constexpr std::uint64_t zigzag64(std::int64_t v) noexcept {
    return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
constexpr std::uint32_t zigzag32(std::int32_t v) noexcept {
    return (static_cast<std::uint32_t>(v) << 1) ^ static_cast<std::uint32_t>(v >> 31);
}

struct back_writer {
    std::byte* p;  // first written byte; moves towards the buffer's start

    void put_byte(std::uint8_t b) noexcept { *--p = std::byte{b}; }
    void put_varint(std::uint64_t v) noexcept {
        if (v < 0x80) {
            put_byte(static_cast<std::uint8_t>(v));
            return;
        }
        p -= varint_size(v);
        std::byte* q = p;
        while (v >= 0x80) {
            *q++ = std::byte{static_cast<std::uint8_t>(v | 0x80)};
            v >>= 7;
        }
        *q = std::byte{static_cast<std::uint8_t>(v)};
    }
    void put_fixed32(std::uint32_t v) noexcept {
        p -= 4;
        for (int i = 0; i < 4; ++i) p[i] = std::byte{static_cast<std::uint8_t>(v >> (8 * i))};
    }
    void put_fixed64(std::uint64_t v) noexcept {
        p -= 8;
        for (int i = 0; i < 8; ++i) p[i] = std::byte{static_cast<std::uint8_t>(v >> (8 * i))};
    }
    void put_raw(const void* data, std::size_t n) noexcept {
        p -= n;
        if (n) std::memcpy(p, data, n);
    }
    // Closes a length-delimited field whose content started (in writing order) at `end`.
    void close(const std::byte* end, std::uint8_t tag) noexcept {
        put_varint(static_cast<std::uint64_t>(end - p));
        put_byte(tag);
    }
    // A scalar field, omitted at its default as proto3 does outside oneofs.
    void opt_varint(std::uint8_t tag, std::uint64_t v) noexcept {
        if (v) {
            put_varint(v);
            put_byte(tag);
        }
    }
};

}  // namespace wv::payload::wire
