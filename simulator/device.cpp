#include "device.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "classify.hpp"
#include "mqtt/packets/connack.hpp"
#include "mqtt/packets/connect.hpp"
#include "mqtt/packets/disconnect.hpp"
#include "mqtt/packets/pingreq.hpp"
#include "mqtt/packets/puback.hpp"
#include "mqtt/packets/publish.hpp"
#include "payload/report_end.hpp"
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

std::uint64_t unix_ms() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
}

bool is_closed(std::error_code ec) {
    using tls::tls_errc;
    return ec == tls_errc::closed || ec == tls_errc::truncated || ec == std::errc::connection_reset ||
           ec == std::errc::broken_pipe || ec == std::errc::not_connected;
}

// Reads until one whole packet is framed. The frame views d.rbuf or the decoder's buffer and
// stays valid until the next read.
asio::awaitable<packet_read> read_packet(device& d) {
    for (;;) {
        auto r = d.decoder.next();
        if (auto* f = std::get_if<mqtt::frame>(&r)) co_return packet_read{{}, *f};
        if (auto* e = std::get_if<std::error_code>(&r)) co_return packet_read{*e, {}};
        auto [ec, n] = co_await d.s->async_read_some(d.rbuf);
        if (ec) co_return packet_read{ec, {}};
        d.decoder.feed(std::span<const std::byte>(d.rbuf.data(), n));
    }
}

asio::awaitable<void> sleep_until(asio::steady_timer& t, clock::time_point when) {
    t.expires_at(when);
    co_await t.async_wait(tok);
}

asio::awaitable<outcome_detail> connect_once(worker& w, device& d) {
    const auto& st = w.settings;
    w.stats.connect_attempts.fetch_add(1, std::memory_order_relaxed);
    // A named variable, not a braced temporary: GCC 12 mishandles temporaries in co_await.
    tls::connect_options opts{.host = st.host,
                              .port = st.address.port(),
                              .address = st.address,
                              .connect_timeout = st.connect_timeout,
                              .handshake_timeout = st.connect_timeout};
    auto r = co_await tls::connect(w.io.get_executor(), opts, st.tls);
    if (r.ec) co_return classify_connect_error(r.ec, r.detail.empty() && r.s ? "" : r.detail);
    w.stats.tcp_connect.record(r.timing.tcp_connect);
    if (st.tls) w.stats.tls_handshake.record(r.timing.tls_handshake);
    d.s.emplace(std::move(*r.s));
    d.decoder = mqtt::stream_decoder{};

    const auto will = payload::encode_report_end(d.last_report_sent, payload::report_end_reason::terminated);
    d.wbuf.clear();
    mqtt::encode(mqtt::connect{.clean_session = true,
                               .keep_alive_s = st.keep_alive_s,
                               .client_id = d.id.akid,
                               .will = mqtt::last_will{.topic = d.will_topic, .message = will, .qos = mqtt::qos::at_least_once},
                               .user_name = d.wire_username,
                               .password = mqtt::as_bytes(d.id.password)},
                 d.wbuf);
    const auto sent = clock::now();
    if (auto ec = co_await d.s->async_write(d.wbuf)) {
        co_return is_closed(ec) ? outcome_detail{outcome::closed_without_connack, {}} : outcome_detail{outcome::tls_error, {}};
    }
    // The server's CONNACK may sit behind Nagle and our delayed ACK (spec: ~45 ms per connect
    // against mosquitto); acknowledging at once removes that stall for any server.
    d.s->quick_ack();
    d.last_write = sent;

    asio::steady_timer timer(w.io);
    timer.expires_after(st.connect_timeout);
    auto res = co_await (read_packet(d) || timer.async_wait(tok));
    if (res.index() == 1) co_return outcome_detail{outcome::connack_timeout, {}};
    const auto& got = std::get<0>(res);
    if (got.ec)
        co_return is_closed(got.ec) ? outcome_detail{outcome::closed_without_connack, {}}
                                    : outcome_detail{outcome::protocol_error, got.ec.message()};
    const auto& f = *got.f;
    if (f.type != mqtt::packet_type::connack) co_return outcome_detail{outcome::protocol_error, "first packet not CONNACK"};
    auto ack = mqtt::decode_connack(f.body, f.flags);
    if (!ack) co_return outcome_detail{outcome::protocol_error, ack.error().message()};
    const auto o = connack_outcome(static_cast<int>(ack->code));
    if (o == outcome::connected) {
        w.stats.connack.record(clock::now() - sent);
        w.stats.connack_second.record(clock::now() - sent);
    }
    co_return outcome_detail{o, {}};
}

asio::awaitable<void> reader(worker& w, device& d) {
    for (;;) {
        auto got = co_await read_packet(d);
        if (got.ec) {
            const bool after_publish = d.ring_size > 0 || clock::now() - d.last_write < std::chrono::seconds(1);
            if (is_closed(got.ec))
                d.end_session(after_publish && d.last_report_sent ? outcome::disconnected_after_publish
                                                                  : outcome::closed_by_server);
            else
                d.end_session(outcome::closed_by_server);
            co_return;
        }
        const auto& f = *got.f;
        if (f.type == mqtt::packet_type::puback) {
            const auto ack = mqtt::decode_puback(f.body, f.flags);
            if (!ack) { d.end_session(outcome::protocol_error); co_return; }
            const auto now = clock::now();
            for (std::uint8_t i = 0; i < d.ring_size; ++i) {
                auto& e = d.ring[(d.ring_head + i) % d.ring.size()];
                if (e.packet_id != ack->packet_id) continue;
                if (e.due != clock::time_point{}) {  // a report (the ReportEnd has no due time)
                    w.stats.acked.fetch_add(1, std::memory_order_relaxed);
                    w.stats.puback.record(now - e.due);
                    w.stats.puback_second.record(now - e.due);
                }
                // Acks come in order; an out-of-order one swaps with the head to stay O(1).
                std::swap(e, d.ring[d.ring_head]);
                d.ring_head = static_cast<std::uint8_t>((d.ring_head + 1) % d.ring.size());
                --d.ring_size;
                break;
            }
            // simfeat hook: a freed slot wakes a writer waiting with 8 unacknowledged, and with
            // --messages the last ack wakes it to stop (it slept up to the ack timeout before).
            if ((d.ring_size == 0 && (d.session_over || w.settings.messages_budget)) ||
                d.ring_size == d.ring.size() - 1)
                d.wake.cancel();
        } else if (f.type == mqtt::packet_type::pingresp) {
            d.ping_outstanding = false;
        }
        // Anything else (a PUBLISH to a device that never subscribed) is ignored, as a device would.
    }
}

asio::awaitable<bool> write(device& d) {
    auto ec = co_await d.s->async_write(d.wbuf);
    if (ec) {
        d.end_session(d.ring_size ? outcome::disconnected_after_publish : outcome::closed_by_server);
        co_return false;
    }
    d.last_write = clock::now();
    co_return true;
}

// ReportEnd(CLOSED) then DISCONNECT, after the acks of reports in flight (bounded).
asio::awaitable<void> stop_cleanly(worker& w, device& d, outcome why) {
    d.end_session(why);
    const auto deadline = clock::now() + std::min<clock::duration>(w.settings.ack_timeout, std::chrono::seconds(5));
    while (d.ring_size && clock::now() < deadline && d.s->is_open()) co_await sleep_until(d.wake, deadline);
    if (!d.s->is_open()) co_return;
    const auto end = payload::encode_report_end(d.last_report_sent, payload::report_end_reason::closed);
    d.wbuf.clear();
    mqtt::encode(mqtt::publish{.topic = d.will_topic, .payload = end, .qos = mqtt::qos::at_least_once,
                               .packet_id = d.take_packet_id()},
                 d.wbuf);
    mqtt::encode(mqtt::disconnect{}, d.wbuf);
    if (co_await write(d)) w.stats.report_ends.fetch_add(1, std::memory_order_relaxed);
    d.s->close();
}

asio::awaitable<void> writer(worker& w, device& d) {
    const auto& st = w.settings;
    const auto kill = w.tt.kill_at(d.local);
    const auto since_start = std::chrono::duration_cast<run_time>(clock::now() - w.start);
    const auto churn = w.tt.churn_after(d.local, since_start);
    const auto keep_alive = std::chrono::seconds(st.keep_alive_s);
    for (;;) {
        if (d.session_over) co_return;
        if (d.stop_requested) co_return co_await stop_cleanly(w, d, outcome::clean_stop);
        const auto now = clock::now();
        if (kill && now >= w.at(*kill)) {
            d.end_session(outcome::killed);
            w.stats.killed.fetch_add(1, std::memory_order_relaxed);
            d.s->abort();  // RST, no DISCONNECT: the broker must publish the will
            co_return;
        }
        if (churn && now >= w.at(*churn)) co_return co_await stop_cleanly(w, d, outcome::churned);
        // A PUBACK or PINGRESP that never comes means the connection is dead.
        if ((d.ring_size && now - d.ring[d.ring_head].sent > st.ack_timeout) ||
            (d.ping_outstanding && now - d.ping_sent > st.ack_timeout)) {
            d.end_session(outcome::keep_alive_timeout);
            d.s->close();
            co_return;
        }

        const auto due = w.tt.report_due(d.local, d.next_report);
        // simfeat hook (open loop): at the end of the run a device stops, even when it is behind
        // its timetable; the reports it did not get to are counted unsent in the report.
        if (st.messages_budget ? !due && d.ring_size == 0 : now >= w.at(w.tt.end()))
            co_return co_await stop_cleanly(w, d, outcome::clean_stop);
        // simfeat hook: with 8 reports unacknowledged the next one waits for a PUBACK (the reader
        // wakes us) instead of being dropped; its latency still counts from its due time, so a
        // slow server shows as latency, and a device that connected late catches up in order.
        const bool window_full = st.qos && d.ring_size == d.ring.size();
        if (due && now >= w.at(*due) && !window_full) {
            const auto report_id = d.next_report++;
            w.encoder.set_device_index(d.id.index);  // values per (seed, device, report_id)
            w.encoder.encode(static_cast<std::int64_t>(report_id), unix_ms(), w.report_scratch);
            d.wbuf.clear();
            const auto pid = st.qos ? d.take_packet_id() : std::uint16_t{0};
            mqtt::encode(mqtt::publish{.topic = d.topic, .payload = w.report_scratch,
                                       .qos = st.qos ? mqtt::qos::at_least_once : mqtt::qos::at_most_once,
                                       .packet_id = pid},
                         d.wbuf);
            if (st.qos) {
                d.ring[(d.ring_head + d.ring_size) % d.ring.size()] = {pid, w.at(*due), now};
                ++d.ring_size;
            }
            if (!co_await write(d)) co_return;
            w.stats.sent.fetch_add(1, std::memory_order_relaxed);
            w.stats.send_lag.record(now - w.at(*due));
            d.last_report_sent = report_id;
            continue;
        }
        if (st.keep_alive_s && !d.ping_outstanding && now - d.last_write >= keep_alive) {
            d.wbuf.clear();
            mqtt::encode(mqtt::pingreq{}, d.wbuf);
            if (!co_await write(d)) co_return;
            d.ping_outstanding = true;
            d.ping_sent = clock::now();
            continue;
        }

        auto next = due && !window_full ? w.at(*due) : w.at(w.tt.end());
        if (st.messages_budget && !due) next = now + st.ack_timeout;
        if (kill) next = std::min(next, w.at(*kill));
        if (churn) next = std::min(next, w.at(*churn));
        if (st.keep_alive_s) next = std::min(next, d.last_write + keep_alive);
        if (d.ring_size) next = std::min(next, d.ring[d.ring_head].sent + st.ack_timeout + std::chrono::milliseconds(1));
        if (d.ping_outstanding) next = std::min(next, d.ping_sent + st.ack_timeout + std::chrono::milliseconds(1));
        co_await sleep_until(d.wake, next);
    }
}
}  // namespace

device::device(asio::any_io_executor ex, std::uint32_t local_index, device_identity ident, std::string t,
               std::string wt)
    : local(local_index), id(std::move(ident)), topic(std::move(t)), will_topic(std::move(wt)), wake(ex) {
    wire_username = id.wire_username();
}

std::uint16_t device::take_packet_id() noexcept {
    const auto id = next_packet_id;
    next_packet_id = static_cast<std::uint16_t>(next_packet_id == 65535 ? 1 : next_packet_id + 1);
    return id;
}

void device::end_session(outcome o) noexcept {
    if (session_over) return;
    session_over = true;
    session_end = o;
    wake.cancel();
}

asio::awaitable<void> run_device(worker& w, device& d) {
    bool first = true;
    try {
        while (!d.stop_requested) {
            const auto o = co_await connect_once(w, d);
            if (first) {
                d.first_outcome = o.what;
                w.connect_finished();
                first = false;
            }
            w.stats.count(o.what, o.detail);
            if (o.what != outcome::connected) {
                w.stats.connect_failures.fetch_add(1, std::memory_order_relaxed);
                if (d.s) d.s->close();
                break;
            }
            d.ever_connected = true;
            w.stats.connects_ok.fetch_add(1, std::memory_order_relaxed);
            w.stats.on_connected();
            d.session_over = false;
            d.session_end = outcome::count_;
            co_await (reader(w, d) || writer(w, d));
            w.stats.on_disconnected();
            w.stats.lost.fetch_add(d.ring_size, std::memory_order_relaxed);
            d.ring_size = 0;
            if (d.s) d.s->close();
            d.s.reset();
            d.wbuf = {};
            w.stats.count(d.session_end == outcome::count_ ? outcome::closed_by_server : d.session_end);
            if (d.session_end != outcome::churned) break;
        }
    } catch (const std::exception&) {
        // Per-device paths do not throw by design; if one does, the device ends, the run goes on.
        w.stats.count(outcome::protocol_error, "internal");
    }
    if (first) w.connect_finished();
    d.done = true;
    --w.active;
}

}  // namespace wv::sim
