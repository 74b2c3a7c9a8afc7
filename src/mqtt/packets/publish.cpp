#include "mqtt/packets/publish.hpp"

#include "mqtt/packets/version.hpp"
#include "mqtt/reader.hpp"
#include "mqtt/topic.hpp"
#include "mqtt/writer.hpp"

namespace wv::mqtt {

result<publish> decode_publish(std::span<const std::byte> body, std::uint8_t flags) noexcept {
    return decode_publish(body, flags, protocol_level::v3_1_1);
}

result<publish> decode_publish(std::span<const std::byte> body, std::uint8_t flags, protocol_level v) noexcept {
    if (const auto e = detail::check_level(v)) return e;
    publish p;
    const unsigned q = (flags >> 1) & 0x03;
    if (q == 3) return mqtt_errc::invalid_qos;
    p.qos = static_cast<mqtt::qos>(q);
    p.dup = (flags & 0x08) != 0;
    p.retain = (flags & 0x01) != 0;
    if (p.dup && q == 0) return mqtt_errc::dup_with_qos0;
    reader r{body};
    if (!r.utf8_string(p.topic)) return r.error();
    // MQTT 5 lets a Topic Alias stand for the topic, so an empty one is checked after properties.
    const bool v5 = v == protocol_level::v5;
    if (!(v5 && p.topic.empty())) {
        if (const auto e = validate_topic_name(p.topic)) return e;
    }
    if (q != 0) {
        if (!r.u16(p.packet_id)) return r.error();
        if (p.packet_id == 0) return mqtt_errc::zero_packet_id;
    }
    if (v5) {
        if (!detail::read_properties(r, {packet_type::publish}, p.properties)) return r.error();
        if (p.topic.empty() && !p.properties.contains(property_id::topic_alias))
            return mqtt_errc::empty_topic_without_alias;
    }
    p.payload = r.rest();
    return p;
}

void encode(const publish& p, byte_buffer& out) { encode(p, out, protocol_level::v3_1_1); }

void encode(const publish& p, byte_buffer& out, protocol_level v) {
    const bool v5 = detail::writes_v5(v);
    if (!v5) detail::require_3_1_1_expressible(p.properties.empty());
    const auto q = static_cast<unsigned>(p.qos) & 0x03;
    std::size_t n = field_size(p.topic) + (q != 0 ? 2 : 0) + p.payload.size();
    if (v5) n += detail::properties_size(p.properties, {packet_type::publish});
    const auto first = static_cast<std::uint8_t>(0x30 | (p.dup ? 0x08 : 0) | (q << 1) | (p.retain ? 1 : 0));
    auto w = begin_packet(out, first, n);
    w.field(p.topic);
    if (q != 0) w.u16(p.packet_id);
    if (v5) detail::write_properties(w, p.properties);
    w.raw(p.payload);
}

}  // namespace wv::mqtt
