#pragma once
// Byte helpers shared by the codec tests.
#include <doctest/doctest.h>

#include <ostream>  // doctest prints std::error_code through it

#include <cstddef>
#include <initializer_list>
#include <string_view>
#include <system_error>
#include <variant>

#include "mqtt/mqtt.hpp"

namespace wv::mqtt::test {

// bytes({0x10, 0x02, 'M'}): every element must fit a byte.
inline byte_buffer bytes(std::initializer_list<int> v) {
    byte_buffer out;
    for (const int b : v) out.push_back(static_cast<std::byte>(b));
    return out;
}

inline byte_buffer bytes(std::string_view s) {
    const auto b = as_bytes(s);
    return {b.begin(), b.end()};
}

inline byte_buffer operator+(byte_buffer a, const byte_buffer& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// The frame of a wire holding exactly one packet.
inline frame whole_frame(const byte_buffer& wire, const limits& lim = {},
                         protocol_level v = protocol_level::v3_1_1) {
    auto r = read_frame(wire, lim, v);
    const auto* f = std::get_if<frame>(&r);
    REQUIRE_MESSAGE(f != nullptr, "read_frame did not return a frame");
    REQUIRE(f->consumed == wire.size());
    return *f;
}

// The first error framing or decoding the single packet in wire reports; empty when it decodes.
// At level v (for a CONNECT: the highest level accepted).
inline std::error_code first_error(const byte_buffer& wire, const limits& lim = {},
                                   protocol_level v = protocol_level::v3_1_1) {
    auto r = read_frame(wire, lim, v);
    if (const auto* e = std::get_if<std::error_code>(&r)) return *e;
    if (std::holds_alternative<need_more>(r)) return make_error_code(mqtt_errc::truncated);
    const auto& f = std::get<frame>(r);
    if (f.consumed != wire.size()) return make_error_code(mqtt_errc::trailing_bytes);
    return decode_any(f, v).error();
}

inline bool same(std::span<const std::byte> a, std::string_view b) { return as_chars(a) == b; }

}  // namespace wv::mqtt::test
