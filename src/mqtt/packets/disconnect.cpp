#include "mqtt/packets/disconnect.hpp"

#include "mqtt/packets/reason_body.hpp"
#include "mqtt/packets/version.hpp"
#include "mqtt/writer.hpp"

namespace wv::mqtt {

result<disconnect> decode_disconnect(std::span<const std::byte> body, std::uint8_t flags) noexcept {
    return decode_disconnect(body, flags, protocol_level::v3_1_1);
}

result<disconnect> decode_disconnect(std::span<const std::byte> body, std::uint8_t flags, protocol_level v) noexcept {
    if (const auto e = detail::check_level(v)) return e;
    if (flags != 0) return mqtt_errc::reserved_flags;
    if (v != protocol_level::v5) {
        if (!body.empty()) return mqtt_errc::trailing_bytes;
        return disconnect{};
    }
    auto b = detail::decode_reason_body(body, packet_type::disconnect);
    if (!b) return b.error();
    return disconnect{.reason = b->reason, .properties = b->properties};
}

void encode(const disconnect& p, byte_buffer& out) { encode(p, out, protocol_level::v3_1_1); }

void encode(const disconnect& p, byte_buffer& out, protocol_level v) {
    if (!detail::writes_v5(v)) {
        detail::require_3_1_1_expressible(p.reason == normal_disconnection && p.properties.empty());
        begin_packet(out, 0xe0, 0);
        return;
    }
    detail::encode_reason_packet(0xe0, packet_type::disconnect, {p.reason, p.properties}, out);
}

}  // namespace wv::mqtt
