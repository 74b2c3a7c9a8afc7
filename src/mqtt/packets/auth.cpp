#include "mqtt/packets/auth.hpp"

#include "mqtt/packets/reason_body.hpp"
#include "mqtt/packets/version.hpp"

namespace wv::mqtt {

result<auth> decode_auth(std::span<const std::byte> body, std::uint8_t flags, protocol_level v) noexcept {
    if (v != protocol_level::v5) return mqtt_errc::not_in_protocol_version;
    if (flags != 0) return mqtt_errc::reserved_flags;
    auto b = detail::decode_reason_body(body, packet_type::auth);
    if (!b) return b.error();
    // 5.0 3.15.2.2.2: omitting the Authentication Method is a Protocol Error; only the empty
    // Success form (Remaining Length 0) has no properties at all.
    if (!body.empty() && !b->properties.contains(property_id::authentication_method))
        return mqtt_errc::auth_without_method;
    return auth{.reason = b->reason, .properties = b->properties};
}

void encode(const auth& p, byte_buffer& out, protocol_level v) {
    if (!detail::writes_v5(v)) throw exception(mqtt_errc::not_in_protocol_version);
    const bool empty_form = p.reason == reason_code::success && p.properties.empty();
    if (!empty_form && !p.properties.contains(property_id::authentication_method))
        throw exception(mqtt_errc::auth_without_method);
    // Never the one-byte form: an AUTH with a reason code always carries the method.
    detail::encode_reason_packet(0xf0, packet_type::auth, {p.reason, p.properties}, out);
}

}  // namespace wv::mqtt
