#include "device.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "classify.hpp"
#include "session.hpp"
#include "tls/connect.hpp"
#include "worker.hpp"

namespace wv::sim {

namespace {
constexpr auto tok = asio::as_tuple(asio::use_awaitable);

// GCC 12 reports a mismatched operator delete for this coroutine's frame once it co_spawns the
// connect on a connector thread (Asio allocates frames with awaitable_frame's own operator new
// and frees them with the matching delete): a false positive of its inliner, silenced here only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
// Connects, then sends CONNECT on the device's connection and waits for its answer. A failed
// attempt returns once its connection is over (d.conn is then empty).
asio::awaitable<outcome_detail> connect_once(worker& w, device& d) {
    const auto& st = w.settings;
    w.stats.connect_attempts.fetch_add(1, std::memory_order_relaxed);
    // A named variable, not a braced temporary: GCC 12 mishandles temporaries in co_await.
    tls::connect_options opts{.host = st.host,
                              .port = st.address.port(),
                              .address = st.address,
                              .connect_timeout = st.connect_timeout,
                              .handshake_timeout = st.connect_timeout,
                              .identity = st.x509 ? &st.x509->of(d.local) : nullptr,
                              .detachable = st.own_tls_records};
    const auto own = w.io.get_executor();
    tls::connect_result r;
    const auto* target = w.connectors.empty() ? nullptr : &w.connectors[least_busy(w.connectors)];
    if (!target || target->ex == own) {
        if (target) target->in_flight->fetch_add(1, std::memory_order_relaxed);
        r = co_await tls::connect(own, opts, st.tls);
        if (target) target->in_flight->fetch_sub(1, std::memory_order_relaxed);
    } else {
        // On another thread; this coroutine resumes here, on the device's worker.
        target->in_flight->fetch_add(1, std::memory_order_relaxed);
        r = co_await asio::co_spawn(target->ex, tls::connect(target->ex, opts, st.tls), asio::use_awaitable);
        target->in_flight->fetch_sub(1, std::memory_order_relaxed);
        if (!r.ec && r.s && !r.s->move_to(own)) r.ec = std::make_error_code(std::errc::bad_file_descriptor);
    }
    if (r.ec) co_return classify_connect_error(r.ec, r.detail.empty() && r.s ? "" : r.detail);
    w.stats.tcp_connect.record(r.timing.tcp_connect);
    if (st.tls) w.stats.tls_handshake.record(r.timing.tls_handshake);

    open_connection(w, d, std::move(*r.s));
    // The machine cancels d.wake when CONNACK (or the failure before it) is in; the CONNACK
    // deadline is the machine's (connect_timeout).
    d.wake.expires_at(clock::time_point::max());
    while (!d.conn->machine.connect_outcome() && !d.connect_over) co_await d.wake.async_wait(tok);
    const auto o = d.conn->machine.connect_outcome().value_or(outcome_detail{outcome::closed_without_connack, {}});
    if (o.what == outcome::connected) co_return o;
    while (!d.connect_over) co_await d.wake.async_wait(tok);  // the connection closes
    d.conn.reset();
    co_return o;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace

device::device(asio::any_io_executor ex, std::uint32_t local_index, const device_identity& ident, std::string t,
               std::string wt)
    : local(local_index), id(ident), topic(std::move(t)), will_topic(std::move(wt)), wake(ex) {}

device::~device() = default;

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
        if (first || !o || !w.settings.retry.enabled) break;
        const auto again = clock::now() + retry_delay(w.settings.retry, w.settings.seed, d.id.index, retry);
        if (again >= w.at(w.tt.end()) || !co_await pause_until(w, d, again)) break;
    }
    d.done = true;
    --w.active;
}

}  // namespace wv::sim
