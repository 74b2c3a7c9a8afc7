#include "mqtt/packet.hpp"

#include <type_traits>

namespace wv::mqtt {
namespace {

template <class P>
result<packet> lift(result<P>&& r) {
    if (!r) return r.error();
    return packet{std::move(*r)};
}

}  // namespace

packet_type type_of(const packet& p) noexcept {
    return static_cast<packet_type>(p.index() + 1);
}

result<packet> decode_any(const frame& f) { return decode_any(f, protocol_level::v3_1_1); }

result<packet> decode_any(const frame& f, protocol_level v) {
    switch (f.type) {
    case packet_type::connect: return lift(decode_connect(f.body, f.flags, v));
    case packet_type::connack: return lift(decode_connack(f.body, f.flags, v));
    case packet_type::publish: return lift(decode_publish(f.body, f.flags, v));
    case packet_type::puback: return lift(decode_puback(f.body, f.flags, v));
    case packet_type::pubrec: return lift(decode_pubrec(f.body, f.flags, v));
    case packet_type::pubrel: return lift(decode_pubrel(f.body, f.flags, v));
    case packet_type::pubcomp: return lift(decode_pubcomp(f.body, f.flags, v));
    case packet_type::subscribe: return lift(decode_subscribe(f.body, f.flags, v));
    case packet_type::suback: return lift(decode_suback(f.body, f.flags, v));
    case packet_type::unsubscribe: return lift(decode_unsubscribe(f.body, f.flags, v));
    case packet_type::unsuback: return lift(decode_unsuback(f.body, f.flags, v));
    case packet_type::pingreq: return lift(decode_pingreq(f.body, f.flags, v));
    case packet_type::pingresp: return lift(decode_pingresp(f.body, f.flags, v));
    case packet_type::disconnect: return lift(decode_disconnect(f.body, f.flags, v));
    case packet_type::auth:
        if (v != protocol_level::v5) return mqtt_errc::reserved_packet_type;
        return lift(decode_auth(f.body, f.flags, v));
    }
    return mqtt_errc::reserved_packet_type;  // a frame not made by read_frame
}

void encode(const packet& p, byte_buffer& out) { encode(p, out, protocol_level::v3_1_1); }

void encode(const packet& p, byte_buffer& out, protocol_level v) {
    std::visit(
        [&out, v](const auto& x) {
            if constexpr (std::is_same_v<std::decay_t<decltype(x)>, connect>) encode(x, out);
            else encode(x, out, v);
        },
        p);
}

}  // namespace wv::mqtt
