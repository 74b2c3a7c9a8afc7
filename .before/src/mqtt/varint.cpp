#include "mqtt/varint.hpp"

namespace wv::mqtt {

std::size_t encode_varint(std::uint32_t v, std::byte* out) noexcept {
    std::size_t n = 0;
    do {
        auto b = static_cast<std::uint8_t>(v & 0x7f);
        v >>= 7;
        if (v != 0) b |= 0x80;
        out[n++] = std::byte{b};
    } while (v != 0);
    return n;
}

std::variant<varint_value, varint_incomplete, std::error_code> decode_varint(
    std::span<const std::byte> in) noexcept {
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        if (i == in.size()) return varint_incomplete{};
        const auto b = std::to_integer<std::uint32_t>(in[i]);
        value |= (b & 0x7f) << (7 * i);
        if ((b & 0x80) == 0) return varint_value{value, i + 1};
    }
    return make_error_code(mqtt_errc::remaining_length_too_long);
}

}  // namespace wv::mqtt
