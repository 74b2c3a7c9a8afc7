#include "mqtt/frame.hpp"

#include "mqtt/errors.hpp"
#include "mqtt/varint.hpp"

namespace wv::mqtt {
namespace {

// What the fixed header's first byte alone can tell: type, flags, QoS 3.
std::error_code check_first_byte(std::uint8_t b, protocol_level v) noexcept {
    const unsigned type = b >> 4;
    const unsigned flags = b & 0x0f;
    if (type == 0 || (type == 15 && v != protocol_level::v5)) return mqtt_errc::reserved_packet_type;
    switch (static_cast<packet_type>(type)) {
    case packet_type::publish:
        if ((flags & 0x06) == 0x06) return mqtt_errc::invalid_qos;
        return {};
    case packet_type::pubrel:
    case packet_type::subscribe:
    case packet_type::unsubscribe:
        return flags == 0x02 ? std::error_code{} : make_error_code(mqtt_errc::reserved_flags);
    default:
        return flags == 0 ? std::error_code{} : make_error_code(mqtt_errc::reserved_flags);
    }
}

// Remaining Length the type fixes, or -1 when it varies. In MQTT 5 only the pings are fixed: the
// acknowledgements and DISCONNECT may add a reason code and properties.
long fixed_remaining_length(packet_type t, protocol_level v) noexcept {
    if (v == protocol_level::v5)
        return t == packet_type::pingreq || t == packet_type::pingresp ? 0 : -1;
    switch (t) {
    case packet_type::connack:
    case packet_type::puback:
    case packet_type::pubrec:
    case packet_type::pubrel:
    case packet_type::pubcomp:
    case packet_type::unsuback:
        return 2;
    case packet_type::pingreq:
    case packet_type::pingresp:
    case packet_type::disconnect:
        return 0;
    default:
        return -1;
    }
}

}  // namespace

std::variant<need_more, frame, std::error_code> read_frame(std::span<const std::byte> in, const limits& lim,
                                                           protocol_level level) noexcept {
    if (in.empty()) return need_more{2};
    const auto first = std::to_integer<std::uint8_t>(in[0]);
    if (const auto e = check_first_byte(first, level)) return e;
    const auto type = static_cast<packet_type>(first >> 4);

    const auto v = decode_varint(in.subspan(1));
    if (const auto* e = std::get_if<std::error_code>(&v)) return *e;
    if (std::holds_alternative<varint_incomplete>(v)) return need_more{in.size() + 1};
    const auto [remaining, varint_bytes] = std::get<varint_value>(v);

    if (level == protocol_level::v5 && varint_bytes != varint_size(remaining)) return mqtt_errc::varint_not_minimal;
    const long fixed = fixed_remaining_length(type, level);
    if (fixed >= 0 && remaining != static_cast<unsigned long>(fixed)) return mqtt_errc::bad_remaining_length;
    const std::size_t total = 1 + varint_bytes + remaining;
    if (total > lim.max_packet_bytes) return mqtt_errc::packet_too_large;
    if (in.size() < total) return need_more{total};
    return frame{type, static_cast<std::uint8_t>(first & 0x0f), in.subspan(1 + varint_bytes, remaining),
                 total};
}

}  // namespace wv::mqtt
