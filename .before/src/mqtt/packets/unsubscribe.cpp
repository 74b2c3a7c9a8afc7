#include "mqtt/packets/unsubscribe.hpp"

#include "mqtt/reader.hpp"
#include "mqtt/topic.hpp"
#include "mqtt/writer.hpp"

namespace wv::mqtt {

result<unsubscribe> decode_unsubscribe(std::span<const std::byte> body, std::uint8_t flags) {
    if (flags != 0x02) return mqtt_errc::reserved_flags;
    reader r{body};
    unsubscribe p;
    if (!r.u16(p.packet_id)) return r.error();
    if (p.packet_id == 0) return mqtt_errc::zero_packet_id;
    if (r.at_end()) return mqtt_errc::unsubscribe_no_topics;
    while (!r.at_end()) {
        std::string_view f;
        if (!r.utf8_string(f)) return r.error();
        if (const auto e = validate_topic_filter(f)) return e;
        p.filters.push_back(f);
    }
    return p;
}

void encode(const unsubscribe& p, byte_buffer& out) {
    std::size_t n = 2;
    for (const auto f : p.filters) n += field_size(f);
    auto w = begin_packet(out, 0xa2, n);
    w.u16(p.packet_id);
    for (const auto f : p.filters) w.field(f);
}

}  // namespace wv::mqtt
