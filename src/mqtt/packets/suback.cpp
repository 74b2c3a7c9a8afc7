#include "mqtt/packets/suback.hpp"

#include "mqtt/packets/version.hpp"
#include "mqtt/reader.hpp"
#include "mqtt/writer.hpp"

namespace wv::mqtt {

result<suback> decode_suback(std::span<const std::byte> body, std::uint8_t flags) {
    return decode_suback(body, flags, protocol_level::v3_1_1);
}

result<suback> decode_suback(std::span<const std::byte> body, std::uint8_t flags, protocol_level v) {
    if (const auto e = detail::check_level(v)) return e;
    if (flags != 0) return mqtt_errc::reserved_flags;
    reader r{body};
    suback p;
    if (!r.u16(p.packet_id)) return r.error();
    if (p.packet_id == 0) return mqtt_errc::zero_packet_id;
    const bool v5 = v == protocol_level::v5;
    if (v5 && !detail::read_properties(r, {packet_type::suback}, p.properties)) return r.error();
    if (r.at_end()) return mqtt_errc::suback_no_return_codes;
    while (!r.at_end()) {
        std::uint8_t c = 0;
        r.u8(c);
        if (v5) {
            if (!is_allowed(static_cast<reason_code>(c), packet_type::suback)) return mqtt_errc::reason_code_not_allowed;
            p.reason_codes.push_back(static_cast<reason_code>(c));
            continue;
        }
        if (c > 2 && c != 0x80) return mqtt_errc::suback_invalid_return_code;
        p.return_codes.push_back(static_cast<suback_code>(c));
    }
    return p;
}

void encode(const suback& p, byte_buffer& out) { encode(p, out, protocol_level::v3_1_1); }

void encode(const suback& p, byte_buffer& out, protocol_level v) {
    if (!detail::writes_v5(v)) {
        detail::require_3_1_1_expressible(p.reason_codes.empty() && p.properties.empty());
        auto w = begin_packet(out, 0x90, 2 + p.return_codes.size());
        w.u16(p.packet_id);
        for (const auto c : p.return_codes) w.u8(static_cast<std::uint8_t>(c));
        return;
    }
    if (!p.return_codes.empty()) throw exception(mqtt_errc::not_in_protocol_version);
    auto w = begin_packet(out, 0x90,
                          2 + detail::properties_size(p.properties, {packet_type::suback}) + p.reason_codes.size());
    w.u16(p.packet_id);
    detail::write_properties(w, p.properties);
    for (const auto c : p.reason_codes) w.u8(static_cast<std::uint8_t>(c));
}

}  // namespace wv::mqtt
