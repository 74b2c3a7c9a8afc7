#include "mqtt/packets/pubrec.hpp"

#include "mqtt/packets/packet_id_body.hpp"

namespace wv::mqtt {

result<pubrec> decode_pubrec(std::span<const std::byte> body, std::uint8_t flags) noexcept {
    return decode_pubrec(body, flags, protocol_level::v3_1_1);
}

result<pubrec> decode_pubrec(std::span<const std::byte> body, std::uint8_t flags, protocol_level v) noexcept {
    auto a = detail::decode_ack_body(body, flags, 0, packet_type::pubrec, v);
    if (!a) return a.error();
    return pubrec{.packet_id = a->packet_id, .reason = a->reason, .properties = a->properties};
}

void encode(const pubrec& p, byte_buffer& out) { encode(p, out, protocol_level::v3_1_1); }

void encode(const pubrec& p, byte_buffer& out, protocol_level v) {
    detail::encode_ack_packet(0x50, packet_type::pubrec, {p.packet_id, p.reason, p.properties}, out, v);
}

}  // namespace wv::mqtt
