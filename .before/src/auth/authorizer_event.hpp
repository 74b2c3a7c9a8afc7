#pragma once
// The event AWS IoT sends to a custom authorizer for an MQTT connection (spec 1.4), field
// for field. Fields that do not apply are omitted, as AWS omits them:
//
//   { "token": "<value under tokenKeyName>",          // only when a token was found
//     "signatureVerified": false,                      // always; true only after verification
//     "protocols": ["tls", "mqtt"],
//     "protocolData": {
//       "tls":  { "serverName": "<SNI>" },             // only when the client sent SNI
//       "mqtt": { "username": "<raw user name>",       // only when sent; byte for byte
//                 "password": "<base64 of raw bytes>", // only when sent
//                 "clientId": "<client id>" } },       // only when sent (non-empty)
//     "connectionMetadata": { "id": "<UUID v4>" } }
//
// Pure except make_connection_id() (OpenSSL's RNG). Thread-safe.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace wv::auth {

// What the gateway saw of a connection by the time it has read CONNECT.
struct connect_info {
    std::optional<std::string> server_name{};  // TLS SNI
    std::optional<std::string> username{};     // MQTT user name, raw
    std::optional<std::string> password{};     // MQTT password, raw bytes
    std::optional<std::string> client_id{};    // absent or empty: the key is omitted
    std::string connection_id{};               // a UUID v4 (make_connection_id())
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
