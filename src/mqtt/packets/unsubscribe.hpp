#pragma once
// UNSUBSCRIBE (3.10; 5.0 3.10): one or more topic filters; flags 0010.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/packet_type.hpp"
#include "mqtt/properties.hpp"
#include "mqtt/result.hpp"

namespace wv::mqtt {

struct unsubscribe {
    std::uint16_t packet_id = 0;
    std::vector<std::string_view> filters{};  // view the body
    mqtt::properties properties{};            // MQTT 5 only: User Properties
};

// Errors: reserved_flags, truncated, zero_packet_id, unsubscribe_no_topics, utf8_*,
// empty_topic_filter, misplaced_*_wildcard; at 5 also the property errors.
result<unsubscribe> decode_unsubscribe(std::span<const std::byte> body, std::uint8_t flags, protocol_level v);
result<unsubscribe> decode_unsubscribe(std::span<const std::byte> body, std::uint8_t flags);  // 3.1.1
void encode(const unsubscribe& p, byte_buffer& out, protocol_level v);
void encode(const unsubscribe& p, byte_buffer& out);  // 3.1.1

}  // namespace wv::mqtt
