#pragma once
// SUBACK (3.9; 5.0 3.9): one return (3.1.1) or reason (5) code per filter of the SUBSCRIBE it
// acknowledges.
#include <cstdint>
#include <span>
#include <vector>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/packet_type.hpp"
#include "mqtt/properties.hpp"
#include "mqtt/reason_code.hpp"
#include "mqtt/result.hpp"

namespace wv::mqtt {

// MQTT 3.1.1 return codes (3.9.3).
enum class suback_code : std::uint8_t {
    granted_qos0 = 0x00,
    granted_qos1 = 0x01,
    granted_qos2 = 0x02,
    failure = 0x80,
};

struct suback {
    std::uint16_t packet_id = 0;
    std::vector<suback_code> return_codes{};   // 3.1.1 only
    std::vector<reason_code> reason_codes{};   // MQTT 5 only (0x00-0x02 granted, 0x87 not authorized ...)
    mqtt::properties properties{};             // MQTT 5 only: Reason String, User Properties
};

// Errors: reserved_flags, truncated, zero_packet_id, suback_no_return_codes,
// suback_invalid_return_code (3.1.1); at 5 the property errors and reason_code_not_allowed.
result<suback> decode_suback(std::span<const std::byte> body, std::uint8_t flags, protocol_level v);
result<suback> decode_suback(std::span<const std::byte> body, std::uint8_t flags);  // 3.1.1
// Writes return_codes at 3.1.1, reason_codes at 5; throws exception(not_in_protocol_version) when
// the other version's list (or properties at 3.1.1) is set.
void encode(const suback& p, byte_buffer& out, protocol_level v);
void encode(const suback& p, byte_buffer& out);  // 3.1.1

}  // namespace wv::mqtt
