#pragma once
// Any of the fifteen MQTT control packets (fourteen in 3.1.1, AUTH in 5), with decode/encode
// dispatch on the type and the connection's protocol level.
//
// The level a connection speaks is the one its CONNECT carried: a server decodes the first
// frame with decode_any(f, highest level it accepts), then reads and writes every later packet
// at connect.protocol_level. The overloads without a level are MQTT 3.1.1.
#include <variant>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/frame.hpp"
#include "mqtt/packets/auth.hpp"
#include "mqtt/packets/connack.hpp"
#include "mqtt/packets/connect.hpp"
#include "mqtt/packets/disconnect.hpp"
#include "mqtt/packets/pingreq.hpp"
#include "mqtt/packets/pingresp.hpp"
#include "mqtt/packets/puback.hpp"
#include "mqtt/packets/pubcomp.hpp"
#include "mqtt/packets/publish.hpp"
#include "mqtt/packets/pubrec.hpp"
#include "mqtt/packets/pubrel.hpp"
#include "mqtt/packets/suback.hpp"
#include "mqtt/packets/subscribe.hpp"
#include "mqtt/packets/unsuback.hpp"
#include "mqtt/packets/unsubscribe.hpp"
#include "mqtt/result.hpp"

namespace wv::mqtt {

// Alternatives in packet-type order: packet.index() + 1 == the type's wire number.
using packet = std::variant<connect, connack, publish, puback, pubrec, pubrel, pubcomp, subscribe,
                            suback, unsubscribe, unsuback, pingreq, pingresp, disconnect, auth>;

packet_type type_of(const packet& p) noexcept;

// Decodes f's body with the decoder for f.type at level v; for a CONNECT, v is the highest level
// the receiver accepts. Views into f.body stay views: the packet is valid only as long as the
// bytes f came from. Errors: whatever that type's decoder returns.
result<packet> decode_any(const frame& f, protocol_level v);
result<packet> decode_any(const frame& f);  // 3.1.1

// Appends p with the encoder for its type at level v; a CONNECT is written at its own
// protocol_level. Throws as that encoder does.
void encode(const packet& p, byte_buffer& out, protocol_level v);
void encode(const packet& p, byte_buffer& out);  // 3.1.1 (a CONNECT at its own level)

// Test and tool convenience: the packet's bytes in a fresh buffer.
template <class P>
byte_buffer encode_to_bytes(const P& p) {
    byte_buffer out;
    encode(p, out);
    return out;
}

template <class P>
byte_buffer encode_to_bytes(const P& p, protocol_level v) {
    byte_buffer out;
    encode(p, out, v);
    return out;
}

}  // namespace wv::mqtt
