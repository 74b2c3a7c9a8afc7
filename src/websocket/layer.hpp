#pragma once
// MQTT over WebSocket as a protocol machine that wraps another one (net/protocol_machine.hpp):
// the driver runs the layer; the layer runs the inner machine (the gateway's MQTT connection,
// or a wvsim device) on the bytes inside binary frames, and frames what the inner machine
// sends. The opening handshake is the role's (server_layer.hpp, client_layer.hpp); this is
// what both roles share once it is done (RFC 6455 5 and 7):
//
//   peer's bytes   frame_reader: binary payload pieces -> inner.on_bytes(); Ping -> Pong with
//                  its payload; Close -> our Close back, the connection ends, the inner machine
//                  hears on_transport_closed(ws_errc::closed_by_peer); a protocol error (an
//                  unmasked client frame, a text frame, an oversized frame, ...) -> Close with
//                  close_code_for(error), the inner machine hears that error
//   inner's bytes  one binary frame per input (masked by a client), after every input the
//                  inner machine gets, the owner's own (act(), through wrap()) included
//   inner's close  close_after_flush / shutdown_after_flush: a Close 1000 frame after its last
//                  bytes, then the same ending; close_now and reset pass straight through
//   deadlines      the layer's (the handshake's) and the inner machine's, whichever is first
//
// No second I/O loop and no Beast stream: the HTTP upgrade is parsed with Beast's parser fed
// by put(), and frames by frame.hpp, all on the one driver. The inner machine's output is
// copied once into a frame (the frame header must precede it; a client also masks it).
//
//   my_machine inner;  websocket::server_layer ws{inner, {}};  net::driver d{std::move(s), ws};
//   d.act(ws.wrap([&](auto now, net::effects& fx) { inner.publish(p, now, fx); }));
//
// Threading: the driver's (one thread).
#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <system_error>

#include "net/protocol_machine.hpp"
#include "websocket/frame_reader.hpp"

namespace wv::websocket {

using clock = std::chrono::steady_clock;

class layer : public net::protocol_machine, private frame_sink {
public:
    // Runs f(now, fx) for the inner machine (an input of the owner's own, for driver::act) and
    // frames what it sent; a close it asks for is handled as above.
    template <class F>
    auto wrap(F&& f) {
        return [this, &f](clock::time_point now, net::effects& fx) {
            if (!inner_open_) return;
            prepare_inner(fx);
            f(now, inner_fx_);
            after_inner(now, fx);
        };
    }

    // net::protocol_machine
    void on_bytes(std::span<const std::byte> in, clock::time_point now, net::effects& fx) final;
    void on_deadline(clock::time_point now, net::effects& fx) final;
    void on_transport_closed(std::error_code why, clock::time_point now) final;
    std::optional<clock::time_point> next_deadline() const final;
    bool wants_input() const final;
    bool wants_quick_ack() const final;

    // The opening handshake is done: frames flow.
    bool is_open() const noexcept { return state_ == state::open; }
    // The inner machine is still running (it has neither closed nor heard the end).
    bool inner_open() const noexcept { return inner_open_; }

protected:
    enum class state : std::uint8_t { handshake, open, closed };

    layer(net::protocol_machine& inner, read_rules rules, std::chrono::milliseconds handshake_timeout,
          clock::time_point now) noexcept;
    ~layer() = default;

    // --- the role's handshake (server_layer, client_layer) ---
    // Bytes while state() is handshake. Return the bytes left over after the handshake's (the
    // first frames) once open() was called; before, all of `in` is the role's to keep.
    virtual std::span<const std::byte> on_handshake_bytes(std::span<const std::byte> in, clock::time_point now,
                                                          net::effects& fx) = 0;
    virtual bool handshake_wants_input() const { return true; }
    virtual bool handshake_wants_quick_ack() const { return false; }
    // A mask for the next frame we send (a client's); nullopt: unmasked (a server's).
    virtual std::optional<mask_key> next_mask() = 0;

    // The handshake succeeded: frames flow; held inner output goes out first.
    void open(net::effects& fx);
    // The handshake failed: the connection ends with `how` (after our HTTP answer, if any, is
    // in fx.send) and the inner machine hears `why`.
    void fail(net::ending how, std::error_code why, clock::time_point now, net::effects& fx);
    state current() const noexcept { return state_; }
    net::protocol_machine& inner() noexcept { return inner_; }

private:
    void prepare_inner(const net::effects& fx);
    void after_inner(clock::time_point now, net::effects& fx);
    void frame_out(net::effects& fx);
    void close_with(close_code code, std::error_code why, clock::time_point now, net::effects& fx);
    void end_inner(std::error_code why, clock::time_point now);

    // frame_sink
    bool on_data(std::span<const std::byte> piece) override;
    bool on_control(opcode op, std::span<const std::byte> payload) override;

    net::protocol_machine& inner_;
    net::effects inner_fx_;              // what the inner machine hands out during one input
    frame_reader reader_;
    mqtt::byte_buffer held_;             // inner bytes sent before the handshake finished
    clock::time_point handshake_deadline_;
    // The input being read (frame_sink callbacks need them).
    net::effects* fx_ = nullptr;
    clock::time_point now_{};
    state state_ = state::handshake;
    bool inner_open_ = true;
};

}  // namespace wv::websocket
