#include "https_engine.hpp"

#include <array>
#include <span>
#include <atomic>
#include <optional>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "classify.hpp"
#include "payload/report_encoder.hpp"
#include "payload/report_end.hpp"
#include "sigv4/sigv4.hpp"
#include "tls/connect.hpp"
#include "tls/tls_errc.hpp"
#include "wall_clock.hpp"

namespace wv::sim {

namespace http = boost::beast::http;
using namespace asio::experimental::awaitable_operators;

std::string https_custom_auth_headers(const std::string& authorizer, const std::string& token_key_name,
                                      const std::string& token, const std::string& signature_b64) {
    std::string h;
    if (!authorizer.empty()) h += "x-amz-customauthorizer-name: " + authorizer + "\r\n";
    h += token_key_name + ": " + token + "\r\n";
    if (!signature_b64.empty()) h += "x-amz-customauthorizer-signature: " + signature_b64 + "\r\n";
    return h;
}

std::string https_publish_target(std::string_view topic, int qos) {
    return "/topics/" + sigv4::uri_encode(topic, false) + "?qos=" + std::to_string(qos);
}

namespace {

constexpr auto https_tok = asio::as_tuple(asio::use_awaitable);
// As the MQTT engine: a report whose timer fired just after the end is still sent.
constexpr std::chrono::seconds https_end_grace{1};

struct https_device {
    https_device(asio::io_context& io, std::uint32_t l, const device_identity& i, https_device_paths p)
        : local(l), id(i), paths(std::move(p)), wake(io) {}
    std::uint32_t local;
    const device_identity& id;
    https_device_paths paths;
    std::optional<tls::stream> s;
    std::string pending;             // answer bytes read but not parsed yet
    std::uint32_t answers = 0;       // on the current connection
    asio::steady_timer wake;
    device_result result;
    std::uint64_t next_report = 1;
    bool stop_requested = false;
    bool decided = false;            // the first connect attempt's outcome is known
};

struct https_worker {
    https_worker(const payload::report_profile& profile) : encoder(profile) {
        scratch.reserve(encoder.max_encoded_size());
    }
    asio::io_context io{1};
    payload::report_encoder encoder;
    std::vector<std::byte> scratch;
    std::array<std::byte, 4096> rbuf{};  // consumed before the next read: shared by the thread's devices
    std::vector<std::unique_ptr<https_device>> devices;
    std::uint32_t connecting = 0;
    asio::steady_timer launcher_wake{io};
};

// An HTTP answer, or why none came.
struct http_answer {
    std::error_code ec;
    std::string detail;  // OpenSSL's reason, when ec is a TLS error
    unsigned status = 0;
    bool close = false;  // the server said it closes (connection: close, or HTTP/1.0)
    bool timed_out = false;
};

bool peer_closed(std::error_code ec) {
    using tls::tls_errc;
    return ec == tls_errc::closed || ec == tls_errc::truncated || ec == std::errc::connection_reset ||
           ec == std::errc::broken_pipe || ec == std::errc::not_connected;
}

}  // namespace

struct https_engine::impl {
    const engine_settings& es;
    const timetable& tt;
    fleet_stats& stats;
    clock::time_point start;
    std::vector<std::unique_ptr<https_worker>> workers;
    std::vector<std::thread> threads;
    std::atomic<unsigned> running{0};

    clock::time_point at(run_time t) const { return start + std::chrono::duration_cast<clock::duration>(t); }

    asio::awaitable<void> launch_all(https_worker& w);
    asio::awaitable<void> run_device(https_worker& w, https_device& d);
    asio::awaitable<bool> open(https_worker& w, https_device& d, bool first);
    asio::awaitable<http_answer> exchange(https_worker& w, https_device& d, const std::string& target,
                                          std::span<const std::byte> body);
    void decide_first(https_device& d, const outcome_detail& o);
    void end_connection(https_device& d, outcome why);
    asio::awaitable<void> goodbye(https_worker& w, https_device& d);
};

// TCP + TLS. False when it failed (counted; the device then ends).
asio::awaitable<bool> https_engine::impl::open(https_worker& w, https_device& d, bool first) {
    stats.connect_attempts.fetch_add(1, std::memory_order_relaxed);
    tls::connect_options opts{.host = es.host,
                              .port = es.address.port(),
                              .address = es.address,
                              .connect_timeout = es.connect_timeout,
                              .handshake_timeout = es.connect_timeout,
                              .identity = es.x509 ? &es.x509->of(d.local) : nullptr};
    auto r = co_await tls::connect(w.io.get_executor(), opts, es.tls);
    if (first) {  // the launcher's slot: the handshake is what it bounds
        --w.connecting;
        w.launcher_wake.cancel();
    }
    if (r.ec) {
        const auto o = classify_connect_error(r.ec, r.detail.empty() && r.s ? "" : r.detail);
        stats.count(o.what, o.detail);
        stats.connect_failures.fetch_add(1, std::memory_order_relaxed);
        decide_first(d, o);
        if (d.result.ever_connected) d.result.last_end = outcome::closed_by_server;  // a reconnect failed
        co_return false;
    }
    stats.tcp_connect.record(r.timing.tcp_connect);
    if (es.tls) stats.tls_handshake.record(r.timing.tls_handshake);
    d.s.emplace(std::move(*r.s));
    d.pending.clear();
    d.answers = 0;
    co_return true;
}

void https_engine::impl::decide_first(https_device& d, const outcome_detail& o) {
    if (d.decided) return;
    d.decided = true;
    d.result.first = o.what;
    stats.connecting.fetch_sub(1, std::memory_order_relaxed);
}

// The connection ends; counted as a session end when it had counted as connected.
void https_engine::impl::end_connection(https_device& d, outcome why) {
    if (d.s) d.s->close();
    d.s.reset();
    if (d.answers == 0) return;
    stats.on_disconnected();
    stats.count(why);
    d.result.last_end = why;
}

asio::awaitable<http_answer> https_engine::impl::exchange(https_worker& w, https_device& d, const std::string& target,
                                                           std::span<const std::byte> body) {
    std::string req = "POST " + target + " HTTP/1.1\r\nhost: " + es.host + "\r\n" + d.paths.auth_headers +
                      "content-type: application/octet-stream\r\ncontent-length: " + std::to_string(body.size()) +
                      "\r\n\r\n";
    req.append(reinterpret_cast<const char*>(body.data()), body.size());
    http_answer a;
    const auto bytes = std::as_bytes(std::span(req));
    if (auto ec = co_await d.s->async_write(bytes)) {
        a.ec = ec;
        co_return a;
    }
    d.s->quick_ack();  // the answer must not wait for our delayed ACK
    http::response_parser<http::string_body> p;
    p.eager(true);
    p.body_limit(64 * 1024);
    asio::steady_timer timer(w.io);
    timer.expires_after(es.ack_timeout);
    for (;;) {
        if (!d.pending.empty()) {
            boost::beast::error_code pec;
            const auto n = p.put(asio::buffer(d.pending), pec);
            d.pending.erase(0, n);
            if (pec && pec != http::error::need_more) {
                a.ec = std::make_error_code(std::errc::protocol_error);
                a.detail = pec.message();
                co_return a;
            }
            if (p.is_done()) break;
        }
        auto r = co_await (d.s->async_read_some(w.rbuf) || timer.async_wait(https_tok));
        if (r.index() == 1) {
            a.timed_out = true;
            a.ec = std::make_error_code(std::errc::timed_out);
            co_return a;
        }
        const auto [ec, n] = std::get<0>(r);
        if (ec) {
            a.ec = ec;
            co_return a;
        }
        d.pending.append(reinterpret_cast<const char*>(w.rbuf.data()), n);
    }
    a.status = p.get().result_int();
    a.close = !p.keep_alive();
    co_return a;
}

// ReportEnd(CLOSED) to the will topic, then close_notify. A connection that has answered
// nothing yet (stopped before its first report) only closes: it never counted as connected.
asio::awaitable<void> https_engine::impl::goodbye(https_worker& w, https_device& d) {
    if (!d.s) co_return;
    if (d.answers == 0) {
        co_await d.s->async_shutdown(std::chrono::seconds(1));
        d.s.reset();
        if (!d.decided) {  // not an outcome: it never tried
            d.decided = true;
            stats.connecting.fetch_sub(1, std::memory_order_relaxed);
        }
        co_return;
    }
    const auto end = payload::encode_report_end(d.result.last_sent, payload::report_end_reason::closed);
    const auto a = co_await exchange(w, d, d.paths.report_end, end);
    if (!a.ec && a.status == 200) stats.report_ends.fetch_add(1, std::memory_order_relaxed);
    if (d.s) co_await d.s->async_shutdown(std::chrono::seconds(1));
    end_connection(d, outcome::clean_stop);
}

asio::awaitable<void> https_engine::impl::run_device(https_worker& w, https_device& d) {
    const bool budget = es.messages_budget;
    const bool opened = co_await open(w, d, true);
    if (!opened) co_return;
    bool resent = false;  // this report was already re-sent once on a fresh connection
    for (;;) {
        const auto due = tt.report_due(d.local, d.next_report);
        const auto end = at(tt.end());
        auto now = clock::now();
        if (!d.stop_requested && due && now < at(*due)) {
            d.wake.expires_at(at(*due));
            co_await d.wake.async_wait(https_tok);
            continue;  // re-read the clock and the stop flag
        }
        if (!d.stop_requested && !due && !budget && now < end) {
            d.wake.expires_at(end);
            co_await d.wake.async_wait(https_tok);
            continue;
        }
        const bool send_now = due && !d.stop_requested && (budget || now < end + https_end_grace);
        if (!send_now) break;
        if (!d.s) {  // the server had closed it: a new one
            const bool opened = co_await open(w, d, false);
            if (!opened) co_return;
        }

        const auto report_id = d.next_report;
        w.encoder.set_device_index(d.id.index);  // values per (seed, device, report_id)
        w.encoder.encode(static_cast<std::int64_t>(report_id), unix_ms(), w.scratch);
        const std::vector<std::byte> body = w.scratch;  // w.scratch is the thread's; we suspend below
        const auto sent_at = clock::now();
        if (!resent) {
            stats.sent.fetch_add(1, std::memory_order_relaxed);
            stats.send_lag.record(sent_at - at(*due));
            d.result.last_sent = report_id;
        }
        const auto a = co_await exchange(w, d, d.paths.report, body);
        const bool first_answer = d.answers == 0;
        if (a.ec) {
            // A kept-alive connection the server closed while idle: curl opens a new one and
            // sends again; so do we, once.
            if (!first_answer && peer_closed(a.ec) && !resent && !a.timed_out) {
                end_connection(d, outcome::closed_by_server);
                resent = true;
                continue;
            }
            stats.lost.fetch_add(1, std::memory_order_relaxed);
            if (first_answer) {
                outcome_detail o = a.timed_out ? outcome_detail{outcome::closed_without_response, "timeout"}
                                   : peer_closed(a.ec) ? outcome_detail{outcome::closed_without_response, {}}
                                   : a.ec == std::errc::protocol_error
                                       ? outcome_detail{outcome::protocol_error, {}}
                                       : classify_connect_error(a.ec, a.detail);  // TLS 1.3: a refused certificate's alert
                if (o.what == outcome::tcp_error) o = {outcome::closed_without_response, {}};
                stats.count(o.what, o.detail);
                stats.connect_failures.fetch_add(1, std::memory_order_relaxed);
                decide_first(d, o);
                d.s.reset();
                if (d.result.ever_connected) d.result.last_end = outcome::closed_by_server;
                co_return;
            }
            end_connection(d, a.timed_out ? outcome::keep_alive_timeout
                              : a.ec == std::errc::protocol_error ? outcome::protocol_error
                                                                   : outcome::closed_by_server);
            co_return;  // the report's connection died with it unanswered: the device is down
        }
        resent = false;
        now = clock::now();
        if (first_answer) {
            // The certificate was refused (https_publish.hpp), or the custom authorizer refused the
            // headers (401, the connection stays: the device gives up like a refused CONNECT).
            if ((a.status == 403 && a.close) || (a.status == 401 && !d.paths.auth_headers.empty())) {
                const auto why = es.explain_x509 ? es.explain_x509(d.local) : outcome::https_refused;
                stats.count(why == outcome::x509_connect_denied ? outcome::https_refused : why);
                stats.connect_failures.fetch_add(1, std::memory_order_relaxed);
                decide_first(d, {why, {}});
                d.s->close();
                d.s.reset();
                if (d.result.ever_connected) d.result.last_end = outcome::closed_by_server;
                co_return;
            }
            stats.count(outcome::connected);
            stats.connects_ok.fetch_add(1, std::memory_order_relaxed);
            stats.on_connected();
            d.result.ever_connected = true;
            d.result.last_end = outcome::count_;  // up again after a close
            decide_first(d, {outcome::connected, {}});
        }
        ++d.answers;
        ++d.next_report;
        if (a.status == 200) {
            stats.acked.fetch_add(1, std::memory_order_relaxed);
            stats.puback.record(now - at(*due));
            stats.puback_second.record(now - at(*due));
        } else {
            stats.count(http_status_outcome(a.status),
                        http_status_outcome(a.status) == outcome::http_other_status ? std::to_string(a.status) : "");
        }
        if (a.close) end_connection(d, outcome::closed_by_server);  // reopened for the next report
    }
    co_await goodbye(w, d);
}

asio::awaitable<void> https_engine::impl::launch_all(https_worker& w) {
    for (auto& dp : w.devices) {
        auto& d = *dp;
        const auto when = at(tt.connect_at(d.local));
        while (!d.stop_requested && (clock::now() < when || w.connecting >= es.max_connecting_per_worker)) {
            w.launcher_wake.expires_at(w.connecting >= es.max_connecting_per_worker ? clock::time_point::max() : when);
            co_await w.launcher_wake.async_wait(https_tok);
        }
        if (d.stop_requested) continue;  // stopped before its turn: never connects
        ++w.connecting;
        stats.connecting.fetch_add(1, std::memory_order_relaxed);
        asio::co_spawn(w.io, run_device(w, d), [&d](std::exception_ptr) {
            // Per-device paths do not throw by design; if one does, the device ends, the run goes on.
            if (d.s) d.s->close();
        });
    }
}

https_engine::https_engine(const engine_settings& es, const timetable& tt, fleet_stats& stats,
                           const payload::report_profile& profile, clock::time_point start,
                           const std::vector<device_identity>& ids, std::vector<https_device_paths> paths,
                           unsigned threads)
    : impl_(new impl{es, tt, stats, start, {}, {}, {}}) {
    const unsigned n = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(ids.size())));
    for (unsigned t = 0; t < n; ++t) impl_->workers.push_back(std::make_unique<https_worker>(profile));
    for (std::uint32_t d = 0; d < ids.size(); ++d) {
        auto& w = *impl_->workers[d % n];
        w.devices.push_back(std::make_unique<https_device>(w.io, d, ids[d], std::move(paths[d])));
    }
}

https_engine::~https_engine() {
    abort();
    join();
}

void https_engine::start() {
    impl_->running = static_cast<unsigned>(impl_->workers.size());
    for (auto& w : impl_->workers) {
        asio::co_spawn(w->io, impl_->launch_all(*w), asio::detached);
        impl_->threads.emplace_back([this, w = w.get()] {
            w->io.run();
            --impl_->running;
        });
    }
}

void https_engine::request_stop() {
    for (auto& w : impl_->workers)
        asio::post(w->io, [w = w.get()] {
            for (auto& d : w->devices) {
                d->stop_requested = true;
                d->wake.cancel();
            }
            w->launcher_wake.cancel();
        });
}

void https_engine::abort() {
    for (auto& w : impl_->workers) w->io.stop();
}

bool https_engine::finished() const { return impl_->running.load() == 0; }

void https_engine::join() {
    for (auto& t : impl_->threads)
        if (t.joinable()) t.join();
}

std::vector<device_result> https_engine::results() const {
    std::size_t n = 0;
    for (const auto& w : impl_->workers) n += w->devices.size();
    std::vector<device_result> out(n);
    for (const auto& w : impl_->workers)
        for (const auto& d : w->devices) out[d->local] = d->result;
    return out;
}

}  // namespace wv::sim
