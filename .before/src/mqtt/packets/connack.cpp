#include "mqtt/packets/connack.hpp"

#include "mqtt/reader.hpp"
#include "mqtt/writer.hpp"

namespace wv::mqtt {

result<connack> decode_connack(std::span<const std::byte> body, std::uint8_t flags) noexcept {
    if (flags != 0) return mqtt_errc::reserved_flags;
    reader r{body};
    std::uint8_t ack = 0;
    std::uint8_t code = 0;
    if (!r.u8(ack) || !r.u8(code) || !r.finish()) return r.error();
    if (ack & 0xfe) return mqtt_errc::connack_reserved_flags;
    if (code > 5) return mqtt_errc::connack_invalid_return_code;
    if (code != 0 && (ack & 1)) return mqtt_errc::connack_session_present_with_error;
    return connack{.session_present = (ack & 1) != 0, .code = static_cast<connack_code>(code)};
}

void encode(const connack& p, byte_buffer& out) {
    auto w = begin_packet(out, 0x20, 2);
    w.u8(p.session_present ? 1 : 0);
    w.u8(static_cast<std::uint8_t>(p.code));
}

std::optional<connack_code> connack_code_for(std::error_code e) noexcept {
    if (e == mqtt_errc::unacceptable_protocol_level) return connack_code::unacceptable_protocol_version;
    if (e == mqtt_errc::empty_client_id_without_clean_session) return connack_code::identifier_rejected;
    return std::nullopt;
}

}  // namespace wv::mqtt
