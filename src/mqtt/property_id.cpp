#include "mqtt/property_id.hpp"

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
    property_type type;
    std::uint32_t contexts;
    std::string_view name;
};

std::optional<property_info> info(std::uint8_t id) noexcept {
    using enum property_type;
    switch (static_cast<property_id>(id)) {
    case property_id::payload_format_indicator: return property_info{byte, in_publish | will_bit, "Payload Format Indicator"};
    case property_id::message_expiry_interval: return property_info{four_byte_integer, in_publish | will_bit, "Message Expiry Interval"};
    case property_id::content_type: return property_info{utf8_string, in_publish | will_bit, "Content Type"};
    case property_id::response_topic: return property_info{utf8_string, in_publish | will_bit, "Response Topic"};
    case property_id::correlation_data: return property_info{binary_data, in_publish | will_bit, "Correlation Data"};
    case property_id::subscription_identifier: return property_info{variable_byte_integer, in_publish | in_subscribe, "Subscription Identifier"};
    case property_id::session_expiry_interval: return property_info{four_byte_integer, in_connect | in_connack | in_disconnect, "Session Expiry Interval"};
    case property_id::assigned_client_identifier: return property_info{utf8_string, in_connack, "Assigned Client Identifier"};
    case property_id::server_keep_alive: return property_info{two_byte_integer, in_connack, "Server Keep Alive"};
    case property_id::authentication_method: return property_info{utf8_string, in_connect | in_connack | in_auth, "Authentication Method"};
    case property_id::authentication_data: return property_info{binary_data, in_connect | in_connack | in_auth, "Authentication Data"};
    case property_id::request_problem_information: return property_info{byte, in_connect, "Request Problem Information"};
    case property_id::will_delay_interval: return property_info{four_byte_integer, will_bit, "Will Delay Interval"};
    case property_id::request_response_information: return property_info{byte, in_connect, "Request Response Information"};
    case property_id::response_information: return property_info{utf8_string, in_connack, "Response Information"};
    case property_id::server_reference: return property_info{utf8_string, in_connack | in_disconnect, "Server Reference"};
    case property_id::reason_string: return property_info{utf8_string, in_acks, "Reason String"};
    case property_id::receive_maximum: return property_info{two_byte_integer, in_connect | in_connack, "Receive Maximum"};
    case property_id::topic_alias_maximum: return property_info{two_byte_integer, in_connect | in_connack, "Topic Alias Maximum"};
    case property_id::topic_alias: return property_info{two_byte_integer, in_publish, "Topic Alias"};
    case property_id::maximum_qos: return property_info{byte, in_connack, "Maximum QoS"};
    case property_id::retain_available: return property_info{byte, in_connack, "Retain Available"};
    case property_id::user_property: return property_info{utf8_string_pair, everywhere, "User Property"};
    case property_id::maximum_packet_size: return property_info{four_byte_integer, in_connect | in_connack, "Maximum Packet Size"};
    case property_id::wildcard_subscription_available: return property_info{byte, in_connack, "Wildcard Subscription Available"};
    case property_id::subscription_identifier_available: return property_info{byte, in_connack, "Subscription Identifier Available"};
    case property_id::shared_subscription_available: return property_info{byte, in_connack, "Shared Subscription Available"};
    }
    return std::nullopt;
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
