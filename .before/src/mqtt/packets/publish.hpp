#pragma once
// PUBLISH (3.3): an application message, either direction.
#include <cstdint>
#include <span>
#include <string_view>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/qos.hpp"
#include "mqtt/result.hpp"

namespace wv::mqtt {

struct publish {
    std::string_view topic{};                 // a valid topic name (no wildcards)
    std::span<const std::byte> payload{};     // may be empty
    mqtt::qos qos = mqtt::qos::at_most_once;
    bool retain = false;
    bool dup = false;
    std::uint16_t packet_id = 0;            // non-zero for QoS 1 and 2; absent on the wire for 0
    // MQTT 5 will add properties here.
};

// Decodes from the fixed-header flags (DUP, QoS, RETAIN) and the body, without allocating:
// topic and payload view the body. Errors: invalid_qos, dup_with_qos0, truncated, utf8_*,
// empty_topic_name, wildcard_in_topic_name, zero_packet_id.
result<publish> decode_publish(std::span<const std::byte> body, std::uint8_t flags) noexcept;

// Appends the packet (QoS 0 writes no packet id). Throws exception(string_too_long) for a topic
// over 65,535 bytes, exception(packet_too_large) past 268,435,455 bytes.
void encode(const publish& p, byte_buffer& out);

}  // namespace wv::mqtt
