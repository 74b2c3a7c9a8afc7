#include "mqtt/packets/pubrel.hpp"

#include "mqtt/packets/packet_id_body.hpp"

namespace wv::mqtt {

result<pubrel> decode_pubrel(std::span<const std::byte> body, std::uint8_t flags) noexcept {
    return decode_pubrel(body, flags, protocol_level::v3_1_1);
}

result<pubrel> decode_pubrel(std::span<const std::byte> body, std::uint8_t flags, protocol_level v) noexcept {
    auto a = detail::decode_ack_body(body, flags, 2, packet_type::pubrel, v);
    if (!a) return a.error();
    return pubrel{.packet_id = a->packet_id, .reason = a->reason, .properties = a->properties};
}

void encode(const pubrel& p, byte_buffer& out) { encode(p, out, protocol_level::v3_1_1); }

void encode(const pubrel& p, byte_buffer& out, protocol_level v) {
    detail::encode_ack_packet(0x62, packet_type::pubrel, {p.packet_id, p.reason, p.properties}, out, v);
}

}  // namespace wv::mqtt
