#include "websocket/layer.hpp"

namespace wv::websocket {

layer::layer(net::protocol_machine& inner, read_rules rules, std::chrono::milliseconds handshake_timeout,
             clock::time_point now) noexcept
    : inner_(inner), reader_(rules), handshake_deadline_(now + handshake_timeout) {}

void layer::on_bytes(std::span<const std::byte> in, clock::time_point now, net::effects& fx) {
    if (state_ == state::handshake) {
        in = on_handshake_bytes(in, now, fx);
        if (state_ != state::open) return;
    }
    if (state_ != state::open || in.empty()) return;
    fx_ = &fx;
    now_ = now;
    if (const auto e = reader_.feed(in, *this)) close_with(close_code_for(static_cast<ws_errc>(e.value())), e, now, fx);
    fx_ = nullptr;
}

bool layer::on_data(std::span<const std::byte> piece) {
    if (!inner_open_) return false;
    prepare_inner(*fx_);
    inner_.on_bytes(piece, now_, inner_fx_);
    after_inner(now_, *fx_);
    return state_ == state::open;
}

bool layer::on_control(opcode op, std::span<const std::byte> payload) {
    auto& fx = *fx_;
    switch (op) {
    case opcode::ping:
        write_frame(opcode::pong, true, payload, next_mask(), fx.send);
        return true;
    case opcode::pong: return true;  // we send no pings; an unsolicited pong is allowed (5.5.3)
    default: break;
    }
    // Close: answer with the peer's code (or a protocol error for a malformed body), then end.
    const auto body = parse_close(payload);
    if (const auto* e = std::get_if<std::error_code>(&body)) {
        close_with(close_code::protocol_error, *e, now_, fx);
        return false;
    }
    const auto& b = std::get<close_body>(body);
    write_close(b.code ? static_cast<close_code>(*b.code) : close_code::normal, {}, next_mask(), fx.send);
    state_ = state::closed;
    fx.close(net::ending::close_after_flush, make_error_code(ws_errc::closed_by_peer));
    end_inner(make_error_code(ws_errc::closed_by_peer), now_);
    return false;
}

void layer::close_with(close_code code, std::error_code why, clock::time_point now, net::effects& fx) {
    if (state_ == state::closed) return;
    if (state_ == state::open) write_close(code, why.message(), next_mask(), fx.send);
    state_ = state::closed;
    fx.close(net::ending::close_after_flush, why);
    end_inner(why, now);
}

void layer::end_inner(std::error_code why, clock::time_point now) {
    if (!inner_open_) return;
    inner_open_ = false;
    inner_.on_transport_closed(why, now);
}

void layer::prepare_inner(const net::effects& fx) {
    // The inner machine bounds its queue by everything queued below it.
    inner_fx_.backlog = fx.backlog + fx.send.size() + held_.size();
}

void layer::after_inner(clock::time_point now, net::effects& fx) {
    frame_out(fx);
    if (!inner_fx_.closing()) return;
    const auto how = inner_fx_.end;
    const auto why = inner_fx_.why;
    inner_fx_.end = net::ending::none;
    inner_fx_.why = {};
    inner_open_ = false;  // it asked: it hears nothing more (protocol_machine's contract)
    if (state_ == state::open && (how == net::ending::close_after_flush || how == net::ending::shutdown_after_flush))
        write_close(close_code::normal, {}, next_mask(), fx.send);
    state_ = state::closed;
    fx.close(how, why);
    (void)now;
}

void layer::frame_out(net::effects& fx) {
    auto& out = inner_fx_.send;
    if (out.empty()) return;
    if (state_ == state::open) {
        write_frame(opcode::binary, true, out, next_mask(), fx.send);
    } else if (state_ == state::handshake) {
        held_.insert(held_.end(), out.begin(), out.end());  // a client's CONNECT before the 101
    }
    out.clear();
    if (out.capacity() > 4096) mqtt::byte_buffer().swap(out);  // idle connections keep nothing big
}

void layer::open(net::effects& fx) {
    state_ = state::open;
    if (!held_.empty()) {
        write_frame(opcode::binary, true, held_, next_mask(), fx.send);
        mqtt::byte_buffer().swap(held_);
    }
}

void layer::fail(net::ending how, std::error_code why, clock::time_point now, net::effects& fx) {
    state_ = state::closed;
    fx.close(how, why);
    end_inner(why, now);
}

void layer::on_deadline(clock::time_point now, net::effects& fx) {
    if (state_ == state::handshake && now >= handshake_deadline_) {
        fail(net::ending::close_now, make_error_code(ws_errc::handshake_timeout), now, fx);
        return;
    }
    if (!inner_open_) return;
    const auto d = inner_.next_deadline();
    if (!d || now < *d) return;
    prepare_inner(fx);
    inner_.on_deadline(now, inner_fx_);
    after_inner(now, fx);
}

void layer::on_transport_closed(std::error_code why, clock::time_point now) {
    // Before the 101 the inner machine has not begun: say so rather than pass a TLS close on.
    if (state_ == state::handshake) why = make_error_code(ws_errc::closed_in_handshake);
    state_ = state::closed;
    end_inner(why, now);
}

std::optional<clock::time_point> layer::next_deadline() const {
    std::optional<clock::time_point> d;
    if (state_ == state::handshake) d = handshake_deadline_;
    if (inner_open_) {
        const auto i = inner_.next_deadline();
        if (i && (!d || *i < *d)) d = i;
    }
    return d;
}

bool layer::wants_input() const {
    if (state_ == state::handshake) return handshake_wants_input();
    return !inner_open_ || inner_.wants_input();
}

bool layer::wants_quick_ack() const {
    if (state_ == state::handshake) return handshake_wants_quick_ack();
    return inner_open_ && inner_.wants_quick_ack();
}

}  // namespace wv::websocket
