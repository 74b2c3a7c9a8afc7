#pragma once
// Turns pub_options into what Paho needs: server URI, client id, connect options (will,
// credentials, MQTT 5 properties) and, through configure_ssl(), the TLS options with ALPN.
// The checks here are the ones mosquitto_pub makes while it sets libmosquitto options, with
// its texts; what Paho cannot provide (Unix sockets, SOCKS proxies, bind address, engines,
// PSK) fails here with a clear error instead of being silently ignored.
#include <mqtt/async_client.h>

#include <optional>
#include <string>
#include <variant>

#include "pub_options.hpp"

namespace wv::wvpub {

struct client_plan {
    std::string server_uri;  // tcp://host:port or ssl://host:port
    std::string client_id;   // what CONNECT carries ("" lets the broker choose, as mosquitto)
    int mqtt_version = 4;    // Paho's MQTTVERSION_* value
    bool tls = false;        // configure_ssl() and attach before connecting
    mqtt::connect_options connect;
    // Kept apart: Paho C++ 1.2 copies and moves connect_options without re-pointing its C
    // struct at the copied CONNECT properties, so they are attached just before connecting.
    mqtt::properties connect_properties;
    mqtt::properties publish_properties;
    mqtt::properties disconnect_properties;
    // What `connect` carries, as plain values for wvpub's own 3.1.1 client (native_publisher).
    struct will_message {
        std::string topic, payload;
        int qos = 0;
        bool retain = false;
    };
    std::optional<std::string> user_name, password;
    std::optional<will_message> will;
};

struct setup_error {
    std::string text;  // printed unless --quiet
    int exit_code = 1;
};

// `will_payload` overrides --will-payload (--wavelet-will).
std::variant<client_plan, setup_error> plan_client(const pub_options& o, const std::optional<std::string>& will_payload);

// Fills `ssl` for the TLS options in `o` (no error or PSK callbacks: Paho C++ 1.2 passes them a
// dangling context pointer; TLS failures are read from Paho's trace instead).
void configure_ssl(mqtt::ssl_options& ssl, const pub_options& o);

// The id mosquitto_pub would send: -i, -I prefix + pid, a random "mosq-..." for MQTT 3.1,
// else empty.
std::string choose_client_id(const pub_options& o);

// Paho property list for one -D command ("connect", "publish", "will", "disconnect").
mqtt::properties build_properties(const pub_options& o, const std::string& command);

}  // namespace wv::wvpub
