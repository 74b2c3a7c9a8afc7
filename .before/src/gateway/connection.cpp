#include "gateway/connection.hpp"

#include <array>

#include <boost/asio/post.hpp>

#include "auth/authorizer_event.hpp"
#include "gateway/https_session.hpp"

namespace wv::gate {

namespace asio = boost::asio;

namespace {
// A closed connection gets this long to flush its last bytes to a peer that does not read.
constexpr auto flush_grace = std::chrono::seconds(5);
// Bookkeeping added to a queued delivery's payload size (topic, header).
constexpr std::size_t delivery_overhead = 64;
// Reads handled in one go before yielding to other connections on the thread.
constexpr int read_burst = 16;
// A write buffer bigger than this is freed after use rather than kept for the next burst.
constexpr std::size_t keep_write_buffer = 4096;
}  // namespace

connection::connection(tls::stream stream, machine_env env, authorizer_lookup authorizers, std::string listener,
                       listener_kind kind)
    : stream_(std::move(stream)),
      env_(env),
      authorizers_(std::move(authorizers)),
      listener_(std::move(listener)),
      kind_(kind),
      timer_(stream_.get_executor()) {
    bump(env_.stats->connections_open);
}

connection::~connection() { env_.stats->connections_open.fetch_sub(1, std::memory_order_relaxed); }

bool connection::start_machine() {
    peer_info peer;
    peer.listener = listener_;
    boost::system::error_code ec;
    const auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) {
        peer.ip = ep.address().to_string();
        peer.port = ep.port();
    }
    if (!stream_.sni().empty()) peer.server_name = std::string(stream_.sni());
    peer.alpn = std::string(stream_.alpn());
    // Port + ALPN decide the authentication (spec 3.1).
    const bool x509 = kind_ == listener_kind::aws_8883 || peer.alpn == "x-amzn-mqtt-ca";
    if (x509) {
        peer.certificate = read_x509_peer(stream_.native_handle());
        if (!peer.certificate) {
            env_.log->emit(log_level::error, {{"eventType", "Connect"}, {"status", "Failure"},
                                              {"reason", "AUTHORIZATION_FAILURE"}, {"sourceIp", peer.ip},
                                              {"details", "X.509 authentication needs a client certificate"}});
            bump(env_.stats->connects_auth_failed);
            return false;
        }
        peer.x509 = true;
    }
    machine_ = std::make_unique<connection_machine>(env_, std::move(peer), auth::make_connection_id(), clock::now());
    machine_->set_self(weak_from_this());
    return true;
}

asio::awaitable<void> connection::run(std::shared_ptr<connection> self) { co_await self->serve(); }

asio::awaitable<void> connection::serve() {
    if (auto ec = co_await stream_.async_handshake(env_.config->limits.tls_handshake_timeout)) {
        bump(env_.stats->tls_handshake_failures);
        boost::system::error_code ignored;
        const auto ep = stream_.socket().remote_endpoint(ignored);
        // One line per failed handshake (a port scan or a device with the wrong CA or no ALPN
        // shows up here), at info so that a flood can be silenced with log.level: warn.
        if (env_.log->enabled(log_level::info))
            env_.log->emit(log_level::info,
                           {{"eventType", "Connect"}, {"status", "Failure"}, {"reason", "TLS_HANDSHAKE_FAILURE"},
                            {"listener", listener_},
                            {"sourceIp", ignored ? std::string() : ep.address().to_string()},
                            {"details", ec.message() + (stream_.error_detail().empty()
                                                            ? std::string()
                                                            : ": " + std::string(stream_.error_detail()))}});
        stream_.close();
        co_return;
    }
    if (is_https(kind_, stream_.alpn())) {  // HTTPS publish: no MQTT machine (https_session.hpp)
        co_await serve_https(stream_, env_, listener_);
        stream_.close();
        co_return;
    }
    if (!start_machine()) {
        stream_.close();
        co_return;
    }
    // From here on the handlers below carry the connection; this coroutine frame ends.
    read_some();
    arm_timer();
}

void connection::read_some() {
    // One read buffer per thread, not per connection: read_now fills it synchronously and the
    // machine consumes (copies what it keeps) before anything else runs on this thread. Saves
    // its size on every idle connection.
    thread_local std::array<std::byte, 16 * 1024> buf;
    for (int reads = 0; !closing_; ++reads) {
        if (reads == read_burst) {
            // A client that keeps sending must not starve the others on this thread.
            read_pending_ = true;
            asio::post(stream_.get_executor(), [self = shared_from_this()] {
                self->read_pending_ = false;
                self->read_some();
            });
            return;
        }
        auto need = tls::stream::wait_for::read;
        auto [ec, n] = stream_.read_now(buf, need);
        if (ec == std::errc::operation_would_block) {
            read_pending_ = true;
            const auto what = need == tls::stream::wait_for::read ? tls::tcp::socket::wait_read : tls::tcp::socket::wait_write;
            stream_.socket().async_wait(what, [self = shared_from_this()](const boost::system::error_code& wec) {
                self->read_pending_ = false;
                if (self->closing_) return;  // closed meanwhile (the wait was aborted)
                if (wec) {
                    self->machine_->on_transport_closed(clock::now(), wec.message());
                    self->process();
                    return;
                }
                self->read_some();
            });
            return;
        }
        if (ec) {
            machine_->on_transport_closed(clock::now(), ec.message());
            process();
            return;
        }
        machine_->on_bytes(std::span<const std::byte>(buf.data(), n), clock::now());
        process();
    }
}

void connection::process() {
    while (machine_->has_actions()) {
        for (auto& a : machine_->take_actions()) {
            if (auto* s = std::get_if<send_bytes>(&a)) {
                queued_bytes_.fetch_add(s->bytes.size(), std::memory_order_relaxed);
                if (out_.empty())
                    out_ = std::move(s->bytes);  // the common case: no copy
                else
                    out_.insert(out_.end(), s->bytes.begin(), s->bytes.end());
            } else if (auto* c = std::get_if<call_authorizer>(&a)) {
                auto* svc = authorizers_(c->authorizer);
                if (!svc) {
                    auth::authorization_result r;
                    r.outcome = auth::authorization_outcome::backend_error;
                    r.reason = "no backend for authorizer " + c->authorizer;
                    machine_->on_authorizer_result(r, clock::now());
                    continue;  // its actions are taken by the next round of the outer loop
                }
                // The service completes on its own thread: hop back to ours.
                svc->authorize(c->event_json, [self = weak_from_this(), ex = stream_.get_executor()](
                                                  auth::authorization_result r) {
                    asio::post(ex, [self, r = std::move(r)]() {
                        if (auto c = self.lock(); c && c->machine_) {
                            c->machine_->on_authorizer_result(r, clock::now());
                            c->process();
                        }
                    });
                });
            } else if (std::get_if<close_connection>(&a)) {
                closing_ = true;
            }
        }
    }
    // Everything this input produced (PUBACKs, deliveries) goes out as one TLS record.
    flush();
    if (closing_)
        finish_if_done();
    else
        arm_timer();
}

void connection::flush() {
    while (!write_blocked_ && stream_.is_open()) {
        if (writing_.empty()) {
            if (out_.empty()) return;
            writing_.swap(out_);
        }
        auto need = tls::stream::wait_for::write;
        auto [ec, n] = stream_.write_now(writing_, need);
        if (ec == std::errc::operation_would_block) {
            // TLS: the retry must offer the same bytes, so writing_ stays as it is meanwhile.
            write_blocked_ = true;
            const auto what = need == tls::stream::wait_for::write ? tls::tcp::socket::wait_write : tls::tcp::socket::wait_read;
            stream_.socket().async_wait(what, [self = shared_from_this()](const boost::system::error_code& wec) {
                self->write_blocked_ = false;
                if (wec) {
                    if (!self->closing_) {
                        self->machine_->on_transport_closed(clock::now(), "write failed: " + wec.message());
                        self->process();
                    }
                    self->finish_if_done();
                    return;
                }
                self->flush();
                if (self->closing_) self->finish_if_done();
            });
            return;
        }
        if (ec) {
            const auto dropped = out_.size() + writing_.size();
            queued_bytes_.fetch_sub(std::min(dropped, queued_bytes_.load()), std::memory_order_relaxed);
            mqtt::byte_buffer().swap(out_);
            mqtt::byte_buffer().swap(writing_);
            stream_.close();  // nothing more can be written; the reader sees the close too
            machine_->on_transport_closed(clock::now(), "write failed: " + ec.message());
            process();
            return;
        }
        queued_bytes_.fetch_sub(std::min(n, queued_bytes_.load()), std::memory_order_relaxed);
        if (n < writing_.size()) {  // plain TCP may take part of it
            writing_.erase(writing_.begin(), writing_.begin() + static_cast<std::ptrdiff_t>(n));
            continue;
        }
        // An idle connection keeps no write buffer; a busy one keeps a small one for the next burst.
        if (writing_.capacity() > keep_write_buffer || out_.empty())
            mqtt::byte_buffer().swap(writing_);
        else
            writing_.clear();
    }
}

void connection::arm_timer() {
    if (closing_) return;
    const auto d = machine_->next_deadline();
    if (!d) return;
    // Lazily: a deadline that moved later (keep-alive, at every packet) is found when the
    // timer fires, so the timer is touched only when a deadline comes earlier.
    if (timer_pending_ && *d >= armed_at_) return;
    armed_at_ = *d;
    timer_pending_ = true;
    timer_.expires_at(*d);  // aborts a pending wait; its handler ignores that
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) { self->on_timer(ec); });
}

void connection::on_timer(const boost::system::error_code& ec) {
    if (ec == asio::error::operation_aborted) return;  // re-armed or closed: a newer wait or none
    timer_pending_ = false;
    armed_at_ = clock::time_point::max();
    if (in_grace_) {  // the peer did not take our last bytes in time
        mqtt::byte_buffer().swap(out_);
        mqtt::byte_buffer().swap(writing_);
        finish_if_done();
        return;
    }
    if (closing_) return;
    machine_->on_tick(clock::now());
    process();
}

void connection::finish_if_done() {
    if (!closing_) return;
    if (stream_.is_open() && !(out_.empty() && writing_.empty())) {
        // Bytes are still queued for a peer that does not read: give it flush_grace, then close.
        if (in_grace_) return;
        in_grace_ = true;
        timer_pending_ = true;
        timer_.expires_after(flush_grace);  // aborts the deadline wait, if any
        timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) { self->on_timer(ec); });
        return;
    }
    // Pending socket waits complete (aborted) and, with the timer's, release the connection.
    stream_.close();
    timer_.cancel();
}

bool connection::deliver(message_ptr m, std::uint8_t qos, bool retained) {
    const auto cost = m->payload.size() + m->topic.size() + delivery_overhead;
    if (queued_bytes_.load(std::memory_order_relaxed) + cost > env_.config->limits.max_outbox_bytes) {
        bump(env_.stats->messages_dropped);
        return false;
    }
    queued_bytes_.fetch_add(cost, std::memory_order_relaxed);
    asio::post(stream_.get_executor(), [self = shared_from_this(), m = std::move(m), qos, retained, cost]() {
        self->queued_bytes_.fetch_sub(cost, std::memory_order_relaxed);
        if (!self->machine_) return;
        self->machine_->on_deliver(m, qos, retained, clock::now());
        self->process();
    });
    return true;
}

void connection::kick(disconnect_reason why) {
    asio::post(stream_.get_executor(), [self = shared_from_this(), why]() {
        if (!self->machine_) return;
        self->machine_->on_kick(why, clock::now());
        self->process();
    });
}

}  // namespace wv::gate
