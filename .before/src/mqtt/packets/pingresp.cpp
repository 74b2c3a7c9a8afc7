#include "mqtt/packets/pingresp.hpp"

#include "mqtt/writer.hpp"

namespace wv::mqtt {

result<pingresp> decode_pingresp(std::span<const std::byte> body, std::uint8_t flags) noexcept {
    if (flags != 0) return mqtt_errc::reserved_flags;
    if (!body.empty()) return mqtt_errc::trailing_bytes;
    return pingresp{};
}

void encode(const pingresp&, byte_buffer& out) { begin_packet(out, 0xd0, 0); }

}  // namespace wv::mqtt
