#include "mqtt/packet_format.hpp"

#include <ostream>
#include <string_view>

namespace wv::mqtt {
namespace {

struct quoted {
    std::string_view s;
};

std::ostream& operator<<(std::ostream& os, quoted q) {
    static constexpr char hex[] = "0123456789abcdef";
    os << '"';
    for (const char ch : q.s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') os << '\\' << ch;
        else if (c >= 0x20 && c < 0x7f) os << ch;
        else os << "\\x" << hex[c >> 4] << hex[c & 15];
    }
    return os << '"';
}

int num(qos q) { return static_cast<int>(q); }

struct hex_code {
    reason_code c;
};

std::ostream& operator<<(std::ostream& os, hex_code h) {
    static constexpr char hex[] = "0123456789abcdef";
    const auto v = static_cast<unsigned>(h.c);
    return os << "0x" << hex[v >> 4] << hex[v & 15];
}

// " reason=0x87" and " props={...}" when an MQTT 5 packet sets them; nothing for 3.1.1 packets.
std::ostream& v5_fields(std::ostream& os, reason_code r, const properties& props) {
    if (r != reason_code::success) os << " reason=" << hex_code{r};
    if (!props.empty()) os << " props=" << props;
    return os;
}

std::ostream& ack(std::ostream& os, std::string_view name, std::uint16_t id, reason_code r,
                  const properties& props) {
    os << name << "{packet_id=" << id;
    return v5_fields(os, r, props) << '}';
}

void snake_name(std::ostream& os, property_id id) {
    for (const char c : to_string(id)) os << (c == ' ' ? '_' : static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const connect& p) {
    os << "CONNECT{client_id=" << quoted{p.client_id} << " clean_session=" << p.clean_session
       << " keep_alive_s=" << p.keep_alive_s;
    if (p.protocol_name != "MQTT" || p.protocol_level != 4)
        os << " protocol=" << quoted{p.protocol_name} << '/' << static_cast<int>(p.protocol_level);
    if (p.user_name) os << " user_name=" << quoted{*p.user_name};
    if (p.password) os << " password=*****";
    if (p.will) {
        os << " will={topic=" << quoted{p.will->topic} << " qos=" << num(p.will->qos) << " retain=" << p.will->retain
           << " message=" << p.will->message.size() << 'B';
        if (!p.will->properties.empty()) os << " props=" << p.will->properties;
        os << '}';
    }
    if (!p.properties.empty()) os << " props=" << p.properties;
    return os << '}';
}

std::ostream& operator<<(std::ostream& os, const connack& p) {
    os << "CONNACK{session_present=" << p.session_present << " code=" << static_cast<int>(p.code);
    return v5_fields(os, p.reason, p.properties) << '}';
}

std::ostream& operator<<(std::ostream& os, const publish& p) {
    os << "PUBLISH{topic=" << quoted{p.topic} << " qos=" << num(p.qos);
    if (p.qos != qos::at_most_once) os << " packet_id=" << p.packet_id;
    os << " retain=" << p.retain << " dup=" << p.dup << " payload=" << p.payload.size() << 'B';
    return v5_fields(os, reason_code::success, p.properties) << '}';
}

std::ostream& operator<<(std::ostream& os, const puback& p) {
    return ack(os, "PUBACK", p.packet_id, p.reason, p.properties);
}
std::ostream& operator<<(std::ostream& os, const pubrec& p) {
    return ack(os, "PUBREC", p.packet_id, p.reason, p.properties);
}
std::ostream& operator<<(std::ostream& os, const pubrel& p) {
    return ack(os, "PUBREL", p.packet_id, p.reason, p.properties);
}
std::ostream& operator<<(std::ostream& os, const pubcomp& p) {
    return ack(os, "PUBCOMP", p.packet_id, p.reason, p.properties);
}

std::ostream& operator<<(std::ostream& os, const unsuback& p) {
    os << "UNSUBACK{packet_id=" << p.packet_id;
    if (!p.reason_codes.empty()) {
        os << " reasons=";
        for (std::size_t i = 0; i < p.reason_codes.size(); ++i) os << (i ? "," : "") << hex_code{p.reason_codes[i]};
    }
    return v5_fields(os, reason_code::success, p.properties) << '}';
}

std::ostream& operator<<(std::ostream& os, const subscribe& p) {
    os << "SUBSCRIBE{packet_id=" << p.packet_id;
    for (const auto& s : p.subscriptions) {
        os << ' ' << quoted{s.filter} << ":qos" << num(s.qos);
        if (s.no_local) os << ":no_local";
        if (s.retain_as_published) os << ":rap";
        if (s.retain_handling != retain_handling::send_on_subscribe) os << ":rh" << static_cast<int>(s.retain_handling);
    }
    return v5_fields(os, reason_code::success, p.properties) << '}';
}

std::ostream& operator<<(std::ostream& os, const suback& p) {
    os << "SUBACK{packet_id=" << p.packet_id << " codes=";
    for (std::size_t i = 0; i < p.return_codes.size(); ++i)
        os << (i ? "," : "") << static_cast<int>(p.return_codes[i]);
    for (std::size_t i = 0; i < p.reason_codes.size(); ++i) os << (i ? "," : "") << hex_code{p.reason_codes[i]};
    return v5_fields(os, reason_code::success, p.properties) << '}';
}

std::ostream& operator<<(std::ostream& os, const unsubscribe& p) {
    os << "UNSUBSCRIBE{packet_id=" << p.packet_id;
    for (const auto f : p.filters) os << ' ' << quoted{f};
    return v5_fields(os, reason_code::success, p.properties) << '}';
}

std::ostream& operator<<(std::ostream& os, const pingreq&) { return os << "PINGREQ{}"; }
std::ostream& operator<<(std::ostream& os, const pingresp&) { return os << "PINGRESP{}"; }
std::ostream& operator<<(std::ostream& os, const disconnect& p) {
    os << "DISCONNECT{";
    if (p.reason != normal_disconnection) os << "reason=" << hex_code{p.reason};
    if (!p.properties.empty()) os << (p.reason != normal_disconnection ? " " : "") << "props=" << p.properties;
    return os << '}';
}

std::ostream& operator<<(std::ostream& os, const auth& p) {
    os << "AUTH{reason=" << hex_code{p.reason};
    return v5_fields(os, reason_code::success, p.properties) << '}';
}

std::ostream& operator<<(std::ostream& os, const properties& props) {
    os << '{';
    bool first = true;
    for (const auto& p : props) {
        if (!first) os << ' ';
        first = false;
        snake_name(os, p.id);
        os << '=';
        switch (type_of(p.id)) {
        case property_type::utf8_string: os << quoted{p.text}; break;
        case property_type::utf8_string_pair: os << quoted{p.text} << ':' << quoted{p.value}; break;
        case property_type::binary_data:
            if (p.id == property_id::authentication_data) os << "*****";
            else os << p.binary.size() << 'B';
            break;
        default: os << p.number; break;
        }
    }
    return os << '}';
}

std::ostream& operator<<(std::ostream& os, const packet& p) {
    return std::visit([&os](const auto& x) -> std::ostream& { return os << x; }, p);
}

}  // namespace wv::mqtt
