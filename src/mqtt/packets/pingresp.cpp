#include "mqtt/packets/pingresp.hpp"

#include "mqtt/packets/version.hpp"
#include "mqtt/writer.hpp"

namespace wv::mqtt {

result<pingresp> decode_pingresp(std::span<const std::byte> body, std::uint8_t flags) noexcept {
    if (flags != 0) return mqtt_errc::reserved_flags;
    if (!body.empty()) return mqtt_errc::trailing_bytes;
    return pingresp{};
}

result<pingresp> decode_pingresp(std::span<const std::byte> body, std::uint8_t flags, protocol_level v) noexcept {
    if (const auto e = detail::check_level(v)) return e;
    return decode_pingresp(body, flags);
}

void encode(const pingresp&, byte_buffer& out) { begin_packet(out, 0xd0, 0); }

void encode(const pingresp& p, byte_buffer& out, protocol_level v) {
    detail::writes_v5(v);
    encode(p, out);
}

}  // namespace wv::mqtt
