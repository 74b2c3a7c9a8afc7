#include "mqtt/packets/disconnect.hpp"

#include "mqtt/writer.hpp"

namespace wv::mqtt {

result<disconnect> decode_disconnect(std::span<const std::byte> body, std::uint8_t flags) noexcept {
    if (flags != 0) return mqtt_errc::reserved_flags;
    if (!body.empty()) return mqtt_errc::trailing_bytes;
    return disconnect{};
}

void encode(const disconnect&, byte_buffer& out) { begin_packet(out, 0xe0, 0); }

}  // namespace wv::mqtt
