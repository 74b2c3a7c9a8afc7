#include "mqtt/reader.hpp"

#include "mqtt/utf8.hpp"
#include "mqtt/varint.hpp"

namespace wv::mqtt {

bool reader::fail(std::error_code e) noexcept {
    if (!error_) error_ = e;
    return false;
}

bool reader::u8(std::uint8_t& v) noexcept {
    if (error_) return false;
    if (remaining() < 1) return fail(mqtt_errc::truncated);
    v = std::to_integer<std::uint8_t>(in_[pos_++]);
    return true;
}

bool reader::u16(std::uint16_t& v) noexcept {
    if (error_) return false;
    if (remaining() < 2) return fail(mqtt_errc::truncated);
    v = static_cast<std::uint16_t>(std::to_integer<unsigned>(in_[pos_]) << 8 |
                                   std::to_integer<unsigned>(in_[pos_ + 1]));
    pos_ += 2;
    return true;
}

bool reader::u32(std::uint32_t& v) noexcept {
    if (error_) return false;
    if (remaining() < 4) return fail(mqtt_errc::truncated);
    v = 0;
    for (std::size_t i = 0; i < 4; ++i) v = v << 8 | std::to_integer<std::uint32_t>(in_[pos_ + i]);
    pos_ += 4;
    return true;
}

bool reader::varint(std::uint32_t& v) noexcept {
    if (error_) return false;
    const auto r = decode_varint(in_.subspan(pos_));
    if (const auto* e = std::get_if<std::error_code>(&r)) return fail(*e);
    if (std::holds_alternative<varint_incomplete>(r)) return fail(mqtt_errc::truncated);
    const auto [value, size] = std::get<varint_value>(r);
    if (size != varint_size(value)) return fail(mqtt_errc::varint_not_minimal);
    v = value;
    pos_ += size;
    return true;
}

bool reader::take(std::size_t n, std::span<const std::byte>& v) noexcept {
    if (error_) return false;
    if (remaining() < n) return fail(mqtt_errc::truncated);
    v = in_.subspan(pos_, n);
    pos_ += n;
    return true;
}

bool reader::binary(std::span<const std::byte>& v) noexcept {
    std::uint16_t n = 0;
    if (!u16(n)) return false;
    if (remaining() < n) return fail(mqtt_errc::truncated);
    v = in_.subspan(pos_, n);
    pos_ += n;
    return true;
}

bool reader::utf8_string(std::string_view& v) noexcept {
    std::span<const std::byte> b;
    if (!binary(b)) return false;
    const std::string_view s{reinterpret_cast<const char*>(b.data()), b.size()};
    if (const auto e = validate_utf8(s)) return fail(e);
    v = s;
    return true;
}

std::span<const std::byte> reader::rest() noexcept {
    auto r = in_.subspan(pos_);
    pos_ = in_.size();
    return r;
}

bool reader::finish() noexcept {
    if (error_) return false;
    if (!at_end()) return fail(mqtt_errc::trailing_bytes);
    return true;
}

}  // namespace wv::mqtt
