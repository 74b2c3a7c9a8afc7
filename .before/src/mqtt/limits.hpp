#pragma once
#include <cstddef>

namespace wv::mqtt {

// The largest Remaining Length MQTT can express (2.2.3).
inline constexpr std::size_t max_remaining_length = 268'435'455;

// AWS IoT Core caps a PUBLISH payload at 128 KiB. The default whole-packet limit adds room for
// the fixed header (5), the topic (AWS allows 256 bytes, so 2 + 256) and the packet id (2).
inline constexpr std::size_t default_max_packet_bytes = 128 * 1024 + 5 + 2 + 256 + 2;

struct limits {
    // Whole packet, fixed header included. Longer packets fail with packet_too_large as soon as
    // their fixed header is read, before any of the body is buffered.
    std::size_t max_packet_bytes = default_max_packet_bytes;
};

}  // namespace wv::mqtt
