#include "mqtt/packets/unsubscribe.hpp"

#include "mqtt/packets/version.hpp"
#include "mqtt/reader.hpp"
#include "mqtt/topic.hpp"
#include "mqtt/writer.hpp"

namespace wv::mqtt {

result<unsubscribe> decode_unsubscribe(std::span<const std::byte> body, std::uint8_t flags) {
    return decode_unsubscribe(body, flags, protocol_level::v3_1_1);
}

result<unsubscribe> decode_unsubscribe(std::span<const std::byte> body, std::uint8_t flags, protocol_level v) {
    if (const auto e = detail::check_level(v)) return e;
    if (flags != 0x02) return mqtt_errc::reserved_flags;
    reader r{body};
    unsubscribe p;
    if (!r.u16(p.packet_id)) return r.error();
    if (p.packet_id == 0) return mqtt_errc::zero_packet_id;
    if (v == protocol_level::v5 && !detail::read_properties(r, {packet_type::unsubscribe}, p.properties))
        return r.error();
    if (r.at_end()) return mqtt_errc::unsubscribe_no_topics;
    while (!r.at_end()) {
        std::string_view f;
        if (!r.utf8_string(f)) return r.error();
        if (const auto e = validate_topic_filter(f)) return e;
        p.filters.push_back(f);
    }
    return p;
}

void encode(const unsubscribe& p, byte_buffer& out) { encode(p, out, protocol_level::v3_1_1); }

void encode(const unsubscribe& p, byte_buffer& out, protocol_level v) {
    const bool v5 = detail::writes_v5(v);
    std::size_t n = 2;
    if (v5) n += detail::properties_size(p.properties, {packet_type::unsubscribe});
    else detail::require_3_1_1_expressible(p.properties.empty());
    for (const auto f : p.filters) n += field_size(f);
    auto w = begin_packet(out, 0xa2, n);
    w.u16(p.packet_id);
    if (v5) detail::write_properties(w, p.properties);
    for (const auto f : p.filters) w.field(f);
}

}  // namespace wv::mqtt
