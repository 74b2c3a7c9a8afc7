#include "mqtt/packets/pingreq.hpp"

#include "mqtt/writer.hpp"

namespace wv::mqtt {

result<pingreq> decode_pingreq(std::span<const std::byte> body, std::uint8_t flags) noexcept {
    if (flags != 0) return mqtt_errc::reserved_flags;
    if (!body.empty()) return mqtt_errc::trailing_bytes;
    return pingreq{};
}

void encode(const pingreq&, byte_buffer& out) { begin_packet(out, 0xc0, 0); }

}  // namespace wv::mqtt
