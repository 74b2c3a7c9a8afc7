#pragma once
// UNSUBACK (3.11; 5.0 3.11): acknowledges UNSUBSCRIBE; in MQTT 5 with a reason code per filter.
#include <cstdint>
#include <span>
#include <vector>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/packet_type.hpp"
#include "mqtt/properties.hpp"
#include "mqtt/reason_code.hpp"
#include "mqtt/result.hpp"

namespace wv::mqtt {

struct unsuback {
    std::uint16_t packet_id = 0;
    std::vector<reason_code> reason_codes{};  // MQTT 5 only: one per filter, at least one
    mqtt::properties properties{};            // MQTT 5 only: Reason String, User Properties
};

// Errors: reserved_flags (flags must be 0), truncated, zero_packet_id, trailing_bytes (3.1.1);
// at 5 the property errors, unsuback_no_reason_codes, reason_code_not_allowed.
result<unsuback> decode_unsuback(std::span<const std::byte> body, std::uint8_t flags, protocol_level v);
result<unsuback> decode_unsuback(std::span<const std::byte> body, std::uint8_t flags);  // 3.1.1
// At 3.1.1 throws exception(not_in_protocol_version) for reason codes or properties.
void encode(const unsuback& p, byte_buffer& out, protocol_level v);
void encode(const unsuback& p, byte_buffer& out);  // 3.1.1

}  // namespace wv::mqtt
