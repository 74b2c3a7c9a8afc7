#include "util/hex.hpp"

namespace wv::util {

std::string hex_encode(std::string_view in) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(in.size() * 2);
    for (const unsigned char c : in) {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

std::string hex_encode(std::span<const std::byte> in) {
    return hex_encode(std::string_view(reinterpret_cast<const char*>(in.data()), in.size()));
}

std::optional<std::string> hex_decode(std::string_view in) {
    const auto value = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    int high = -1;
    for (const char c : in) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
        const int v = value(c);
        if (v < 0) return std::nullopt;
        if (high < 0) {
            high = v;
        } else {
            out += static_cast<char>(high << 4 | v);
            high = -1;
        }
    }
    if (high >= 0) return std::nullopt;
    return out;
}

}  // namespace wv::util
