#pragma once
// Private to the codec: the body shared by PUBACK, PUBREC, PUBREL, PUBCOMP (and, in 3.1.1,
// UNSUBACK): a non-zero packet identifier and, in MQTT 5, an optional reason code and properties.
#include <cstdint>
#include <span>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/packet_type.hpp"
#include "mqtt/properties.hpp"
#include "mqtt/reason_code.hpp"
#include "mqtt/result.hpp"

namespace wv::mqtt::detail {

// Errors: reserved_flags (flags != required_flags), truncated, zero_packet_id, trailing_bytes.
result<std::uint16_t> decode_packet_id_body(std::span<const std::byte> body, std::uint8_t flags,
                                            std::uint8_t required_flags) noexcept;
void encode_packet_id_packet(std::uint8_t first_byte, std::uint16_t packet_id, byte_buffer& out);

struct ack_fields {
    std::uint16_t packet_id = 0;
    reason_code reason = reason_code::success;
    mqtt::properties properties{};
};

// A PUBACK/PUBREC/PUBREL/PUBCOMP body at level v (5.0 3.4.2): at 5 the reason code may be
// omitted (Remaining Length 2: Success) and the Property Length too (Remaining Length 3).
// Errors: those above, reason_code_not_allowed (for type t), the property errors.
result<ack_fields> decode_ack_body(std::span<const std::byte> body, std::uint8_t flags, std::uint8_t required_flags,
                                   packet_type t, protocol_level v) noexcept;
// Writes the shortest form: at 5, no reason code for Success without properties, no Property
// Length without properties. At 3.1.1 throws exception(not_in_protocol_version) for a reason code
// or properties.
void encode_ack_packet(std::uint8_t first_byte, packet_type t, const ack_fields& a, byte_buffer& out,
                       protocol_level v);

}  // namespace wv::mqtt::detail
