#include "session.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include "device.hpp"
#include "mqtt/packets/disconnect.hpp"
#include "mqtt/packets/pingreq.hpp"
#include "mqtt/packets/puback.hpp"
#include "mqtt/packets/publish.hpp"
#include "payload/report_end.hpp"
#include "wall_clock.hpp"
#include "worker.hpp"

namespace wv::sim {

namespace {

using wait_for = tls::stream::wait_for;

// How long after the end of the run a device still sends reports that came due before it.
constexpr std::chrono::seconds end_grace{1};

std::error_code to_std(const boost::system::error_code& ec) {
    if (ec == asio::error::eof) return tls::tls_errc::closed;
    return ec;
}

void step(worker& w, device& d);
void on_readable(worker& w, device& d, std::error_code ec);
void arm_write(worker& w, device& d, wait_for need);

void finish_session(worker& w, device& d) {
    d.in_session = false;  // `finishing` stays set until the next session: later posts find nothing to do
    w.stats.on_disconnected();
    w.stats.lost.fetch_add(d.ring_size, std::memory_order_relaxed);
    d.ring_size = 0;
    if (d.s) d.s->close();
    d.s.reset();
    d.blocked = {};
    w.stats.count(d.session_end == outcome::count_ ? outcome::closed_by_server : d.session_end);
    if (d.session_end == outcome::churned && !d.stop_requested) {
        asio::co_spawn(w.io, run_device(w, d), asio::detached);
        return;
    }
    d.done = true;
    --w.active;
}

// Accounts the session once it is over and no callback of it is pending. Callers return
// right after: it may destroy the stream.
void maybe_finish(worker& w, device& d) {
    if (!d.session_over || d.finishing || d.read_armed || d.write_armed || d.timer_waits) return;
    d.finishing = true;
    finish_session(w, d);
}

// No more I/O for this session: cancels what is pending; the last callback to return finishes.
void end_session(worker& w, device& d) {
    if (d.session_over) return;
    d.session_over = true;
    if (d.timer_waits) d.wake.cancel();
    if (d.s && (d.read_armed || d.write_armed)) {
        boost::system::error_code ignored;
        d.s->socket().cancel(ignored);
    }
    asio::post(w.io, [&w, &d] { maybe_finish(w, d); });
}

void arm_read(worker& w, device& d, wait_for need) {
    d.read_armed = true;
    d.s->socket().async_wait(need == wait_for::read ? tls::tcp::socket::wait_read : tls::tcp::socket::wait_write,
                             [&w, &d](const boost::system::error_code& ec) { on_readable(w, d, to_std(ec)); });
}

void arm_timer(worker& w, device& d, clock::time_point when) {
    if (d.timer_waits && d.wake.expiry() == when) return;
    d.wake.expires_at(when);  // aborts a pending wait, whose callback only counts itself out
    ++d.timer_waits;
    d.wake.async_wait([&w, &d](const boost::system::error_code& ec) {
        --d.timer_waits;
        if (d.session_over) return maybe_finish(w, d);
        if (!ec) step(w, d);
    });
}

// The bytes of w.wbuf went out: the bookkeeping of what they were.
void wrote(worker& w, device& d, write_kind kind, std::uint64_t report_id, clock::duration lag) {
    d.last_write = clock::now();
    switch (kind) {
        case write_kind::report:
            w.stats.sent.fetch_add(1, std::memory_order_relaxed);
            w.stats.send_lag.record(lag);
            d.last_report_sent = report_id;
            break;
        case write_kind::ping:
            d.ping_outstanding = true;
            d.ping_sent = d.last_write;
            break;
        case write_kind::goodbye:
            w.stats.report_ends.fetch_add(1, std::memory_order_relaxed);
            d.s->close();
            end_session(w, d);
            break;
    }
}

void write_failed(worker& w, device& d) {
    d.record_end(d.ring_size ? outcome::disconnected_after_publish : outcome::closed_by_server);
    end_session(w, d);
}

void on_writable(worker& w, device& d, std::error_code ec) {
    d.write_armed = false;
    if (d.session_over) return maybe_finish(w, d);
    if (ec) return write_failed(w, d);
    auto need = wait_for::write;
    auto [wec, n] = d.s->write_now(d.blocked, need);
    if (wec == std::errc::operation_would_block || (!wec && n < d.blocked.size())) {
        d.blocked.erase(d.blocked.begin(), d.blocked.begin() + static_cast<std::ptrdiff_t>(n));
        return arm_write(w, d, need);
    }
    if (wec) return write_failed(w, d);
    d.blocked = {};
    wrote(w, d, d.blocked_kind, d.blocked_report, d.blocked_lag);
    step(w, d);
}

void arm_write(worker& w, device& d, wait_for need) {
    d.write_armed = true;
    d.s->socket().async_wait(need == wait_for::read ? tls::tcp::socket::wait_read : tls::tcp::socket::wait_write,
                             [&w, &d](const boost::system::error_code& ec) { on_writable(w, d, to_std(ec)); });
}

// Writes w.wbuf. True when it went out whole and the session goes on; otherwise the rest
// continues from a callback (a blocked write) or the session is over.
bool send(worker& w, device& d, write_kind kind, std::uint64_t report_id = 0, clock::duration lag = {}) {
    auto need = wait_for::write;
    auto [ec, n] = d.s->write_now(w.wbuf, need);
    if (ec == std::errc::operation_would_block || (!ec && n < w.wbuf.size())) {
        // Rare (a full socket buffer): only now does the device hold its own copy of the bytes.
        d.blocked.assign(w.wbuf.begin() + static_cast<std::ptrdiff_t>(n), w.wbuf.end());
        d.blocked_kind = kind;
        d.blocked_report = report_id;
        d.blocked_lag = lag;
        arm_write(w, d, need);
        return false;
    }
    if (ec) {
        write_failed(w, d);
        return false;
    }
    wrote(w, d, kind, report_id, lag);
    return !d.session_over;
}

void begin_stop(worker& w, device& d, outcome why) {
    d.record_end(why);
    d.stopping = true;
    d.stop_deadline = clock::now() + std::min<clock::duration>(w.settings.ack_timeout, std::chrono::seconds(5));
}

// ReportEnd(CLOSED) then DISCONNECT (the acks of reports in flight came, or the wait ran out).
void send_goodbye(worker& w, device& d) {
    const auto end = payload::encode_report_end(d.last_report_sent, payload::report_end_reason::closed);
    w.wbuf.clear();
    mqtt::encode(mqtt::publish{.topic = d.will_topic, .payload = end, .qos = mqtt::qos::at_least_once,
                               .packet_id = d.take_packet_id()},
                 w.wbuf);
    mqtt::encode(mqtt::disconnect{}, w.wbuf);
    send(w, d, write_kind::goodbye);
}

// The writer's side: does whatever is due now, then sleeps until the next deadline.
void step(worker& w, device& d) {
    if (!d.in_session || d.session_over || d.write_armed) return;  // a blocked write steps when done
    const auto& st = w.settings;
    const auto keep_alive = std::chrono::seconds(st.keep_alive_s);
    for (;;) {
        const auto now = clock::now();
        if (d.stop_requested && !d.stopping) begin_stop(w, d, outcome::clean_stop);
        if (d.stopping) {
            if (d.ring_size && now < d.stop_deadline) return arm_timer(w, d, d.stop_deadline);
            return send_goodbye(w, d);
        }
        const auto due = w.tt.report_due(d.local, d.next_report);
        // With 8 reports unacknowledged the next one waits for a PUBACK (on_readable steps us)
        // instead of being dropped; its latency still counts from its due time, so a slow
        // server shows as latency, and a device that connected late catches up in order.
        const bool window_full = st.qos && d.ring_size == d.ring.size();
        const bool send_now = due && now >= w.at(*due) && !window_full;
        // A kill (like the end of the run) comes after the reports due before it: a timer that
        // fired late must not turn them into unsent ones.
        if (d.kill_at && now >= *d.kill_at && !(send_now && w.at(*due) <= *d.kill_at)) {
            d.record_end(outcome::killed);
            w.stats.killed.fetch_add(1, std::memory_order_relaxed);
            d.s->abort();  // RST, no DISCONNECT: the broker must publish the will
            return end_session(w, d);
        }
        if (d.churn_at && now >= *d.churn_at) {
            begin_stop(w, d, outcome::churned);
            continue;
        }
        // A PUBACK or PINGRESP that never comes means the connection is dead.
        if ((d.ring_size && now - d.ring[d.ring_head].sent > st.ack_timeout) ||
            (d.ping_outstanding && now - d.ping_sent > st.ack_timeout)) {
            d.record_end(outcome::keep_alive_timeout);
            d.s->close();
            return end_session(w, d);
        }

        // Open loop: at the end of the run a device stops, even when it is behind its
        // timetable; the reports it did not get to are counted unsent in the report (and fail
        // the run). Reports are due only before the end: one whose timer fired just after it
        // is still sent, within end_grace, rather than counted unsent.
        const auto end = w.at(w.tt.end());
        if (st.messages_budget ? !due && d.ring_size == 0 : now >= end && !(send_now && now < end + end_grace)) {
            begin_stop(w, d, outcome::clean_stop);
            continue;
        }
        if (send_now) {
            const auto report_id = d.next_report++;
            w.encoder.set_device_index(d.id.index);  // values per (seed, device, report_id)
            w.encoder.encode(static_cast<std::int64_t>(report_id), unix_ms(), w.report_scratch);
            w.wbuf.clear();
            const auto pid = st.qos ? d.take_packet_id() : std::uint16_t{0};
            mqtt::encode(mqtt::publish{.topic = d.topic, .payload = w.report_scratch,
                                       .qos = st.qos ? mqtt::qos::at_least_once : mqtt::qos::at_most_once,
                                       .packet_id = pid},
                         w.wbuf);
            if (st.qos) {
                d.ring[(d.ring_head + d.ring_size) % d.ring.size()] = {pid, w.at(*due), now};
                ++d.ring_size;
            }
            if (!send(w, d, write_kind::report, report_id, now - w.at(*due))) return;
            continue;
        }
        if (st.keep_alive_s && !d.ping_outstanding && now - d.last_write >= keep_alive) {
            w.wbuf.clear();
            mqtt::encode(mqtt::pingreq{}, w.wbuf);
            if (!send(w, d, write_kind::ping)) return;
            continue;
        }

        auto next = due && !window_full ? w.at(*due) : w.at(w.tt.end());
        if (st.messages_budget && !due) next = now + st.ack_timeout;
        if (d.kill_at) next = std::min(next, *d.kill_at);
        if (d.churn_at) next = std::min(next, *d.churn_at);
        if (st.keep_alive_s) next = std::min(next, d.last_write + keep_alive);
        if (d.ring_size) next = std::min(next, d.ring[d.ring_head].sent + st.ack_timeout + std::chrono::milliseconds(1));
        if (d.ping_outstanding) next = std::min(next, d.ping_sent + st.ack_timeout + std::chrono::milliseconds(1));
        return arm_timer(w, d, next);
    }
}

void read_failed(worker& w, device& d, std::error_code ec) {
    const bool after_publish = d.ring_size > 0 || clock::now() - d.last_write < std::chrono::seconds(1);
    d.record_end(is_closed(ec) && after_publish && d.last_report_sent ? outcome::disconnected_after_publish
                                                                      : outcome::closed_by_server);
    end_session(w, d);
}

// The reader's side: takes every whole packet the socket has, then waits for more. Frames
// view w.rbuf, which is the worker's: everything here runs before the next read into it.
void on_readable(worker& w, device& d, std::error_code ec) {
    d.read_armed = false;
    if (d.session_over) return maybe_finish(w, d);
    if (ec) return read_failed(w, d, ec);
    bool acks_drained = false, socket_drained = false, window_opened = false;
    for (;;) {
        auto r = d.decoder.next();
        if (auto* e = std::get_if<std::error_code>(&r)) return read_failed(w, d, *e);
        if (auto* f = std::get_if<mqtt::frame>(&r)) {
            if (f->type == mqtt::packet_type::puback) {
                const auto ack = mqtt::decode_puback(f->body, f->flags);
                if (!ack) {
                    d.record_end(outcome::protocol_error);
                    return end_session(w, d);
                }
                const auto now = clock::now();
                for (std::uint8_t i = 0; i < d.ring_size; ++i) {
                    auto& e = d.ring[(d.ring_head + i) % d.ring.size()];
                    if (e.packet_id != ack->packet_id) continue;
                    if (e.due != clock::time_point{}) {  // a report (the ReportEnd has no due time)
                        w.stats.acked.fetch_add(1, std::memory_order_relaxed);
                        w.stats.puback.record(now - e.due);
                        w.stats.puback_second.record(now - e.due);
                    }
                    window_opened |= d.ring_size == d.ring.size();
                    // Acks come in order; an out-of-order one swaps with the head to stay O(1).
                    std::swap(e, d.ring[d.ring_head]);
                    d.ring_head = static_cast<std::uint8_t>((d.ring_head + 1) % d.ring.size());
                    --d.ring_size;
                    acks_drained = d.ring_size == 0;
                    break;
                }
            } else if (f->type == mqtt::packet_type::pingresp) {
                d.ping_outstanding = false;
            }
            // Anything else (a PUBLISH to a device that never subscribed) is ignored, as a device would.
            continue;
        }
        // A short read that left nothing inside OpenSSL took all there was: wait for the socket
        // now rather than try a read that would block (the reactor re-arms the descriptor, so
        // bytes that came meanwhile still wake us).
        if (socket_drained) {
            arm_read(w, d, wait_for::read);
            break;
        }
        auto need = wait_for::read;
        auto [rec, n] = d.s->read_now(w.rbuf, need);
        if (rec == std::errc::operation_would_block) {
            arm_read(w, d, need);
            break;
        }
        if (rec) return read_failed(w, d, rec);
        d.decoder.feed(std::span<const std::byte>(w.rbuf.data(), n));
        socket_drained = n < w.rbuf.size() && !d.s->has_buffered_input();
    }
    // A clean stop (or a --messages budget) waits for the last acks: they are here. A report
    // waiting for a free slot of the in-flight window has one now.
    if ((acks_drained && (d.stopping || w.settings.messages_budget)) || window_opened) step(w, d);
}

}  // namespace

bool is_closed(std::error_code ec) {
    using tls::tls_errc;
    return ec == tls_errc::closed || ec == tls_errc::truncated || ec == std::errc::connection_reset ||
           ec == std::errc::broken_pipe || ec == std::errc::not_connected;
}

void start_session(worker& w, device& d) {
    d.in_session = true;
    d.session_over = d.finishing = d.stopping = false;
    d.ping_outstanding = false;
    d.session_end = outcome::count_;
    const auto since_start = std::chrono::duration_cast<run_time>(clock::now() - w.start);
    const auto kill = w.tt.kill_at(d.local);
    const auto churn = w.tt.churn_after(d.local, since_start);
    d.kill_at = kill ? std::optional(w.at(*kill)) : std::nullopt;
    // No churn sooner than 1 s after this session's CONNECT, so the reconnect need not wait
    // for AWS's 1 CONNECT/s per client id (reconnect.hpp).
    d.churn_at = churn ? std::optional(std::max(w.at(*churn), d.last_connect + min_connect_spacing)) : std::nullopt;
    on_readable(w, d, {});  // frames that came with the CONNACK, then the first wait for input
    step(w, d);
}

void poke(worker& w, device& d) {
    if (d.in_session && !d.session_over) step(w, d);
    else if (d.reconnect_wait) d.wake.cancel();  // run_device sees the stop and ends the device
}

}  // namespace wv::sim
