#include "mqtt/writer.hpp"

#include <cstring>

#include "mqtt/errors.hpp"
#include "mqtt/limits.hpp"
#include "mqtt/varint.hpp"

namespace wv::mqtt {

std::size_t field_size(std::size_t payload_bytes) {
    if (payload_bytes > 0xffff) throw exception(mqtt_errc::string_too_long);
    return 2 + payload_bytes;
}

void writer::raw(std::span<const std::byte> b) noexcept {
    if (!b.empty()) std::memcpy(p_, b.data(), b.size());
    p_ += b.size();
}

void writer::varint(std::uint32_t v) noexcept { p_ += encode_varint(v, p_); }

void writer::field(std::span<const std::byte> b) noexcept {
    u16(static_cast<std::uint16_t>(b.size()));
    raw(b);
}

writer begin_packet(byte_buffer& out, std::uint8_t first_byte, std::size_t remaining_length) {
    if (remaining_length > max_remaining_length) throw exception(mqtt_errc::packet_too_large);
    const auto rl = static_cast<std::uint32_t>(remaining_length);
    const std::size_t old = out.size();
    out.resize(old + 1 + varint_size(rl) + remaining_length);
    std::byte* p = out.data() + old;
    *p++ = std::byte{first_byte};
    p += encode_varint(rl, p);
    return writer{p};
}

}  // namespace wv::mqtt
