#pragma once
// Errors of the client-side MQTT connection, as a std::error_code category ("wv.client").
// Transport failures arrive as wv::tls::tls_errc or system errors, malformed input from the
// server as wv::mqtt::mqtt_errc; these are the MQTT session's own.
#include <system_error>

namespace wv::client {

enum class client_errc {
    connack_timeout = 1,            // no CONNACK within session_options::connack_timeout
    unexpected_packet,              // the server broke 3.1.1 (first packet not CONNACK, a stray ack, ...)
    // CONNACK return codes 1-5 (3.2.2.3):
    refused_protocol_version,
    refused_identifier_rejected,
    refused_server_unavailable,
    refused_bad_user_name_or_password,
    refused_not_authorized,
    pingresp_timeout,               // no PINGRESP within session_options::pingresp_timeout
    queue_full,                     // the write queue is at session_options::max_queued_bytes
    too_many_in_flight,             // every packet identifier is in use
    not_connected,                  // no CONNACK yet, or the connection has ended
    connection_lost,                // the operation was in flight when the connection ended
    subscription_refused,           // a SUBACK return code 0x80
    disconnected,                   // run() ended because disconnect() was called
    packet_too_large,               // MQTT 5: over the server's Maximum Packet Size (CONNACK); not sent
};

const std::error_category& client_category() noexcept;
std::error_code make_error_code(client_errc e) noexcept;

}  // namespace wv::client

template <>
struct std::is_error_code_enum<wv::client::client_errc> : std::true_type {};
