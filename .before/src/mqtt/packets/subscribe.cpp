#include "mqtt/packets/subscribe.hpp"

#include "mqtt/reader.hpp"
#include "mqtt/topic.hpp"
#include "mqtt/writer.hpp"

namespace wv::mqtt {

result<subscribe> decode_subscribe(std::span<const std::byte> body, std::uint8_t flags) {
    if (flags != 0x02) return mqtt_errc::reserved_flags;
    reader r{body};
    subscribe p;
    if (!r.u16(p.packet_id)) return r.error();
    if (p.packet_id == 0) return mqtt_errc::zero_packet_id;
    if (r.at_end()) return mqtt_errc::subscribe_no_topics;
    while (!r.at_end()) {
        subscription s;
        std::uint8_t options = 0;
        if (!r.utf8_string(s.filter)) return r.error();
        if (const auto e = validate_topic_filter(s.filter)) return e;
        if (!r.u8(options)) return r.error();
        if (options & 0xfc) return mqtt_errc::subscribe_reserved_bits;
        if (options == 3) return mqtt_errc::subscribe_invalid_qos;
        s.qos = static_cast<mqtt::qos>(options);
        p.subscriptions.push_back(s);
    }
    return p;
}

void encode(const subscribe& p, byte_buffer& out) {
    std::size_t n = 2;
    for (const auto& s : p.subscriptions) n += field_size(s.filter) + 1;
    auto w = begin_packet(out, 0x82, n);
    w.u16(p.packet_id);
    for (const auto& s : p.subscriptions) {
        w.field(s.filter);
        w.u8(static_cast<std::uint8_t>(s.qos));
    }
}

}  // namespace wv::mqtt
