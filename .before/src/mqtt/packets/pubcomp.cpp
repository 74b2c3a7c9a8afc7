#include "mqtt/packets/pubcomp.hpp"

#include "mqtt/packets/packet_id_body.hpp"

namespace wv::mqtt {

result<pubcomp> decode_pubcomp(std::span<const std::byte> body, std::uint8_t flags) noexcept {
    auto id = detail::decode_packet_id_body(body, flags, 0);
    if (!id) return id.error();
    return pubcomp{.packet_id = *id};
}

void encode(const pubcomp& p, byte_buffer& out) { detail::encode_packet_id_packet(0x70, p.packet_id, out); }

}  // namespace wv::mqtt
