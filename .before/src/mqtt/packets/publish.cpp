#include "mqtt/packets/publish.hpp"

#include "mqtt/reader.hpp"
#include "mqtt/topic.hpp"
#include "mqtt/writer.hpp"

namespace wv::mqtt {

result<publish> decode_publish(std::span<const std::byte> body, std::uint8_t flags) noexcept {
    publish p;
    const unsigned q = (flags >> 1) & 0x03;
    if (q == 3) return mqtt_errc::invalid_qos;
    p.qos = static_cast<mqtt::qos>(q);
    p.dup = (flags & 0x08) != 0;
    p.retain = (flags & 0x01) != 0;
    if (p.dup && q == 0) return mqtt_errc::dup_with_qos0;
    reader r{body};
    if (!r.utf8_string(p.topic)) return r.error();
    if (const auto e = validate_topic_name(p.topic)) return e;
    if (q != 0) {
        if (!r.u16(p.packet_id)) return r.error();
        if (p.packet_id == 0) return mqtt_errc::zero_packet_id;
    }
    p.payload = r.rest();
    return p;
}

void encode(const publish& p, byte_buffer& out) {
    const auto q = static_cast<unsigned>(p.qos) & 0x03;
    const std::size_t n = field_size(p.topic) + (q != 0 ? 2 : 0) + p.payload.size();
    const auto first = static_cast<std::uint8_t>(0x30 | (p.dup ? 0x08 : 0) | (q << 1) | (p.retain ? 1 : 0));
    auto w = begin_packet(out, first, n);
    w.field(p.topic);
    if (q != 0) w.u16(p.packet_id);
    w.raw(p.payload);
}

}  // namespace wv::mqtt
