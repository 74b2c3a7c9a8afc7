#include "mqtt5_property_table.hpp"

#include <algorithm>
#include <array>

namespace wv::wvpub {
namespace {

using enum property_type;

constexpr std::array<property_info, 27> table{{
    {"payload-format-indicator", 1, byte, "publish will"},
    {"message-expiry-interval", 2, int32, "publish will"},
    {"content-type", 3, string, "publish will"},
    {"response-topic", 8, string, "publish will"},
    {"correlation-data", 9, binary, "publish will"},
    {"subscription-identifier", 11, varint, "publish subscribe"},
    {"session-expiry-interval", 17, int32, "connect connack disconnect"},
    {"assigned-client-identifier", 18, string, "connack"},
    {"server-keep-alive", 19, int16, "connack"},
    {"authentication-method", 21, string, "connect connack auth"},
    {"authentication-data", 22, binary, "connect connack auth"},
    {"request-problem-information", 23, byte, "connect"},
    {"will-delay-interval", 24, int32, "will"},
    {"request-response-information", 25, byte, "connect"},
    {"response-information", 26, string, "connack"},
    {"server-reference", 28, string, "connack disconnect"},
    {"reason-string", 31, string, "connack puback pubrec pubrel pubcomp suback unsuback disconnect auth"},
    {"receive-maximum", 33, int16, "connect connack"},
    {"topic-alias-maximum", 34, int16, "connect connack"},
    {"topic-alias", 35, int16, "publish"},
    {"maximum-qos", 36, byte, "connack"},
    {"retain-available", 37, byte, "connack"},
    {"user-property", 38, string_pair,
     "connect connack publish will puback pubrec pubrel pubcomp subscribe suback unsubscribe unsuback "
     "disconnect auth"},
    {"maximum-packet-size", 39, int32, "connect connack"},
    {"wildcard-subscription-available", 40, byte, "connack"},
    {"subscription-identifier-available", 41, byte, "connack"},
    {"shared-subscription-available", 42, byte, "connack"},
}};

constexpr std::string_view commands =
    "connect connack publish puback pubrec pubrel pubcomp subscribe suback unsubscribe unsuback disconnect "
    "auth will";

bool word_in(std::string_view word, std::string_view list) {
    std::size_t pos = 0;
    while (pos <= list.size()) {
        const auto end = std::min(list.find(' ', pos), list.size());
        if (list.substr(pos, end - pos) == word) return true;
        pos = end + 1;
    }
    return false;
}

}  // namespace

std::optional<property_info> find_property(std::string_view name) {
    for (const auto& p : table)
        if (p.name == name) return p;
    return std::nullopt;
}

bool is_property_command(std::string_view command) { return !command.empty() && word_in(command, commands); }

bool property_allowed(const property_info& p, std::string_view command) { return word_in(command, p.allowed); }

std::int64_t property_max(property_type t) {
    switch (t) {
        case property_type::byte: return 0xff;
        case property_type::int16: return 0xffff;
        case property_type::int32: return 0xffffffffLL;
        case property_type::varint: return 268435455;
        default: return 0;
    }
}

}  // namespace wv::wvpub
