#include "mqtt/packets/suback.hpp"

#include "mqtt/reader.hpp"
#include "mqtt/writer.hpp"

namespace wv::mqtt {

result<suback> decode_suback(std::span<const std::byte> body, std::uint8_t flags) {
    if (flags != 0) return mqtt_errc::reserved_flags;
    reader r{body};
    suback p;
    if (!r.u16(p.packet_id)) return r.error();
    if (p.packet_id == 0) return mqtt_errc::zero_packet_id;
    if (r.at_end()) return mqtt_errc::suback_no_return_codes;
    p.return_codes.reserve(r.remaining());
    while (!r.at_end()) {
        std::uint8_t c = 0;
        r.u8(c);
        if (c > 2 && c != 0x80) return mqtt_errc::suback_invalid_return_code;
        p.return_codes.push_back(static_cast<suback_code>(c));
    }
    return p;
}

void encode(const suback& p, byte_buffer& out) {
    auto w = begin_packet(out, 0x90, 2 + p.return_codes.size());
    w.u16(p.packet_id);
    for (const auto c : p.return_codes) w.u8(static_cast<std::uint8_t>(c));
}

}  // namespace wv::mqtt
