#include "gateway/connection.hpp"

#include <array>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "auth/authorizer_event.hpp"
#include "gateway/https_session.hpp"

namespace wv::gate {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

namespace {
constexpr auto tok = asio::as_tuple(asio::use_awaitable);
// A closed connection gets this long to flush its last bytes to a peer that does not read.
constexpr auto flush_grace = std::chrono::seconds(5);
// Bookkeeping added to a queued delivery's payload size (topic, header).
constexpr std::size_t delivery_overhead = 64;
}  // namespace

connection::connection(tls::stream stream, machine_env env, authorizer_lookup authorizers, std::string listener,
                       listener_kind kind)
    : stream_(std::move(stream)),
      env_(env),
      authorizers_(std::move(authorizers)),
      listener_(std::move(listener)),
      kind_(kind),
      wake_(stream_.get_executor()),
      tick_(stream_.get_executor()) {
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
        peer.certificate_id = stream_.peer_subject();
        if (peer.certificate_id.empty()) {
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
    try {
        co_await (read_loop() || write_loop() || timer_loop());
    } catch (const std::exception&) {
        // Cancellation of the losing branches surfaces here on some paths; the machine is
        // closed below either way.
    }
    if (machine_->current_state() != connection_machine::state::closed) {
        machine_->on_transport_closed(clock::now(), "connection ended");
        (void)machine_->take_actions();
    }
    stream_.close();
}

asio::awaitable<void> connection::read_loop() {
    // One read buffer per thread, not per connection: the stream fills it only when the read
    // completes, on this thread, and the machine consumes (copies what it keeps) before the
    // next completion can run. Saves its size on every idle connection.
    thread_local std::array<std::byte, 16 * 1024> buf;
    while (machine_->current_state() != connection_machine::state::closed) {
        auto [ec, n] = co_await stream_.async_read_some(buf);
        if (ec) {
            machine_->on_transport_closed(clock::now(), ec.message());
            process();
            co_return;
        }
        machine_->on_bytes(std::span<const std::byte>(buf.data(), n), clock::now());
        process();
    }
    // Closed by the machine: the writer flushes and ends the connection; wait to be cancelled.
    asio::steady_timer forever(stream_.get_executor(), clock::time_point::max());
    co_await forever.async_wait(tok);
}

asio::awaitable<void> connection::write_loop() {
    for (;;) {
        if (outbox_.empty()) {
            if (closing_) co_return;
            wake_.expires_at(clock::time_point::max());
            co_await wake_.async_wait(tok);
            continue;
        }
        // Coalesce small packets (PUBACKs, fan-out to one device) into one TLS record.
        // Erasing the second element of a deque may move the first one (it shifts the shorter
        // side), so no reference to the front survives an erase: take it afresh each time.
        while (outbox_.size() > 1 && outbox_.front().size() < 16 * 1024) {
            auto next = std::move(outbox_[1]);
            outbox_.erase(outbox_.begin() + 1);
            auto& head = outbox_.front();
            head.insert(head.end(), next.begin(), next.end());
        }
        mqtt::byte_buffer& front = outbox_.front();
        const auto size = front.size();
        auto ec = co_await stream_.async_write(front);
        queued_bytes_.fetch_sub(std::min(size, queued_bytes_.load()), std::memory_order_relaxed);
        if (ec) {
            machine_->on_transport_closed(clock::now(), "write failed: " + ec.message());
            process();
            co_return;
        }
        outbox_.pop_front();
    }
}

asio::awaitable<void> connection::timer_loop() {
    for (;;) {
        if (machine_->current_state() == connection_machine::state::closed) {
            in_grace_ = true;
            tick_.expires_after(flush_grace);
            co_await tick_.async_wait(tok);
            co_return;
        }
        const auto d = machine_->next_deadline().value_or(clock::now() + std::chrono::hours(1));
        tick_.expires_at(d);
        armed_at_ = d;
        auto [ec] = co_await tick_.async_wait(tok);
        if (ec) continue;  // re-armed (an earlier deadline appeared) or closing
        machine_->on_tick(clock::now());
        process();
    }
}

void connection::process() {
    for (auto& a : machine_->take_actions()) {
        if (auto* s = std::get_if<send_bytes>(&a)) {
            queued_bytes_.fetch_add(s->bytes.size(), std::memory_order_relaxed);
            outbox_.push_back(std::move(s->bytes));
            wake_.cancel();
        } else if (auto* c = std::get_if<call_authorizer>(&a)) {
            auto* svc = authorizers_(c->authorizer);
            if (!svc) {
                auth::authorization_result r;
                r.outcome = auth::authorization_outcome::backend_error;
                r.reason = "no backend for authorizer " + c->authorizer;
                machine_->on_authorizer_result(r, clock::now());
                continue;  // its actions are appended to the list being processed next round
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
            wake_.cancel();
        }
    }
    // An action may have produced more actions (e.g. an unknown authorizer): drain them too.
    if (machine_->has_actions()) process();
    if (!in_grace_ && (closing_ || (machine_->next_deadline() && *machine_->next_deadline() < armed_at_))) tick_.cancel();
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
