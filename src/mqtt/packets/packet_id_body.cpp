#include "mqtt/packets/packet_id_body.hpp"

#include "mqtt/packets/version.hpp"
#include "mqtt/reader.hpp"
#include "mqtt/writer.hpp"

namespace wv::mqtt::detail {

result<std::uint16_t> decode_packet_id_body(std::span<const std::byte> body, std::uint8_t flags,
                                            std::uint8_t required_flags) noexcept {
    if (flags != required_flags) return mqtt_errc::reserved_flags;
    reader r{body};
    std::uint16_t id = 0;
    if (!r.u16(id) || !r.finish()) return r.error();
    if (id == 0) return mqtt_errc::zero_packet_id;
    return id;
}

void encode_packet_id_packet(std::uint8_t first_byte, std::uint16_t packet_id, byte_buffer& out) {
    begin_packet(out, first_byte, 2).u16(packet_id);
}

result<ack_fields> decode_ack_body(std::span<const std::byte> body, std::uint8_t flags, std::uint8_t required_flags,
                                   packet_type t, protocol_level v) noexcept {
    if (const auto e = check_level(v)) return e;
    if (v != protocol_level::v5) {
        auto id = decode_packet_id_body(body, flags, required_flags);
        if (!id) return id.error();
        return ack_fields{.packet_id = *id};
    }
    if (flags != required_flags) return mqtt_errc::reserved_flags;
    reader r{body};
    ack_fields a;
    if (!r.u16(a.packet_id)) return r.error();
    if (!r.at_end()) {
        std::uint8_t code = 0;
        r.u8(code);
        a.reason = static_cast<reason_code>(code);
        if (!r.at_end() && !read_properties(r, {t}, a.properties)) return r.error();
    }
    if (!r.finish()) return r.error();
    if (a.packet_id == 0) return mqtt_errc::zero_packet_id;
    if (!is_allowed(a.reason, t)) return mqtt_errc::reason_code_not_allowed;
    return a;
}

void encode_ack_packet(std::uint8_t first_byte, packet_type t, const ack_fields& a, byte_buffer& out,
                       protocol_level v) {
    if (!writes_v5(v)) {
        require_3_1_1_expressible(a.reason == reason_code::success && a.properties.empty());
        encode_packet_id_packet(first_byte, a.packet_id, out);
        return;
    }
    const bool with_properties = !a.properties.empty();
    const bool with_reason = with_properties || a.reason != reason_code::success;
    std::size_t n = 2;
    if (with_reason) n += 1;
    if (with_properties) n += properties_size(a.properties, {t});
    auto w = begin_packet(out, first_byte, n);
    w.u16(a.packet_id);
    if (with_reason) w.u8(static_cast<std::uint8_t>(a.reason));
    if (with_properties) write_properties(w, a.properties);
}

}  // namespace wv::mqtt::detail
