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

std::ostream& id_only(std::ostream& os, std::string_view name, std::uint16_t id) {
    return os << name << "{packet_id=" << id << '}';
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const connect& p) {
    os << "CONNECT{client_id=" << quoted{p.client_id} << " clean_session=" << p.clean_session
       << " keep_alive_s=" << p.keep_alive_s;
    if (p.protocol_name != "MQTT" || p.protocol_level != 4)
        os << " protocol=" << quoted{p.protocol_name} << '/' << static_cast<int>(p.protocol_level);
    if (p.user_name) os << " user_name=" << quoted{*p.user_name};
    if (p.password) os << " password=*****";
    if (p.will)
        os << " will={topic=" << quoted{p.will->topic} << " qos=" << num(p.will->qos) << " retain=" << p.will->retain
           << " message=" << p.will->message.size() << "B}";
    return os << '}';
}

std::ostream& operator<<(std::ostream& os, const connack& p) {
    return os << "CONNACK{session_present=" << p.session_present << " code=" << static_cast<int>(p.code) << '}';
}

std::ostream& operator<<(std::ostream& os, const publish& p) {
    os << "PUBLISH{topic=" << quoted{p.topic} << " qos=" << num(p.qos);
    if (p.qos != qos::at_most_once) os << " packet_id=" << p.packet_id;
    return os << " retain=" << p.retain << " dup=" << p.dup << " payload=" << p.payload.size() << "B}";
}

std::ostream& operator<<(std::ostream& os, const puback& p) { return id_only(os, "PUBACK", p.packet_id); }
std::ostream& operator<<(std::ostream& os, const pubrec& p) { return id_only(os, "PUBREC", p.packet_id); }
std::ostream& operator<<(std::ostream& os, const pubrel& p) { return id_only(os, "PUBREL", p.packet_id); }
std::ostream& operator<<(std::ostream& os, const pubcomp& p) { return id_only(os, "PUBCOMP", p.packet_id); }
std::ostream& operator<<(std::ostream& os, const unsuback& p) { return id_only(os, "UNSUBACK", p.packet_id); }

std::ostream& operator<<(std::ostream& os, const subscribe& p) {
    os << "SUBSCRIBE{packet_id=" << p.packet_id;
    for (const auto& s : p.subscriptions) os << ' ' << quoted{s.filter} << ":qos" << num(s.qos);
    return os << '}';
}

std::ostream& operator<<(std::ostream& os, const suback& p) {
    os << "SUBACK{packet_id=" << p.packet_id << " codes=";
    for (std::size_t i = 0; i < p.return_codes.size(); ++i)
        os << (i ? "," : "") << static_cast<int>(p.return_codes[i]);
    return os << '}';
}

std::ostream& operator<<(std::ostream& os, const unsubscribe& p) {
    os << "UNSUBSCRIBE{packet_id=" << p.packet_id;
    for (const auto f : p.filters) os << ' ' << quoted{f};
    return os << '}';
}

std::ostream& operator<<(std::ostream& os, const pingreq&) { return os << "PINGREQ{}"; }
std::ostream& operator<<(std::ostream& os, const pingresp&) { return os << "PINGRESP{}"; }
std::ostream& operator<<(std::ostream& os, const disconnect&) { return os << "DISCONNECT{}"; }

std::ostream& operator<<(std::ostream& os, const packet& p) {
    return std::visit([&os](const auto& x) -> std::ostream& { return os << x; }, p);
}

}  // namespace wv::mqtt
