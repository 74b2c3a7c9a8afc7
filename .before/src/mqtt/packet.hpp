#pragma once
// Any of the fourteen MQTT 3.1.1 control packets, with decode/encode dispatch on the type.
//
// MQTT 5 (a later issue) fits beside this without changing it: its packets add reason codes and
// properties as new defaulted members, and its decoders become overloads taking the protocol
// level the CONNECT established; the 3.1.1 signatures here stay as they are.
#include <variant>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/frame.hpp"
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
                            suback, unsubscribe, unsuback, pingreq, pingresp, disconnect>;

packet_type type_of(const packet& p) noexcept;

// Decodes f's body with the decoder for f.type. Views into f.body stay views: the packet is valid
// only as long as the bytes f came from. Errors: whatever that type's decoder returns.
result<packet> decode_any(const frame& f);

// Appends p with the encoder for its type. Throws as that encoder does.
void encode(const packet& p, byte_buffer& out);

// Test and tool convenience: the packet's bytes in a fresh buffer.
template <class P>
byte_buffer encode_to_bytes(const P& p) {
    byte_buffer out;
    encode(p, out);
    return out;
}

}  // namespace wv::mqtt
