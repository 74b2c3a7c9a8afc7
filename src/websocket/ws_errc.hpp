#pragma once
// Every way RFC 6455 input can be refused, one named value per rule, as a std::error_code.
// close_code_for() gives the Close frame status a peer answers each with (RFC 6455 7.4.1).
#include <cstdint>
#include <system_error>

namespace wv::websocket {

enum class ws_errc {
    // Framing (RFC 6455 5.2)
    reserved_bits = 1,         // RSV1-3 set without a negotiated extension (5.2)
    reserved_opcode,           // opcode 3-7 or 0xB-0xF (5.2)
    non_minimal_length,        // 126/127 form for a length the shorter form holds (5.2: "minimal")
    length_msb_set,            // the 64-bit length's most significant bit is set (5.2)
    unmasked_client_frame,     // a client frame without the mask bit (5.1: the server MUST close)
    masked_server_frame,       // a server frame with the mask bit (5.1: the client MUST close)
    control_fragmented,        // a control frame without FIN (5.5)
    control_too_long,          // a control frame payload over 125 bytes (5.5)
    bad_continuation,          // a continuation with no message open, or a new message inside one (5.4)
    frame_too_large,           // a frame payload over the configured maximum (close 1009)
    text_refused,              // a text frame: MQTT travels in binary frames only (MQTT 3.1.1 6.0)
    bad_close_payload,         // a Close body of 1 byte, a code not allowed on the wire, or bad UTF-8 (5.5.1, 7.4)
    // The peer or the connection ended it
    closed_by_peer,            // the peer sent Close (the value of an orderly end)
    // Opening handshake (RFC 6455 4)
    handshake_malformed,       // the HTTP request or response does not parse
    handshake_refused,         // the server answered a status other than 101 (client side)
    bad_accept,                // Sec-WebSocket-Accept does not match our key (4.1)
    subprotocol_missing,       // the server did not select `mqtt` (client side)
    handshake_timeout,         // the upgrade did not complete in time
    closed_in_handshake,       // the transport ended before the handshake finished
    close_timeout,             // the peer did not answer our Close in time
};

const std::error_category& ws_category() noexcept;
std::error_code make_error_code(ws_errc e) noexcept;

// Close status codes (RFC 6455 7.4.1).
enum class close_code : std::uint16_t {
    normal = 1000,
    going_away = 1001,
    protocol_error = 1002,
    unsupported_data = 1003,
    no_status = 1005,           // never on the wire: "no code in the Close frame"
    invalid_payload = 1007,
    policy_violation = 1008,
    message_too_big = 1009,
    internal_error = 1011,
};

// The Close code a peer sends when it refuses input for `e` (1002 for framing errors).
close_code close_code_for(ws_errc e) noexcept;

}  // namespace wv::websocket

template <>
struct std::is_error_code_enum<wv::websocket::ws_errc> : std::true_type {};
