#pragma once
// Private to the codec: the MQTT 5 body of DISCONNECT and AUTH, an optional reason code then
// optional properties (5.0 3.14.2, 3.15.2): Remaining Length 0 means reason 0x00 and no
// properties, 1 a reason code without a Property Length.
#include <span>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/packet_type.hpp"
#include "mqtt/properties.hpp"
#include "mqtt/reason_code.hpp"
#include "mqtt/result.hpp"

namespace wv::mqtt::detail {

struct reason_fields {
    reason_code reason = reason_code::success;
    mqtt::properties properties{};
};

// Errors: truncated, reason_code_not_allowed (for t), the property errors, trailing_bytes.
result<reason_fields> decode_reason_body(std::span<const std::byte> body, packet_type t) noexcept;
// The shortest form: nothing for 0x00 without properties, the reason code alone without them.
void encode_reason_packet(std::uint8_t first_byte, packet_type t, const reason_fields& f, byte_buffer& out);

}  // namespace wv::mqtt::detail
