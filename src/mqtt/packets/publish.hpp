#pragma once
// PUBLISH (3.3; 5.0 3.3): an application message, either direction.
#include <cstdint>
#include <span>
#include <string_view>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/packet_type.hpp"
#include "mqtt/properties.hpp"
#include "mqtt/qos.hpp"
#include "mqtt/result.hpp"

namespace wv::mqtt {

struct publish {
    std::string_view topic{};                 // a valid topic name (no wildcards); MQTT 5: empty
                                              // when a Topic Alias stands for it
    std::span<const std::byte> payload{};     // may be empty
    mqtt::qos qos = mqtt::qos::at_most_once;
    bool retain = false;
    bool dup = false;
    std::uint16_t packet_id = 0;            // non-zero for QoS 1 and 2; absent on the wire for 0
    // MQTT 5 PUBLISH properties: Topic Alias, Message Expiry Interval, Payload Format Indicator,
    // Content Type, Response Topic, Correlation Data, Subscription Identifier(s), User Properties.
    mqtt::properties properties{};
};

// Decodes from the fixed-header flags (DUP, QoS, RETAIN) and the body, without allocating:
// topic, properties and payload view the body. Errors: invalid_qos, dup_with_qos0, truncated,
// utf8_*, empty_topic_name (3.1.1), empty_topic_without_alias (5), wildcard_in_topic_name,
// zero_packet_id, the property errors (5). Whether a Topic Alias is within the maximum the
// receiver announced is the session's business, not the codec's.
result<publish> decode_publish(std::span<const std::byte> body, std::uint8_t flags, protocol_level v) noexcept;
result<publish> decode_publish(std::span<const std::byte> body, std::uint8_t flags) noexcept;  // 3.1.1

// Appends the packet (QoS 0 writes no packet id). Throws exception(string_too_long) for a topic
// over 65,535 bytes, exception(packet_too_large) past 268,435,455 bytes,
// exception(not_in_protocol_version) for properties at 3.1.1, the property errors at 5.
void encode(const publish& p, byte_buffer& out, protocol_level v);
void encode(const publish& p, byte_buffer& out);  // 3.1.1

}  // namespace wv::mqtt
