#include "mqtt/packets/subscribe.hpp"

#include "mqtt/packets/version.hpp"
#include "mqtt/reader.hpp"
#include "mqtt/topic.hpp"
#include "mqtt/writer.hpp"

namespace wv::mqtt {
namespace {

// Subscription Options byte (5.0 3.8.3.1); 3.1.1 has only the QoS bits.
constexpr std::uint8_t qos_mask = 0x03;
constexpr std::uint8_t no_local_bit = 0x04;
constexpr std::uint8_t retain_as_published_bit = 0x08;
constexpr std::uint8_t retain_handling_mask = 0x30;
constexpr unsigned retain_handling_shift = 4;

constexpr std::string_view share_prefix = "$share/";

// "$share/<ShareName>/<filter>": a ShareName of at least one character without '+' or '#'
// (it ends at the first '/'), then a valid filter [MQTT-4.8.2-1/2 (5.0)].
std::error_code check_shared_filter(std::string_view f) noexcept {
    if (!f.starts_with(share_prefix)) return {};
    const auto rest = f.substr(share_prefix.size());
    const auto slash = rest.find('/');
    if (slash == 0 || slash == std::string_view::npos) return mqtt_errc::invalid_shared_subscription;
    const auto name = rest.substr(0, slash);
    if (name.find_first_of("+#") != std::string_view::npos) return mqtt_errc::invalid_shared_subscription;
    if (rest.size() == slash + 1) return mqtt_errc::invalid_shared_subscription;
    return validate_topic_filter(rest.substr(slash + 1));
}

std::uint8_t options_byte(const subscription& s) noexcept {
    return static_cast<std::uint8_t>(static_cast<unsigned>(s.qos) | (s.no_local ? no_local_bit : 0) |
                                     (s.retain_as_published ? retain_as_published_bit : 0) |
                                     static_cast<unsigned>(s.retain_handling) << retain_handling_shift);
}

}  // namespace

result<subscribe> decode_subscribe(std::span<const std::byte> body, std::uint8_t flags) {
    return decode_subscribe(body, flags, protocol_level::v3_1_1);
}

result<subscribe> decode_subscribe(std::span<const std::byte> body, std::uint8_t flags, protocol_level v) {
    if (const auto e = detail::check_level(v)) return e;
    const bool v5 = v == protocol_level::v5;
    if (flags != 0x02) return mqtt_errc::reserved_flags;
    reader r{body};
    subscribe p;
    if (!r.u16(p.packet_id)) return r.error();
    if (p.packet_id == 0) return mqtt_errc::zero_packet_id;
    if (v5 && !detail::read_properties(r, {packet_type::subscribe}, p.properties)) return r.error();
    if (r.at_end()) return mqtt_errc::subscribe_no_topics;
    while (!r.at_end()) {
        subscription s;
        std::uint8_t options = 0;
        if (!r.utf8_string(s.filter)) return r.error();
        // A ShareName with a wildcard is a bad shared subscription before it is a bad filter.
        if (v5) {
            if (const auto e = check_shared_filter(s.filter)) return e;
        }
        if (const auto e = validate_topic_filter(s.filter)) return e;
        if (!r.u8(options)) return r.error();
        if (options & (v5 ? 0xc0 : 0xfc)) return mqtt_errc::subscribe_reserved_bits;
        if ((options & qos_mask) == 3) return mqtt_errc::subscribe_invalid_qos;
        s.qos = static_cast<mqtt::qos>(options & qos_mask);
        if (v5) {
            const unsigned rh = (options & retain_handling_mask) >> retain_handling_shift;
            if (rh == 3) return mqtt_errc::subscribe_invalid_retain_handling;
            s.no_local = (options & no_local_bit) != 0;
            s.retain_as_published = (options & retain_as_published_bit) != 0;
            s.retain_handling = static_cast<mqtt::retain_handling>(rh);
            if (s.no_local && s.filter.starts_with(share_prefix)) return mqtt_errc::no_local_on_shared_subscription;
        }
        p.subscriptions.push_back(s);
    }
    return p;
}

void encode(const subscribe& p, byte_buffer& out) { encode(p, out, protocol_level::v3_1_1); }

void encode(const subscribe& p, byte_buffer& out, protocol_level v) {
    const bool v5 = detail::writes_v5(v);
    std::size_t n = 2;
    if (v5) n += detail::properties_size(p.properties, {packet_type::subscribe});
    else detail::require_3_1_1_expressible(p.properties.empty());
    for (const auto& s : p.subscriptions) {
        if (!v5) detail::require_3_1_1_expressible(options_byte(s) == static_cast<std::uint8_t>(s.qos));
        n += field_size(s.filter) + 1;
    }
    auto w = begin_packet(out, 0x82, n);
    w.u16(p.packet_id);
    if (v5) detail::write_properties(w, p.properties);
    for (const auto& s : p.subscriptions) {
        w.field(s.filter);
        w.u8(options_byte(s));
    }
}

}  // namespace wv::mqtt
