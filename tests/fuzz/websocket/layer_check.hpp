#pragma once
// The fuzz property of the WebSocket layer, shared by the libFuzzer target and the g++ replay
// test: any bytes, in any split, into a server layer (and a client layer that has sent its
// request) must return, bound what they buffer, and close at most once; an inner machine never
// hears bytes after it heard the end.
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>

#include "websocket/client_layer.hpp"
#include "websocket/server_layer.hpp"

namespace wv::fuzz {

struct inner_sink final : net::protocol_machine {
    std::size_t bytes = 0;
    bool ended = false;
    void on_bytes(std::span<const std::byte> in, websocket::clock::time_point, net::effects& fx) override {
        if (ended) throw std::logic_error("bytes after the end");
        bytes += in.size();
        // Answer something so frames go out too (an MQTT PINGRESP's size).
        fx.send.push_back(std::byte{0xd0});
        fx.send.push_back(std::byte{0x00});
    }
    void on_deadline(websocket::clock::time_point, net::effects&) override {}
    void on_transport_closed(std::error_code, websocket::clock::time_point) override { ended = true; }
    std::optional<websocket::clock::time_point> next_deadline() const override { return std::nullopt; }
};

// The first byte picks the split size (1..16) of the rest.
inline void check_layers(std::span<const std::uint8_t> data) {
    if (data.empty()) return;
    const std::size_t step = 1 + (data[0] & 0x0F);
    auto in = std::as_bytes(data.subspan(1));
    const websocket::clock::time_point t0{};
    inner_sink s_inner, c_inner;
    websocket::server_layer server(s_inner, {.max_header_bytes = 1024, .max_frame_bytes = 4096}, t0);
    websocket::client_layer client(c_inner, {.host = "h", .max_frame_bytes = 4096, .max_header_bytes = 1024}, t0);
    net::effects sfx, cfx;
    client.begin(t0, cfx);
    for (std::size_t at = 0; at < in.size(); at += step) {
        const auto piece = in.subspan(at, std::min(step, in.size() - at));
        if (!sfx.closing()) server.on_bytes(piece, t0, sfx);
        if (!cfx.closing()) client.on_bytes(piece, t0, cfx);
        sfx.send.clear();
        cfx.send.clear();
    }
    if (s_inner.bytes > in.size() || c_inner.bytes > in.size()) throw std::logic_error("more bytes out than in");
}

}  // namespace wv::fuzz
