#pragma once
// The client's side of MQTT over WebSocket (layer.hpp), for wvsim's devices: begin() sends
// the upgrade request (RFC 6455 4.1, subprotocol mqtt); the server's answer is parsed with
// Beast's response_parser fed by put(). A 101 that checks out (accept value, upgrade,
// subprotocol) opens the frames; anything else ends the connection and the inner machine hears
// the error (refused_status() then says which HTTP status refused it). What the inner machine
// sends before the 101 (its CONNECT) is held and goes out as the first frame.
//
// Frames we send are masked (5.3) with keys from a per-thread generator seeded from OpenSSL's
// RAND_bytes: fresh for every frame and unpredictable to the network, as 10.3 asks, without a
// system call per frame.
#include <memory>
#include <string>

#include "websocket/handshake.hpp"
#include "websocket/layer.hpp"

namespace wv::websocket {

struct client_options {
    std::string host;                  // the Host header (the endpoint's name)
    std::string target = "/mqtt";      // path and query (a presigned URL's, an authorizer's parameters)
    std::string extra_headers{};       // whole "Name: value\r\n" lines (custom-auth headers)
    std::uint64_t max_frame_bytes = 256 * 1024;
    std::size_t max_header_bytes = 8 * 1024;
    std::chrono::milliseconds handshake_timeout{10'000};
};

class client_layer final : public layer {
public:
    client_layer(net::protocol_machine& inner, client_options o, clock::time_point now);
    ~client_layer();

    // Sends the upgrade request. Call once, first (through driver::act, not wrap()).
    void begin(clock::time_point now, net::effects& fx);

    // The HTTP status of a refused upgrade (0: none, or not refused).
    unsigned refused_status() const noexcept { return refused_status_; }

private:
    std::span<const std::byte> on_handshake_bytes(std::span<const std::byte> in, clock::time_point now,
                                                  net::effects& fx) override;
    bool handshake_wants_quick_ack() const override { return true; }
    std::optional<mask_key> next_mask() override;

    struct pending;                    // the key, the parser and the bytes read (handshake only)
    client_options opts_;
    std::unique_ptr<pending> p_;
    unsigned refused_status_ = 0;
};

// 16 random bytes, base64: a Sec-WebSocket-Key (from the per-thread generator).
std::string make_key();

}  // namespace wv::websocket
