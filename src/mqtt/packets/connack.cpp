#include "mqtt/packets/connack.hpp"

#include "mqtt/packets/version.hpp"
#include "mqtt/reader.hpp"
#include "mqtt/writer.hpp"

namespace wv::mqtt {

result<connack> decode_connack(std::span<const std::byte> body, std::uint8_t flags) noexcept {
    return decode_connack(body, flags, protocol_level::v3_1_1);
}

result<connack> decode_connack(std::span<const std::byte> body, std::uint8_t flags, protocol_level v) noexcept {
    if (const auto e = detail::check_level(v)) return e;
    if (flags != 0) return mqtt_errc::reserved_flags;
    reader r{body};
    std::uint8_t ack = 0;
    std::uint8_t code = 0;
    if (!r.u8(ack) || !r.u8(code)) return r.error();
    connack p{.session_present = (ack & 1) != 0};
    if (v == protocol_level::v5) {
        if (!detail::read_properties(r, {packet_type::connack}, p.properties)) return r.error();
    }
    if (!r.finish()) return r.error();
    if (ack & 0xfe) return mqtt_errc::connack_reserved_flags;
    if (v == protocol_level::v5) {
        p.reason = static_cast<reason_code>(code);
        if (!is_allowed(p.reason, packet_type::connack)) return mqtt_errc::reason_code_not_allowed;
        if (is_failure(p.reason) && p.session_present) return mqtt_errc::connack_session_present_with_error;
        return p;
    }
    if (code > 5) return mqtt_errc::connack_invalid_return_code;
    if (code != 0 && p.session_present) return mqtt_errc::connack_session_present_with_error;
    p.code = static_cast<connack_code>(code);
    return p;
}

void encode(const connack& p, byte_buffer& out) { encode(p, out, protocol_level::v3_1_1); }

void encode(const connack& p, byte_buffer& out, protocol_level v) {
    if (!detail::writes_v5(v)) {
        detail::require_3_1_1_expressible(p.reason == reason_code::success && p.properties.empty());
        auto w = begin_packet(out, 0x20, 2);
        w.u8(p.session_present ? 1 : 0);
        w.u8(static_cast<std::uint8_t>(p.code));
        return;
    }
    if (p.code != connack_code::accepted) throw exception(mqtt_errc::not_in_protocol_version);
    auto w = begin_packet(out, 0x20, 2 + detail::properties_size(p.properties, {packet_type::connack}));
    w.u8(p.session_present ? 1 : 0);
    w.u8(static_cast<std::uint8_t>(p.reason));
    detail::write_properties(w, p.properties);
}

std::optional<connack_code> connack_code_for(std::error_code e) noexcept {
    if (e == mqtt_errc::unacceptable_protocol_level) return connack_code::unacceptable_protocol_version;
    if (e == mqtt_errc::empty_client_id_without_clean_session) return connack_code::identifier_rejected;
    return std::nullopt;
}

}  // namespace wv::mqtt
