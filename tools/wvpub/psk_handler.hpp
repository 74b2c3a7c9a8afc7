#pragma once
// TLS-PSK for --psk/--psk-identity through Paho's PSK callback.
#include <mqtt/ssl_options.h>

#include <string>

namespace wv::wvpub {

// A Paho PSK callback answering every hint with `identity` and the key given in hex (no 0x,
// as mosquitto_pub takes it). A key that is not valid hex yields 0 (the handshake fails).
mqtt::ssl_options::psk_handler make_psk_handler(std::string identity, std::string hex_key);

}  // namespace wv::wvpub
