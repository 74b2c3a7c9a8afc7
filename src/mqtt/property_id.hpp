#pragma once
// MQTT 5 property identifiers, their data types and where each may appear (5.0 2.2.2.2, Table 2-4).
#include <cstdint>
#include <optional>
#include <string_view>

#include "mqtt/packet_type.hpp"

namespace wv::mqtt {

enum class property_id : std::uint8_t {
    payload_format_indicator = 0x01,
    message_expiry_interval = 0x02,
    content_type = 0x03,
    response_topic = 0x08,
    correlation_data = 0x09,
    subscription_identifier = 0x0b,
    session_expiry_interval = 0x11,
    assigned_client_identifier = 0x12,
    server_keep_alive = 0x13,
    authentication_method = 0x15,
    authentication_data = 0x16,
    request_problem_information = 0x17,
    will_delay_interval = 0x18,
    request_response_information = 0x19,
    response_information = 0x1a,
    server_reference = 0x1c,
    reason_string = 0x1f,
    receive_maximum = 0x21,
    topic_alias_maximum = 0x22,
    topic_alias = 0x23,
    maximum_qos = 0x24,
    retain_available = 0x25,
    user_property = 0x26,
    maximum_packet_size = 0x27,
    wildcard_subscription_available = 0x28,
    subscription_identifier_available = 0x29,
    shared_subscription_available = 0x2a,
};

// The data types of 5.0 1.5.
enum class property_type : std::uint8_t {
    byte,                   // 1 byte
    two_byte_integer,       // big-endian
    four_byte_integer,      // big-endian
    variable_byte_integer,  // 1-4 bytes, shortest form
    utf8_string,            // 2-byte length + UTF-8
    binary_data,            // 2-byte length + bytes
    utf8_string_pair,       // two UTF-8 strings: name, value
};

// Where a property block sits: the properties of a packet of a type, or a CONNECT's Will
// Properties (which allow a different set from the CONNECT's own).
struct property_context {
    packet_type type;
    bool will = false;
    friend bool operator==(const property_context&, const property_context&) = default;
};
inline constexpr property_context will_properties{packet_type::connect, true};

// The type of identifier id, or nullopt when Table 2-4 does not define it.
std::optional<property_type> type_of(std::uint8_t id) noexcept;
inline property_type type_of(property_id id) noexcept { return *type_of(static_cast<std::uint8_t>(id)); }

// Whether Table 2-4 lets id appear in ctx. User Property appears everywhere properties do.
bool is_allowed(property_id id, property_context ctx) noexcept;

// Whether id may appear more than once in ctx: User Property always, Subscription Identifier in a
// PUBLISH (one per matching subscription, 5.0 3.3.2.3.8). Everything else is a Protocol Error.
bool is_repeatable(property_id id, property_context ctx) noexcept;

// "Payload Format Indicator", "Topic Alias", ...; "Unknown property" otherwise.
std::string_view to_string(property_id id) noexcept;

}  // namespace wv::mqtt
