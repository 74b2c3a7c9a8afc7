#pragma once
#include <cstdint>
#include <string_view>

namespace wv::mqtt {

// Control packet types, the high nibble of the first byte (2.2.1). 0 is reserved; 15 is reserved
// in MQTT 3.1.1 and AUTH in MQTT 5 (read_frame refuses it unless the connection speaks 5).
enum class packet_type : std::uint8_t {
    connect = 1, connack, publish, puback, pubrec, pubrel, pubcomp,
    subscribe, suback, unsubscribe, unsuback, pingreq, pingresp, disconnect, auth,
};

// "CONNECT", "PUBACK", ...; "RESERVED" for anything else.
std::string_view to_string(packet_type t) noexcept;

// Protocol levels a CONNECT can name. The codec speaks 3.1.1 (4) and 5; a connection's level is
// the one its CONNECT carried, and every later packet is read and written at that level.
// MQTT 3.1 ("MQIsdp", 3) is named so that errors can report it.
enum class protocol_level : std::uint8_t { v3_1 = 3, v3_1_1 = 4, v5 = 5 };

}  // namespace wv::mqtt
