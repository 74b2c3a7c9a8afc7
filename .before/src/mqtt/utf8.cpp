#include "mqtt/utf8.hpp"

#include <cstdint>
#include <cstring>

#include "mqtt/errors.hpp"

namespace wv::mqtt {

std::error_code validate_utf8(std::string_view s) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* const end = p + s.size();
    while (p != end) {
        // Topics are almost always ASCII: check eight bytes per step for high bits and zero bytes.
        while (end - p >= 8) {
            std::uint64_t w;
            std::memcpy(&w, p, 8);
            const bool has_high = (w & 0x8080808080808080ull) != 0;
            const bool has_zero = ((w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull) != 0;
            if (has_high || has_zero) break;
            p += 8;
        }
        if (p == end) break;
        const unsigned c = *p;
        if (c < 0x80) {
            if (c == 0) return mqtt_errc::utf8_null;
            ++p;
            continue;
        }
        std::size_t n;
        std::uint32_t cp;
        std::uint32_t min;
        if (c >= 0xc0 && c <= 0xdf) { n = 1; cp = c & 0x1f; min = 0x80; }
        else if (c >= 0xe0 && c <= 0xef) { n = 2; cp = c & 0x0f; min = 0x800; }
        else if (c >= 0xf0 && c <= 0xf4) { n = 3; cp = c & 0x07; min = 0x10000; }
        else return mqtt_errc::utf8_malformed;  // a stray continuation byte, or 0xF5..0xFF
        if (static_cast<std::size_t>(end - p) <= n) return mqtt_errc::utf8_malformed;
        for (std::size_t i = 1; i <= n; ++i) {
            if ((p[i] & 0xc0) != 0x80) return mqtt_errc::utf8_malformed;
            cp = (cp << 6) | (p[i] & 0x3f);
        }
        if (cp < min) return mqtt_errc::utf8_overlong;
        if (cp > 0x10ffff) return mqtt_errc::utf8_malformed;
        if (cp >= 0xd800 && cp <= 0xdfff) return mqtt_errc::utf8_surrogate;
        p += n + 1;
    }
    return {};
}

}  // namespace wv::mqtt
