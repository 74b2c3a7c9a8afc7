#pragma once
// SUBSCRIBE (3.8): one or more topic filters with a requested QoS each; flags 0010.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/qos.hpp"
#include "mqtt/result.hpp"

namespace wv::mqtt {

struct subscription {
    std::string_view filter{};                // a valid topic filter
    mqtt::qos qos = mqtt::qos::at_most_once;  // the maximum QoS requested
    // MQTT 5 will add no-local, retain-as-published and retain-handling options here.
};

struct subscribe {
    std::uint16_t packet_id = 0;
    std::vector<subscription> subscriptions{};  // filters view the body
};

// Errors: reserved_flags, truncated, zero_packet_id, subscribe_no_topics, utf8_*,
// empty_topic_filter, misplaced_*_wildcard, subscribe_reserved_bits, subscribe_invalid_qos.
// Allocates the vector (SUBSCRIBE is rare, not on the publish path).
result<subscribe> decode_subscribe(std::span<const std::byte> body, std::uint8_t flags);
void encode(const subscribe& p, byte_buffer& out);

}  // namespace wv::mqtt
