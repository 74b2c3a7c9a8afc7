#pragma once
// One-line, human-readable descriptions of packets for logs and test failure messages:
//   CONNECT{client_id="d1" clean_session=1 keep_alive_s=60 user_name="u" password=*****}
//   PUBLISH{topic="a/b" qos=1 packet_id=7 retain=0 dup=0 payload=60B}
//   PUBACK{packet_id=7 reason=0x87 props={reason_string="denied"}}       (MQTT 5 fields when set)
// Passwords are always masked; payloads and will messages are shown as a byte count only, and
// strings escape anything outside printable ASCII as \xNN, so a line is safe to log. Properties
// print by name; Authentication Data is masked like a password, binary values show a byte count.
#include <iosfwd>

#include "mqtt/packet.hpp"

namespace wv::mqtt {

std::ostream& operator<<(std::ostream& os, const connect& p);
std::ostream& operator<<(std::ostream& os, const connack& p);
std::ostream& operator<<(std::ostream& os, const publish& p);
std::ostream& operator<<(std::ostream& os, const puback& p);
std::ostream& operator<<(std::ostream& os, const pubrec& p);
std::ostream& operator<<(std::ostream& os, const pubrel& p);
std::ostream& operator<<(std::ostream& os, const pubcomp& p);
std::ostream& operator<<(std::ostream& os, const subscribe& p);
std::ostream& operator<<(std::ostream& os, const suback& p);
std::ostream& operator<<(std::ostream& os, const unsubscribe& p);
std::ostream& operator<<(std::ostream& os, const unsuback& p);
std::ostream& operator<<(std::ostream& os, const pingreq& p);
std::ostream& operator<<(std::ostream& os, const pingresp& p);
std::ostream& operator<<(std::ostream& os, const disconnect& p);
std::ostream& operator<<(std::ostream& os, const auth& p);
std::ostream& operator<<(std::ostream& os, const properties& p);
std::ostream& operator<<(std::ostream& os, const packet& p);

}  // namespace wv::mqtt
