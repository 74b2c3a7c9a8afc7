#pragma once
// Framing: find one whole control packet at the front of a byte span, checking the fixed header
// before anything is buffered.
#include <cstddef>
#include <cstdint>
#include <span>
#include <system_error>
#include <variant>

#include "mqtt/limits.hpp"
#include "mqtt/packet_type.hpp"

namespace wv::mqtt {

// Not enough input yet: call again once at least at_least bytes (counted from the start of the
// packet, not in addition) are available. Never more than the limit's max_packet_bytes.
struct need_more {
    std::size_t at_least;
};

// One whole packet. body views the caller's input: valid as long as that input is.
struct frame {
    packet_type type;
    std::uint8_t flags;                 // low nibble of the first byte
    std::span<const std::byte> body;    // Remaining Length bytes after the fixed header
    std::size_t consumed;               // fixed header + body
};

// Reads the packet at the front of in, framed as protocol level v speaks (the level of the
// connection's CONNECT; a CONNECT frames alike in both). Fails, as soon as the bytes that show it
// are present:
//   reserved_packet_type      type 0, or 15 unless v is 5 (AUTH)
//   reserved_flags            flags other than 0000 (0010 for PUBREL, SUBSCRIBE, UNSUBSCRIBE)
//   invalid_qos               a PUBLISH with both QoS bits set
//   remaining_length_too_long a fifth Remaining Length byte
//   bad_remaining_length      3.1.1: CONNACK/PUBACK/PUBREC/PUBREL/PUBCOMP/UNSUBACK not 2,
//                             PING*/DISCONNECT not 0; 5: PING* not 0 (the rest carry reason codes
//                             and properties)
//   varint_not_minimal        5 only: a Remaining Length longer than it needs [MQTT-1.5.5-1]
//   packet_too_large          fixed header + Remaining Length over lim.max_packet_bytes
// The body itself is not parsed: pass the frame to decode_any or to the type's decoder.
std::variant<need_more, frame, std::error_code> read_frame(
    std::span<const std::byte> in, const limits& lim = {}, protocol_level v = protocol_level::v3_1_1) noexcept;

}  // namespace wv::mqtt
