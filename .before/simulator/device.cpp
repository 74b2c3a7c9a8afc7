#include "device.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "classify.hpp"
#include "mqtt/packets/connack.hpp"
#include "mqtt/packets/connect.hpp"
#include "payload/report_end.hpp"
#include "session.hpp"
#include "tls/connect.hpp"
#include "worker.hpp"

namespace wv::sim {

// One framed packet, or the error that ended the stream. A struct, not a variant, because
// awaitable operators flatten variants.
struct packet_read {
    std::error_code ec;
    std::optional<mqtt::frame> f;
};

namespace {
constexpr auto tok = asio::as_tuple(asio::use_awaitable);
using namespace asio::experimental::awaitable_operators;

// Reads until one whole packet is framed. The frame views `buf` or the decoder's buffer and
// stays valid until the next read.
//
// `ack_at_once` (while waiting for CONNACK): before every wait, acknowledge what arrived at
// once. A server with Nagle on (mosquitto's default) holds its CONNACK until its TLS 1.3
// session tickets are acknowledged, and the tickets arrive after our CONNECT has left, when
// TCP_QUICKACK set right after the write no longer covers them (quick-ack is not sticky):
// each connect then stalls ~40 ms on our delayed ACK.
asio::awaitable<packet_read> read_packet(device& d, std::span<std::byte> buf, bool ack_at_once) {
    for (;;) {
        auto r = d.decoder.next();
        if (auto* f = std::get_if<mqtt::frame>(&r)) co_return packet_read{{}, *f};
        if (auto* e = std::get_if<std::error_code>(&r)) co_return packet_read{*e, {}};
        auto need = tls::stream::wait_for::read;
        auto [ec, n] = d.s->read_now(buf, need);
        if (ec == std::errc::operation_would_block) {
            if (ack_at_once) d.s->quick_ack();
            if (auto wec = co_await d.s->async_wait_ready(need)) co_return packet_read{wec, {}};
            continue;
        }
        if (ec) co_return packet_read{ec, {}};
        d.decoder.feed(std::span<const std::byte>(buf.data(), n));
    }
}

// Whole frames after the CONNACK view connect_once's buffer, which dies with its frame: a
// device that subscribed to nothing ignores them anyway; a partial one is copied into the decoder.
void drain_frames(device& d) {
    while (std::holds_alternative<mqtt::frame>(d.decoder.next())) {
    }
}

asio::awaitable<outcome_detail> connect_once(worker& w, device& d) {
    const auto& st = w.settings;
    w.stats.connect_attempts.fetch_add(1, std::memory_order_relaxed);
    // A named variable, not a braced temporary: GCC 12 mishandles temporaries in co_await.
    tls::connect_options opts{.host = st.host,
                              .port = st.address.port(),
                              .address = st.address,
                              .connect_timeout = st.connect_timeout,
                              .handshake_timeout = st.connect_timeout,
                              .identity = st.x509 ? &st.x509->of(d.local) : nullptr};
    auto r = co_await tls::connect(w.io.get_executor(), opts, st.tls);
    if (r.ec) co_return classify_connect_error(r.ec, r.detail.empty() && r.s ? "" : r.detail);
    w.stats.tcp_connect.record(r.timing.tcp_connect);
    if (st.tls) w.stats.tls_handshake.record(r.timing.tls_handshake);
    d.s.emplace(std::move(*r.s));
    d.decoder = mqtt::stream_decoder{};

    // Connect-time buffers live in this frame: only the ~100 connects in flight hold them.
    const auto will = payload::encode_report_end(d.last_report_sent, payload::report_end_reason::terminated);
    mqtt::byte_buffer wbuf;
    std::vector<std::byte> rbuf(64);  // not a std::array: GCC 12 then warns -Wmismatched-new-delete on this frame
    const auto user = d.id.wire_username();
    mqtt::connect c{.clean_session = true,
                    .keep_alive_s = st.keep_alive_s,
                    .client_id = d.id.akid,
                    .will = mqtt::last_will{.topic = d.will_topic, .message = will, .qos = mqtt::qos::at_least_once},
                    .user_name = user,
                    .password = mqtt::as_bytes(d.id.password)};
    if (st.x509) {  // the certificate is the login
        c.user_name.reset();
        c.password.reset();
    }
    mqtt::encode(c, wbuf);
    const auto sent = clock::now();
    if (auto ec = co_await d.s->async_write(wbuf)) {
        co_return is_closed(ec) ? outcome_detail{outcome::closed_without_connack, {}} : outcome_detail{outcome::tls_error, {}};
    }
    // The server's CONNACK may sit behind Nagle and our delayed ACK (spec: ~45 ms per connect
    // against mosquitto); acknowledging at once removes that stall for any server.
    d.s->quick_ack();
    d.last_write = sent;

    asio::steady_timer timer(w.io);
    timer.expires_after(st.connect_timeout);
    auto res = co_await (read_packet(d, rbuf, true) || timer.async_wait(tok));
    if (res.index() == 1) co_return outcome_detail{outcome::connack_timeout, {}};
    const auto& got = std::get<0>(res);
    if (got.ec) {
        if (!is_closed(got.ec)) co_return outcome_detail{outcome::protocol_error, got.ec.message()};
        co_return outcome_detail{st.explain_x509 ? st.explain_x509(d.local) : outcome::closed_without_connack, {}};
    }
    const auto& f = *got.f;
    if (f.type != mqtt::packet_type::connack) co_return outcome_detail{outcome::protocol_error, "first packet not CONNACK"};
    auto ack = mqtt::decode_connack(f.body, f.flags);
    if (!ack) co_return outcome_detail{outcome::protocol_error, ack.error().message()};
    drain_frames(d);
    const auto o = connack_outcome(static_cast<int>(ack->code));
    if (o == outcome::connected) {
        w.stats.connack.record(clock::now() - sent);
        w.stats.connack_second.record(clock::now() - sent);
    }
    co_return outcome_detail{o, {}};
}

}  // namespace

device::device(asio::any_io_executor ex, std::uint32_t local_index, const device_identity& ident, std::string t,
               std::string wt)
    : local(local_index), id(ident), topic(std::move(t)), will_topic(std::move(wt)), wake(ex) {}

std::uint16_t device::take_packet_id() noexcept {
    const auto id = next_packet_id;
    next_packet_id = static_cast<std::uint16_t>(next_packet_id == 65535 ? 1 : next_packet_id + 1);
    return id;
}

// Sleeps on the device's timer until `t`; false when a stop was asked for (poke() cancels it).
asio::awaitable<bool> pause_until(worker& w, device& d, clock::time_point t) {
    if (!d.stop_requested && clock::now() < t) {
        d.reconnect_wait = true;
        d.wake.expires_at(t);
        co_await d.wake.async_wait(tok);
        d.reconnect_wait = false;
    }
    co_return !d.stop_requested && clock::now() < w.at(w.tt.end());
}

asio::awaitable<void> run_device(worker& w, device& d) {
    const bool first = !d.first_attempt_done;
    d.first_attempt_done = true;
    std::optional<outcome_detail> o;
    for (std::uint32_t retry = 0;; ++retry) {
        // A reconnect (after a churn or a failed retry) keeps AWS's 1 CONNECT/s per client id.
        if (!first && !co_await pause_until(w, d, d.last_connect + min_connect_spacing)) {
            if (retry == 0) d.session_end = outcome::clean_stop;  // a planned reconnect the end of the run cut short
            break;
        }
        o.reset();
        try {
            o = co_await connect_once(w, d);
        } catch (const std::exception&) {
            // Per-device paths do not throw by design; if one does, the device ends, the run goes on.
        }
        // The server took in this CONNECT before it answered it (or closed): the next one goes
        // 1 s after this, so it arrives more than 1 s after, whatever the server's delays.
        d.last_connect = clock::now();
        if (first) {
            if (o) d.first_outcome = o->what;
            w.connect_finished();
        }
        if (!o) w.stats.count(outcome::protocol_error, "internal");
        else w.stats.count(o->what, o->detail);
        if (o && o->what == outcome::connected) {
            d.ever_connected = true;
            w.stats.connects_ok.fetch_add(1, std::memory_order_relaxed);
            w.stats.on_connected();
            start_session(w, d);  // from here on callbacks run the device; this frame ends
            co_return;
        }
        if (o) w.stats.connect_failures.fetch_add(1, std::memory_order_relaxed);
        d.s.reset();
        if (first || !o || !w.settings.retry.enabled) break;
        const auto again = clock::now() + retry_delay(w.settings.retry, w.settings.seed, d.id.index, retry);
        if (again >= w.at(w.tt.end()) || !co_await pause_until(w, d, again)) break;
    }
    d.done = true;
    --w.active;
}

}  // namespace wv::sim
