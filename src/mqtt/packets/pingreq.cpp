#include "mqtt/packets/pingreq.hpp"

#include "mqtt/packets/version.hpp"
#include "mqtt/writer.hpp"

namespace wv::mqtt {

result<pingreq> decode_pingreq(std::span<const std::byte> body, std::uint8_t flags) noexcept {
    if (flags != 0) return mqtt_errc::reserved_flags;
    if (!body.empty()) return mqtt_errc::trailing_bytes;
    return pingreq{};
}

result<pingreq> decode_pingreq(std::span<const std::byte> body, std::uint8_t flags, protocol_level v) noexcept {
    if (const auto e = detail::check_level(v)) return e;
    return decode_pingreq(body, flags);
}

void encode(const pingreq&, byte_buffer& out) { begin_packet(out, 0xc0, 0); }

void encode(const pingreq& p, byte_buffer& out, protocol_level v) {
    detail::writes_v5(v);
    encode(p, out);
}

}  // namespace wv::mqtt
