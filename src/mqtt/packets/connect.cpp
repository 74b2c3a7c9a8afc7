#include "mqtt/packets/connect.hpp"

#include "mqtt/packets/version.hpp"
#include "mqtt/reader.hpp"
#include "mqtt/topic.hpp"
#include "mqtt/writer.hpp"

namespace wv::mqtt {
namespace {

// CONNECT flags byte (3.1.2.3; 5.0 3.1.2.3 is the same byte, bit 1 named Clean Start).
constexpr std::uint8_t user_name_flag = 0x80;
constexpr std::uint8_t password_flag = 0x40;
constexpr std::uint8_t will_retain_flag = 0x20;
constexpr std::uint8_t will_qos_mask = 0x18;
constexpr unsigned will_qos_shift = 3;
constexpr std::uint8_t will_flag = 0x04;
constexpr std::uint8_t clean_session_flag = 0x02;
constexpr std::uint8_t reserved_flag = 0x01;

constexpr std::uint8_t level_5 = static_cast<std::uint8_t>(protocol_level::v5);
constexpr std::uint8_t level_3_1_1 = static_cast<std::uint8_t>(protocol_level::v3_1_1);

std::error_code check_connect_flags(std::uint8_t f, bool v5) noexcept {
    const unsigned will_qos = (f & will_qos_mask) >> will_qos_shift;
    if (f & reserved_flag) return mqtt_errc::connect_reserved_flag;
    if (!(f & will_flag)) {
        if (will_qos != 0) return mqtt_errc::will_qos_without_will;
        if (f & will_retain_flag) return mqtt_errc::will_retain_without_will;
    } else if (will_qos == 3) {
        return mqtt_errc::invalid_will_qos;
    }
    // MQTT 5 allows a password without a user name (5.0 3.1.2.9).
    if (!v5 && (f & password_flag) && !(f & user_name_flag)) return mqtt_errc::password_without_user_name;
    return {};
}

bool accepts(std::string_view name, std::uint8_t level, protocol_level highest) noexcept {
    if (name != "MQTT") return false;
    return level == level_3_1_1 || (level == level_5 && highest == protocol_level::v5);
}

}  // namespace

result<connect> decode_connect(std::span<const std::byte> body, std::uint8_t flags) noexcept {
    return decode_connect(body, flags, protocol_level::v3_1_1);
}

result<connect> decode_connect(std::span<const std::byte> body, std::uint8_t flags,
                               protocol_level highest) noexcept {
    if (const auto e = detail::check_level(highest)) return e;
    if (flags != 0) return mqtt_errc::reserved_flags;
    reader r{body};
    connect p;
    std::uint8_t f = 0;
    if (!r.utf8_string(p.protocol_name) || !r.u8(p.protocol_level)) return r.error();
    if (p.protocol_name != "MQTT" && p.protocol_name != "MQIsdp") return mqtt_errc::bad_protocol_name;
    // MQTT 3.1 ("MQIsdp", level 3) and levels the server does not speak are well-formed but
    // unsupported: report the level so the server answers CONNACK 1 (3.1.1) or 0x84 (5), as the
    // specs ask, instead of just closing.
    if (!accepts(p.protocol_name, p.protocol_level, highest)) return mqtt_errc::unacceptable_protocol_level;
    const bool v5 = p.protocol_level == level_5;
    if (!r.u8(f)) return r.error();
    if (const auto e = check_connect_flags(f, v5)) return e;
    p.clean_session = (f & clean_session_flag) != 0;
    if (!r.u16(p.keep_alive_s)) return r.error();
    if (v5 && !detail::read_properties(r, {packet_type::connect}, p.properties)) return r.error();
    if (!r.utf8_string(p.client_id)) return r.error();
    if (f & will_flag) {
        last_will w;
        w.qos = static_cast<mqtt::qos>((f & will_qos_mask) >> will_qos_shift);
        w.retain = (f & will_retain_flag) != 0;
        if (v5 && !detail::read_properties(r, will_properties, w.properties)) return r.error();
        if (!r.utf8_string(w.topic)) return r.error();
        if (const auto e = validate_topic_name(w.topic)) return e;
        if (!r.binary(w.message)) return r.error();
        p.will = w;
    }
    if (f & user_name_flag) {
        std::string_view u;
        if (!r.utf8_string(u)) return r.error();
        p.user_name = u;
    }
    if (f & password_flag) {
        std::span<const std::byte> pw;
        if (!r.binary(pw)) return r.error();
        p.password = pw;
    }
    if (!r.finish()) return r.error();
    // Checked last: only an otherwise well-formed CONNECT earns the CONNACK 2 answer. MQTT 5 has
    // no such rule: the server assigns an identifier (or refuses with 0x85).
    if (!v5 && p.client_id.empty() && !p.clean_session) return mqtt_errc::empty_client_id_without_clean_session;
    return p;
}

void encode(const connect& p, byte_buffer& out, protocol_level v) {
    if ((p.protocol_level == level_5) != detail::writes_v5(v)) throw exception(mqtt_errc::not_in_protocol_version);
    encode(p, out);
}

void encode(const connect& p, byte_buffer& out) {
    const bool v5 = p.protocol_level == level_5;
    if (!v5) detail::require_3_1_1_expressible(p.properties.empty() && (!p.will || p.will->properties.empty()));
    std::uint8_t f = 0;
    std::size_t n = field_size(p.protocol_name) + 1 + 1 + 2 + field_size(p.client_id);
    if (v5) n += detail::properties_size(p.properties, {packet_type::connect});
    if (p.clean_session) f |= clean_session_flag;
    if (p.will) {
        f |= will_flag | static_cast<std::uint8_t>(static_cast<unsigned>(p.will->qos) << will_qos_shift);
        if (p.will->retain) f |= will_retain_flag;
        n += field_size(p.will->topic) + field_size(p.will->message);
        if (v5) n += detail::properties_size(p.will->properties, will_properties);
    }
    if (p.user_name) {
        f |= user_name_flag;
        n += field_size(*p.user_name);
    }
    if (p.password) {
        f |= password_flag;
        n += field_size(*p.password);
    }
    auto w = begin_packet(out, 0x10, n);
    w.field(p.protocol_name);
    w.u8(p.protocol_level);
    w.u8(f);
    w.u16(p.keep_alive_s);
    if (v5) detail::write_properties(w, p.properties);
    w.field(p.client_id);
    if (p.will) {
        if (v5) detail::write_properties(w, p.will->properties);
        w.field(p.will->topic);
        w.field(p.will->message);
    }
    if (p.user_name) w.field(*p.user_name);
    if (p.password) w.field(*p.password);
}

}  // namespace wv::mqtt
