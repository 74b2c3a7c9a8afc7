#pragma once
// Why a connection ended, with AWS's lifecycle-event names (spec 5.7). `will_published` says
// whether AWS publishes the Will for it: on every disconnect the client did not initiate.
#include <string_view>

namespace wv::gate {

enum class disconnect_reason {
    auth_error,                    // authentication or authorization failed (also a denied publish)
    client_initiated_disconnect,   // MQTT DISCONNECT
    client_error,                  // protocol violation: malformed packet, second CONNECT, oversize
    connection_lost,               // TCP/TLS closed or reset without DISCONNECT
    duplicate_clientid,            // another connection took the client id
    forbidden_access,
    mqtt_keep_alive_timeout,
    server_error,
    server_initiated_disconnect,   // gateway shutdown, connection limit
    throttled,
    customauth_ttl_expiration,     // disconnectAfterInSeconds elapsed
    websocket_ttl_expiration,      // MQTT over WebSocket: the connection's 24 h are up
};

constexpr std::string_view to_string(disconnect_reason r) noexcept {
    switch (r) {
        case disconnect_reason::auth_error: return "AUTH_ERROR";
        case disconnect_reason::client_initiated_disconnect: return "CLIENT_INITIATED_DISCONNECT";
        case disconnect_reason::client_error: return "CLIENT_ERROR";
        case disconnect_reason::connection_lost: return "CONNECTION_LOST";
        case disconnect_reason::duplicate_clientid: return "DUPLICATE_CLIENTID";
        case disconnect_reason::forbidden_access: return "FORBIDDEN_ACCESS";
        case disconnect_reason::mqtt_keep_alive_timeout: return "MQTT_KEEP_ALIVE_TIMEOUT";
        case disconnect_reason::server_error: return "SERVER_ERROR";
        case disconnect_reason::server_initiated_disconnect: return "SERVER_INITIATED_DISCONNECT";
        case disconnect_reason::throttled: return "THROTTLED";
        case disconnect_reason::customauth_ttl_expiration: return "CUSTOMAUTH_TTL_EXPIRATION";
        case disconnect_reason::websocket_ttl_expiration: return "WEBSOCKET_TTL_EXPIRATION";
    }
    return "UNKNOWN";
}

constexpr bool publishes_will(disconnect_reason r) noexcept {
    return r != disconnect_reason::client_initiated_disconnect;
}

}  // namespace wv::gate
