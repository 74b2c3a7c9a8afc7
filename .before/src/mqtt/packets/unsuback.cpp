#include "mqtt/packets/unsuback.hpp"

#include "mqtt/packets/packet_id_body.hpp"

namespace wv::mqtt {

result<unsuback> decode_unsuback(std::span<const std::byte> body, std::uint8_t flags) noexcept {
    auto id = detail::decode_packet_id_body(body, flags, 0);
    if (!id) return id.error();
    return unsuback{.packet_id = *id};
}

void encode(const unsuback& p, byte_buffer& out) { detail::encode_packet_id_packet(0xb0, p.packet_id, out); }

}  // namespace wv::mqtt
