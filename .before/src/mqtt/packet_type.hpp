#pragma once
#include <cstdint>
#include <string_view>

namespace wv::mqtt {

// Control packet types, the high nibble of the first byte (2.2.1). 0 and 15 are reserved.
enum class packet_type : std::uint8_t {
    connect = 1, connack, publish, puback, pubrec, pubrel, pubcomp,
    subscribe, suback, unsubscribe, unsuback, pingreq, pingresp, disconnect,
};

// "CONNECT", "PUBACK", ...; "RESERVED" for anything else.
std::string_view to_string(packet_type t) noexcept;

// Protocol levels a CONNECT can name. Only 3.1.1 is implemented; the rest are named so that
// errors and future versions (MQTT 5 adds properties and reason codes) have a place to go.
enum class protocol_level : std::uint8_t { v3_1 = 3, v3_1_1 = 4, v5 = 5 };

}  // namespace wv::mqtt
