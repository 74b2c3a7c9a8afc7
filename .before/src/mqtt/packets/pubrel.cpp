#include "mqtt/packets/pubrel.hpp"

#include "mqtt/packets/packet_id_body.hpp"

namespace wv::mqtt {

result<pubrel> decode_pubrel(std::span<const std::byte> body, std::uint8_t flags) noexcept {
    auto id = detail::decode_packet_id_body(body, flags, 2);
    if (!id) return id.error();
    return pubrel{.packet_id = *id};
}

void encode(const pubrel& p, byte_buffer& out) { detail::encode_packet_id_packet(0x62, p.packet_id, out); }

}  // namespace wv::mqtt
