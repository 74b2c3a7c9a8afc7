#include "websocket/ws_errc.hpp"

#include <string>

namespace wv::websocket {
namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "websocket"; }

    std::string message(int v) const override {
        switch (static_cast<ws_errc>(v)) {
        case ws_errc::reserved_bits: return "WebSocket frame has RSV bits set (no extension was negotiated)";
        case ws_errc::reserved_opcode: return "WebSocket frame has a reserved opcode";
        case ws_errc::non_minimal_length: return "WebSocket frame length not in its minimal form";
        case ws_errc::length_msb_set: return "WebSocket frame 64-bit length has its top bit set";
        case ws_errc::unmasked_client_frame: return "WebSocket frame from the client is not masked";
        case ws_errc::masked_server_frame: return "WebSocket frame from the server is masked";
        case ws_errc::control_fragmented: return "WebSocket control frame is fragmented";
        case ws_errc::control_too_long: return "WebSocket control frame payload over 125 bytes";
        case ws_errc::bad_continuation: return "WebSocket continuation frame out of sequence";
        case ws_errc::frame_too_large: return "WebSocket frame larger than the maximum frame size";
        case ws_errc::text_refused: return "WebSocket text frame: MQTT needs binary frames";
        case ws_errc::bad_close_payload: return "WebSocket Close frame body is malformed";
        case ws_errc::closed_by_peer: return "WebSocket closed by the peer";
        case ws_errc::handshake_malformed: return "WebSocket opening handshake is malformed";
        case ws_errc::handshake_refused: return "WebSocket upgrade refused";
        case ws_errc::bad_accept: return "Sec-WebSocket-Accept does not match the key sent";
        case ws_errc::subprotocol_missing: return "server did not select the WebSocket subprotocol mqtt";
        case ws_errc::handshake_timeout: return "WebSocket opening handshake timed out";
        case ws_errc::closed_in_handshake: return "connection closed before the WebSocket handshake finished";
        case ws_errc::close_timeout: return "WebSocket peer did not answer Close in time";
        }
        return "unknown WebSocket error " + std::to_string(v);
    }
};

}  // namespace

const std::error_category& ws_category() noexcept {
    static const category c;
    return c;
}

std::error_code make_error_code(ws_errc e) noexcept { return {static_cast<int>(e), ws_category()}; }

close_code close_code_for(ws_errc e) noexcept {
    switch (e) {
    case ws_errc::frame_too_large: return close_code::message_too_big;
    case ws_errc::text_refused: return close_code::unsupported_data;
    case ws_errc::closed_by_peer: return close_code::normal;
    default: return close_code::protocol_error;
    }
}

}  // namespace wv::websocket
