#include "mqtt/packets/unsuback.hpp"

#include "mqtt/packets/packet_id_body.hpp"
#include "mqtt/packets/version.hpp"
#include "mqtt/reader.hpp"
#include "mqtt/writer.hpp"

namespace wv::mqtt {

result<unsuback> decode_unsuback(std::span<const std::byte> body, std::uint8_t flags) {
    return decode_unsuback(body, flags, protocol_level::v3_1_1);
}

result<unsuback> decode_unsuback(std::span<const std::byte> body, std::uint8_t flags, protocol_level v) {
    if (const auto e = detail::check_level(v)) return e;
    if (v != protocol_level::v5) {
        auto id = detail::decode_packet_id_body(body, flags, 0);
        if (!id) return id.error();
        return unsuback{.packet_id = *id};
    }
    if (flags != 0) return mqtt_errc::reserved_flags;
    reader r{body};
    unsuback p;
    if (!r.u16(p.packet_id)) return r.error();
    if (p.packet_id == 0) return mqtt_errc::zero_packet_id;
    if (!detail::read_properties(r, {packet_type::unsuback}, p.properties)) return r.error();
    if (r.at_end()) return mqtt_errc::unsuback_no_reason_codes;
    while (!r.at_end()) {
        std::uint8_t c = 0;
        r.u8(c);
        if (!is_allowed(static_cast<reason_code>(c), packet_type::unsuback)) return mqtt_errc::reason_code_not_allowed;
        p.reason_codes.push_back(static_cast<reason_code>(c));
    }
    return p;
}

void encode(const unsuback& p, byte_buffer& out) { encode(p, out, protocol_level::v3_1_1); }

void encode(const unsuback& p, byte_buffer& out, protocol_level v) {
    if (!detail::writes_v5(v)) {
        detail::require_3_1_1_expressible(p.reason_codes.empty() && p.properties.empty());
        detail::encode_packet_id_packet(0xb0, p.packet_id, out);
        return;
    }
    auto w = begin_packet(out, 0xb0,
                          2 + detail::properties_size(p.properties, {packet_type::unsuback}) + p.reason_codes.size());
    w.u16(p.packet_id);
    detail::write_properties(w, p.properties);
    for (const auto c : p.reason_codes) w.u8(static_cast<std::uint8_t>(c));
}

}  // namespace wv::mqtt
