#include "mqtt/packets/packet_id_body.hpp"

#include "mqtt/reader.hpp"
#include "mqtt/writer.hpp"

namespace wv::mqtt::detail {

result<std::uint16_t> decode_packet_id_body(std::span<const std::byte> body, std::uint8_t flags,
                                            std::uint8_t required_flags) noexcept {
    if (flags != required_flags) return mqtt_errc::reserved_flags;
    reader r{body};
    std::uint16_t id = 0;
    if (!r.u16(id) || !r.finish()) return r.error();
    if (id == 0) return mqtt_errc::zero_packet_id;
    return id;
}

void encode_packet_id_packet(std::uint8_t first_byte, std::uint16_t packet_id, byte_buffer& out) {
    begin_packet(out, first_byte, 2).u16(packet_id);
}

}  // namespace wv::mqtt::detail
