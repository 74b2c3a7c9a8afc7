#include "mqtt/packets/reason_body.hpp"

#include "mqtt/reader.hpp"
#include "mqtt/writer.hpp"

namespace wv::mqtt::detail {

result<reason_fields> decode_reason_body(std::span<const std::byte> body, packet_type t) noexcept {
    reader r{body};
    reason_fields f;
    if (!r.at_end()) {
        std::uint8_t code = 0;
        r.u8(code);
        f.reason = static_cast<reason_code>(code);
        if (!r.at_end() && !read_properties(r, {t}, f.properties)) return r.error();
    }
    if (!r.finish()) return r.error();
    if (!is_allowed(f.reason, t)) return mqtt_errc::reason_code_not_allowed;
    return f;
}

void encode_reason_packet(std::uint8_t first_byte, packet_type t, const reason_fields& f, byte_buffer& out) {
    const bool with_properties = !f.properties.empty();
    const bool with_reason = with_properties || f.reason != reason_code::success;
    std::size_t n = 0;
    if (with_reason) n += 1;
    if (with_properties) n += properties_size(f.properties, {t});
    auto w = begin_packet(out, first_byte, n);
    if (with_reason) w.u8(static_cast<std::uint8_t>(f.reason));
    if (with_properties) write_properties(w, f.properties);
}

}  // namespace wv::mqtt::detail
