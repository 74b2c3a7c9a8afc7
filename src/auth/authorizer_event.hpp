#pragma once
// The event AWS IoT sends to a custom authorizer (spec 1.4), field for field, for the three
// paths that invoke one: MQTT on 443 (ALPN mqtt), HTTPS publish and MQTT over WebSocket.
// Fields that do not apply are omitted, as AWS omits them:
//
//   { "token": "<value under tokenKeyName>",          // only when a token was found
//     "signatureVerified": false,                      // always; true only after verification
//     "protocols": ["tls", "mqtt"],                    // MQTT; ["tls","http"] HTTPS publish;
//                                                      // ["tls","http","mqtt"] MQTT over WebSocket
//     "protocolData": {
//       "tls":  { "serverName": "<SNI>" },             // only when the client sent SNI
//       "http": { "headers": { "<name>": "<value>" },  // HTTP paths: every request header, names as
//                                                      // sent, repeated ones joined with ","
//                 "queryString": "?<raw query>" },     // as sent, with its "?"; "" when none
//       "mqtt": { "username": "<raw user name>",       // MQTT paths; only when sent; byte for byte
//                 "password": "<base64 of raw bytes>", // only when sent
//                 "clientId": "<client id>" } },       // only when sent (non-empty)
//     "connectionMetadata": { "id": "<UUID v4>" } }
//
// Pure except make_connection_id() (OpenSSL's RNG). Thread-safe.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace wv::auth {

// The HTTP request of an HTTPS publish or a WebSocket upgrade, as the event carries it.
struct http_request_info {
    std::vector<std::pair<std::string, std::string>> headers{};  // as received, in order
    std::string query_string{};  // "?a=b" as sent (percent-encoded), "" when the target has none
};

// What the gateway saw of a connection by the time it has read CONNECT (MQTT, WebSocket) or
// the request (HTTPS publish).
struct connect_info {
    std::optional<std::string> server_name{};  // TLS SNI
    std::optional<std::string> username{};     // MQTT user name, raw
    std::optional<std::string> password{};     // MQTT password, raw bytes
    std::optional<std::string> client_id{};    // absent or empty: the key is omitted
    std::string connection_id{};               // a UUID v4 (make_connection_id())
    std::optional<http_request_info> http{};   // HTTPS publish and MQTT over WebSocket
    bool mqtt = true;                          // false for HTTPS publish: no "mqtt" protocol
};

struct event_options {
    std::optional<std::string> token{};        // the token found under tokenKeyName
    bool signature_verified = false;
};

nlohmann::json make_authorizer_event(const connect_info& c, const event_options& o);
std::string make_authorizer_event_json(const connect_info& c, const event_options& o);

// A random RFC 4122 version 4 UUID, lower-case: "xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx".
std::string make_connection_id();

}  // namespace wv::auth
