#include "mqtt/property_id.hpp"

#include <array>
#include <cstddef>

namespace wv::mqtt {
namespace {

// Context bits: (1 << packet type) for a packet's own properties, bit 0 for Will Properties
// (type 0 is reserved, so the bit is free).
constexpr std::uint32_t ctx_bit(packet_type t) noexcept { return 1u << static_cast<unsigned>(t); }
constexpr std::uint32_t will_bit = 1u;

constexpr std::uint32_t in_connect = ctx_bit(packet_type::connect);
constexpr std::uint32_t in_connack = ctx_bit(packet_type::connack);
constexpr std::uint32_t in_publish = ctx_bit(packet_type::publish);
constexpr std::uint32_t in_subscribe = ctx_bit(packet_type::subscribe);
constexpr std::uint32_t in_disconnect = ctx_bit(packet_type::disconnect);
constexpr std::uint32_t in_auth = ctx_bit(packet_type::auth);
constexpr std::uint32_t in_acks = ctx_bit(packet_type::connack) | ctx_bit(packet_type::puback) |
                                  ctx_bit(packet_type::pubrec) | ctx_bit(packet_type::pubrel) |
                                  ctx_bit(packet_type::pubcomp) | ctx_bit(packet_type::suback) |
                                  ctx_bit(packet_type::unsuback) | in_disconnect | in_auth;
// Every packet with a properties block: all but PINGREQ and PINGRESP.
constexpr std::uint32_t everywhere = will_bit | in_connect | in_publish | in_subscribe |
                                     ctx_bit(packet_type::unsubscribe) | in_acks;

struct property_info {
    property_type type{};
    std::uint32_t contexts = 0;  // 0: identifier not defined
    std::string_view name{};
};

// Indexed by identifier: one load per look-up, since decoders and encoders look up every
// property they see two or three times.
constexpr auto make_table() {
    using enum property_type;
    std::array<property_info, 0x2b> t{};
    const auto set = [&t](property_id id, property_type type, std::uint32_t where, std::string_view name) {
        t[static_cast<std::size_t>(id)] = {type, where, name};
    };
    set(property_id::payload_format_indicator, byte, in_publish | will_bit, "Payload Format Indicator");
    set(property_id::message_expiry_interval, four_byte_integer, in_publish | will_bit, "Message Expiry Interval");
    set(property_id::content_type, utf8_string, in_publish | will_bit, "Content Type");
    set(property_id::response_topic, utf8_string, in_publish | will_bit, "Response Topic");
    set(property_id::correlation_data, binary_data, in_publish | will_bit, "Correlation Data");
    set(property_id::subscription_identifier, variable_byte_integer, in_publish | in_subscribe, "Subscription Identifier");
    set(property_id::session_expiry_interval, four_byte_integer, in_connect | in_connack | in_disconnect,
        "Session Expiry Interval");
    set(property_id::assigned_client_identifier, utf8_string, in_connack, "Assigned Client Identifier");
    set(property_id::server_keep_alive, two_byte_integer, in_connack, "Server Keep Alive");
    set(property_id::authentication_method, utf8_string, in_connect | in_connack | in_auth, "Authentication Method");
    set(property_id::authentication_data, binary_data, in_connect | in_connack | in_auth, "Authentication Data");
    set(property_id::request_problem_information, byte, in_connect, "Request Problem Information");
    set(property_id::will_delay_interval, four_byte_integer, will_bit, "Will Delay Interval");
    set(property_id::request_response_information, byte, in_connect, "Request Response Information");
    set(property_id::response_information, utf8_string, in_connack, "Response Information");
    set(property_id::server_reference, utf8_string, in_connack | in_disconnect, "Server Reference");
    set(property_id::reason_string, utf8_string, in_acks, "Reason String");
    set(property_id::receive_maximum, two_byte_integer, in_connect | in_connack, "Receive Maximum");
    set(property_id::topic_alias_maximum, two_byte_integer, in_connect | in_connack, "Topic Alias Maximum");
    set(property_id::topic_alias, two_byte_integer, in_publish, "Topic Alias");
    set(property_id::maximum_qos, byte, in_connack, "Maximum QoS");
    set(property_id::retain_available, byte, in_connack, "Retain Available");
    set(property_id::user_property, utf8_string_pair, everywhere, "User Property");
    set(property_id::maximum_packet_size, four_byte_integer, in_connect | in_connack, "Maximum Packet Size");
    set(property_id::wildcard_subscription_available, byte, in_connack, "Wildcard Subscription Available");
    set(property_id::subscription_identifier_available, byte, in_connack, "Subscription Identifier Available");
    set(property_id::shared_subscription_available, byte, in_connack, "Shared Subscription Available");
    return t;
}

constexpr auto property_table = make_table();

const property_info* info(std::uint8_t id) noexcept {
    if (id >= property_table.size() || property_table[id].contexts == 0) return nullptr;
    return &property_table[id];
}

}  // namespace

std::optional<property_type> type_of(std::uint8_t id) noexcept {
    const auto i = info(id);
    if (!i) return std::nullopt;
    return i->type;
}

bool is_allowed(property_id id, property_context ctx) noexcept {
    const auto i = info(static_cast<std::uint8_t>(id));
    if (!i) return false;
    return (i->contexts & (ctx.will ? will_bit : ctx_bit(ctx.type))) != 0;
}

bool is_repeatable(property_id id, property_context ctx) noexcept {
    return id == property_id::user_property ||
           (id == property_id::subscription_identifier && ctx == property_context{packet_type::publish});
}

std::string_view to_string(property_id id) noexcept {
    const auto i = info(static_cast<std::uint8_t>(id));
    return i ? i->name : "Unknown property";
}

}  // namespace wv::mqtt
