#pragma once
// SUBSCRIBE (3.8; 5.0 3.8): one or more topic filters with options each; flags 0010.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/packet_type.hpp"
#include "mqtt/properties.hpp"
#include "mqtt/qos.hpp"
#include "mqtt/result.hpp"

namespace wv::mqtt {

// When the server sends retained messages for a new subscription (5.0 3.8.3.1).
enum class retain_handling : std::uint8_t {
    send_on_subscribe = 0,
    send_if_new_subscription = 1,
    do_not_send = 2,
};

struct subscription {
    std::string_view filter{};                // a valid topic filter
    mqtt::qos qos = mqtt::qos::at_most_once;  // the maximum QoS requested
    // MQTT 5 subscription options (5.0 3.8.3.1); all false/0 for 3.1.1.
    bool no_local = false;                    // not on a $share/ filter [MQTT-3.8.3-4 (5.0)]
    bool retain_as_published = false;
    mqtt::retain_handling retain_handling = mqtt::retain_handling::send_on_subscribe;
};

struct subscribe {
    std::uint16_t packet_id = 0;
    std::vector<subscription> subscriptions{};  // filters view the body
    mqtt::properties properties{};              // MQTT 5: Subscription Identifier, User Properties
};

// Errors: reserved_flags, truncated, zero_packet_id, subscribe_no_topics, utf8_*,
// empty_topic_filter, misplaced_*_wildcard, subscribe_reserved_bits, subscribe_invalid_qos; at 5
// also the property errors, subscribe_invalid_retain_handling, invalid_shared_subscription,
// no_local_on_shared_subscription. Allocates the vector (SUBSCRIBE is rare, not on the publish path).
result<subscribe> decode_subscribe(std::span<const std::byte> body, std::uint8_t flags, protocol_level v);
result<subscribe> decode_subscribe(std::span<const std::byte> body, std::uint8_t flags);  // 3.1.1
// At 3.1.1 throws exception(not_in_protocol_version) for MQTT 5 options or properties.
void encode(const subscribe& p, byte_buffer& out, protocol_level v);
void encode(const subscribe& p, byte_buffer& out);  // 3.1.1

}  // namespace wv::mqtt
