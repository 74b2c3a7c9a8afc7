#pragma once
// Private to the codec: the body shared by PUBACK, PUBREC, PUBREL, PUBCOMP and UNSUBACK, which is
// a non-zero packet identifier and nothing else.
#include <cstdint>
#include <span>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/result.hpp"

namespace wv::mqtt::detail {

// Errors: reserved_flags (flags != required_flags), truncated, zero_packet_id, trailing_bytes.
result<std::uint16_t> decode_packet_id_body(std::span<const std::byte> body, std::uint8_t flags,
                                            std::uint8_t required_flags) noexcept;
void encode_packet_id_packet(std::uint8_t first_byte, std::uint16_t packet_id, byte_buffer& out);

}  // namespace wv::mqtt::detail
