#include "gateway/connection.hpp"

#include <boost/asio/post.hpp>

#include "auth/authorizer_event.hpp"
#include "gateway/http_front.hpp"
#include "gateway/https_session.hpp"

namespace wv::gate {

namespace asio = boost::asio;

namespace {

// Bookkeeping added to a posted delivery's payload size (topic, header).
constexpr std::size_t delivery_overhead = 64;

thread_local net::timer_wheel* this_thread_wheel = nullptr;

// Storage for effect batches, kept by the thread rather than by each connection: a PUBLISH
// hands out three effects, which would otherwise grow a fresh vector (three allocations) on
// every input, and an idle connection keeps none.
thread_local effects spare_effects;

// counters::connections_open from accept to the end, whichever object ends it.
class open_count {
public:
    explicit open_count(counters& c) : c_(&c) { bump(c.connections_open); }
    ~open_count() {
        if (c_) c_->connections_open.fetch_sub(1, std::memory_order_relaxed);
    }
    open_count(const open_count&) = delete;
    open_count& operator=(const open_count&) = delete;
    void hand_over() noexcept { c_ = nullptr; }  // the connection counts itself out

private:
    counters* c_;
};

// What the transport knows about an MQTT peer; null certificate on an X.509 listener: refused.
peer_info describe_peer(tls::stream& s, const std::string& listener, listener_kind kind) {
    peer_info peer;
    peer.listener = listener;
    boost::system::error_code ec;
    const auto ep = s.socket().remote_endpoint(ec);
    if (!ec) {
        peer.ip = ep.address().to_string();
        peer.port = ep.port();
    }
    if (!s.sni().empty()) peer.server_name = std::string(s.sni());
    peer.alpn = std::string(s.alpn());
    // Port + ALPN decide the authentication (spec 3.1).
    peer.x509 = kind == listener_kind::aws_8883 || peer.alpn == "x-amzn-mqtt-ca";
    if (peer.x509) peer.certificate = read_x509_peer(s.native_handle());
    return peer;
}

}  // namespace

void set_thread_timer_wheel(net::timer_wheel* wheel) noexcept { this_thread_wheel = wheel; }

#if defined(__x86_64__) && defined(__GLIBCXX__)
// Every connected device carries one: issue 18 measures wvgate's memory per connection against
// mosquitto's (src/gateway/README.md, "Measured: the floor"), and this object is most of what is
// ours in it. A member that only some connections need goes behind a pointer; one that every
// connection needs raises this budget in the same commit, with the reason. 1,216 + 8: the
// tls::stream's pointer to the state of a client stream that leaves OpenSSL (own_tls.hpp;
// null on every server connection).
static_assert(sizeof(connection) <= 1224, "connection grew: see the comment above");
#endif

asio::awaitable<void> serve_connection(tls::stream stream, machine_env env, const gateway_services* services,
                                       const authorizer_lookup* authorizers, std::string listener, listener_kind kind) {
    open_count counted(*env.stats);
    event_log* log = services->log;
    if (auto ec = co_await stream.async_handshake(env.config->limits.tls_handshake_timeout)) {
        bump(env.stats->tls_handshake_failures);
        boost::system::error_code ignored;
        const auto ep = stream.socket().remote_endpoint(ignored);
        // One line per failed handshake (a port scan or a device with the wrong CA or no ALPN
        // shows up here), at info so that a flood can be silenced with log.level: warn.
        if (log && log->enabled(log_level::info))
            log->emit(log_level::info,
                      {{"eventType", "Connect"}, {"status", "Failure"}, {"reason", "TLS_HANDSHAKE_FAILURE"},
                       {"listener", listener},
                       {"sourceIp", ignored ? std::string() : ep.address().to_string()},
                       {"details", ec.message() + (stream.error_detail().empty()
                                                       ? std::string()
                                                       : ": " + std::string(stream.error_detail()))}});
        stream.close();
        co_return;
    }
    std::optional<std::string> websocket_request;
    if (is_http_front(kind, stream.alpn())) {
        // HTTP (spec 3.1): the first request says whether this is MQTT over WebSocket.
        auto front = co_await read_http_front(stream, *env.config);
        if (!front) {
            stream.close();
            co_return;
        }
        if (!front->malformed.empty()) {
            if (log && log->enabled(log_level::warn))
                log->emit(log_level::warn, {{"eventType", "Connect"}, {"status", "Failure"}, {"protocol", "HTTP"},
                                            {"reason", "CLIENT_ERROR"}, {"listener", listener},
                                            {"httpStatus", 400}, {"details", front->malformed}});
            const auto answer = websocket::refusal(400, front->malformed, "InvalidRequestException");
            co_await stream.async_write(mqtt::as_bytes(answer));
            stream.close();
            co_return;
        }
        if (!front->websocket) {
            co_await serve_https(stream, env, *services, listener, kind, std::move(front->bytes));
            stream.close();
            co_return;
        }
        websocket_request = std::move(front->bytes);
    } else if (is_https(kind, stream.alpn())) {  // HTTPS publish: no MQTT machine (https_session.hpp)
        co_await serve_https(stream, env, *services, listener, kind);
        stream.close();
        co_return;
    }
    auto peer = describe_peer(stream, listener, kind);
    peer.websocket = websocket_request.has_value();
    if (peer.x509 && !peer.certificate) {
        if (log)
            log->emit(log_level::error, {{"eventType", "Connect"}, {"status", "Failure"},
                                         {"reason", "AUTHORIZATION_FAILURE"}, {"sourceIp", peer.ip},
                                         {"details", "X.509 authentication needs a client certificate"}});
        bump(env.stats->connects_auth_failed);
        stream.close();
        co_return;
    }
    auto c = std::make_shared<connection>(std::move(stream), std::move(peer), env, services, authorizers,
                                          std::move(websocket_request));
    counted.hand_over();
    // From here on the driver's handlers carry the connection; this coroutine frame ends.
    c->start();
}

namespace {

websocket::server_options websocket_options(const gateway_config& c) {
    return {.path = c.websocket.path,
            .max_header_bytes = c.https.max_header_bytes,
            .max_frame_bytes = c.websocket.max_frame_bytes,
            .handshake_timeout = c.websocket.handshake_timeout};
}

}  // namespace

connection::connection(tls::stream stream, peer_info peer, machine_env env, const gateway_services* services,
                       const authorizer_lookup* authorizers, std::optional<std::string> websocket_request)
    : stats_(*env.stats),
      max_outbox_bytes_(env.config->limits.max_outbox_bytes),
      applier_(services),
      authorizers_(authorizers),
      machine_(env, peer, auth::make_connection_id(), clock::now()),
      log_(services->log),
      // The connection judges every upgrade: it keeps the request for CONNECT's custom auth,
      // and the HTTP front's authenticator (when there is one) decides SigV4.
      ws_(websocket_request ? std::make_unique<websocket::server_layer>(*this, websocket_options(*env.config), clock::now(),
                                                                        static_cast<websocket::upgrade_judge*>(this))
                            : nullptr),
      upgrade_(websocket_request ? std::make_unique<websocket_upgrade>(
                                       websocket_upgrade{.request = std::move(*websocket_request), .http_auth = env.http_auth, .facts = {}, .ttl_at = {}})
                                 : nullptr),
      driver_(std::move(stream), ws_ ? static_cast<net::protocol_machine&>(*ws_) : *this,
              net::driver_options{.wheel = this_thread_wheel}) {
    if (upgrade_) {
        auto& f = upgrade_->facts;
        f.transport = auth::http_transport::wss;
        f.server_name = peer.server_name;
        f.source_ip = peer.ip;
        f.source_port = peer.port;
        f.connection_id = machine_.connection_id();
    }
    if (upgrade_ && env.config->websocket.ttl.count() > 0) {
        // Scaled like the other AWS durations (time_scale), so tests see 24 h in milliseconds.
        const double scale = env.config->time_scale > 0 ? env.config->time_scale : 1.0;
        upgrade_->ttl_at = clock::now() + std::chrono::nanoseconds(static_cast<std::int64_t>(
                                              static_cast<double>(env.config->websocket.ttl.count()) * 1e9 / scale));
    }
}

connection::~connection() { stats_.connections_open.fetch_sub(1, std::memory_order_relaxed); }

void connection::start() {
    // The connection keeps itself until the driver's end handler: a handler that captured
    // the shared_ptr cost an allocation per connection (std::function keeps only a plain
    // pointer in place).
    self_ = shared_from_this();
    driver_.start([this](std::error_code) { self_.reset(); });  // the last thing the driver runs
    if (ws_ && upgrade_ && !upgrade_->request.empty()) {  // the upgrade request the HTTP front read
        driver_.act([&](clock::time_point now, net::effects& fx) { ws_->on_bytes(mqtt::as_bytes(upgrade_->request), now, fx); });
        std::string().swap(upgrade_->request);
    }
}

std::optional<clock::time_point> connection::next_deadline() const {
    auto d = machine_.next_deadline();
    if (upgrade_ && upgrade_->ttl_at && (!d || *upgrade_->ttl_at < *d))
        d = upgrade_->ttl_at;  // keep-alive 0 has no deadline of its own
    return d;
}

void connection::lend_effect_storage() noexcept {
    if (!machine_.has_effects() && spare_effects.capacity() > 0) machine_.take_effects(spare_effects);
}

void connection::on_bytes(std::span<const std::byte> in, clock::time_point now, net::effects& fx) {
    lend_effect_storage();
    machine_.on_bytes(in, now);
    apply(now, fx);
}

void connection::on_deadline(clock::time_point now, net::effects& fx) {
    if (upgrade_ && upgrade_->ttl_at && now >= *upgrade_->ttl_at) {
        // AWS's WebSocket connection lifetime: a server-side disconnect (Will, lifecycle event).
        upgrade_->ttl_at.reset();
        machine_.on_kick(disconnect_reason::websocket_ttl_expiration, now);
    } else {
        machine_.on_tick(now);
    }
    apply(now, fx);
}

void connection::on_transport_closed(std::error_code why, clock::time_point now) {
    if (ws_ && ws_->refused_status() != 0) log_refused_upgrade();
    machine_.on_transport_closed(now, why.message());
    net::effects nothing_can_be_sent;  // the Will, the detach and the log still happen
    apply(now, nothing_can_be_sent);
}

void connection::apply(clock::time_point now, net::effects& fx) {
    const std::shared_ptr<subscriber> self = shared_from_this();  // what the broker delivers to
    effects batch;
    while (machine_.has_effects()) {
        machine_.take_effects(batch);
        for (auto& e : batch) {
            if (applier_.apply(e, machine_, self, now)) continue;  // broker, log, rules, throttle, certificates
            if (auto* s = std::get_if<send_bytes>(&e)) {
                if (fx.send.empty())
                    fx.send = std::move(s->bytes);  // the common case: no copy
                else
                    fx.send.insert(fx.send.end(), s->bytes.begin(), s->bytes.end());
            } else if (auto* c = std::get_if<gate::call_authorizer>(&e)) {
                call_authorizer(c->authorizer, std::move(c->event_json), now);
            } else if (std::get_if<close_connection>(&e)) {
                applier_.connection_closed();
                // The machine's last packets (a CONNACK refusal, say) go out first.
                fx.close(net::ending::close_after_flush, std::make_error_code(std::errc::connection_aborted));
            }
        }
    }
    // The storage goes back to the thread: the larger of the batch's and the machine's.
    effects rest;
    machine_.take_effects(rest);
    batch.clear();
    spare_effects = std::move(batch.capacity() >= rest.capacity() ? batch : rest);
}

void connection::call_authorizer(const std::string& name, std::string event_json, clock::time_point now) {
    auto* svc = (*authorizers_)(name);
    if (!svc) {
        auth::authorization_result r;
        r.outcome = auth::authorization_outcome::backend_error;
        r.reason = "no backend for authorizer " + name;
        machine_.on_authorizer_result(r, now);  // its effects: the next round of apply()
        return;
    }
    // The service completes on its own thread: hop back to ours, then feed the machine.
    svc->authorize(std::move(event_json), [self = weak_from_this(), ex = driver_.stream().get_executor()](
                                              auth::authorization_result r) {
        asio::post(ex, [self, r = std::move(r)]() {
            if (auto c = self.lock())
                c->act([&](clock::time_point now, net::effects& fx) {
                    c->machine_.on_authorizer_result(r, now);
                    c->apply(now, fx);
                });
        });
    });
}

bool connection::deliver(message_ptr m, std::uint8_t qos, bool retained) {
    const auto cost = m->payload.size() + m->topic.size() + delivery_overhead;
    if (posted_bytes_.load(std::memory_order_relaxed) + cost > max_outbox_bytes_) {
        bump(stats_.messages_dropped);
        return false;
    }
    posted_bytes_.fetch_add(cost, std::memory_order_relaxed);
    asio::post(driver_.stream().get_executor(), [self = shared_from_this(), m = std::move(m), qos, retained, cost]() {
        const auto still_posted = self->posted_bytes_.fetch_sub(cost, std::memory_order_relaxed) - cost;
        // Bounded together with what the socket has not taken yet (read on this thread only).
        if (self->driver_.is_open() && self->driver_.queued_bytes() + still_posted + cost > self->max_outbox_bytes_) {
            bump(self->stats_.messages_dropped);
            return;
        }
        self->act([&](clock::time_point now, net::effects& fx) {
            self->lend_effect_storage();
            self->machine_.on_deliver(m, qos, retained, now);
            self->apply(now, fx);
        });
    });
    return true;
}

void connection::kick(disconnect_reason why) {
    asio::post(driver_.stream().get_executor(), [self = shared_from_this(), why]() {
        self->act([&](clock::time_point now, net::effects& fx) {
            self->machine_.on_kick(why, now);
            self->apply(now, fx);
        });
    });
}

void connection::judge(const websocket::http::request_header<>& request, clock::time_point) {
    auto a = upgrade_->facts;  // upgrade_ is set whenever ws_ is, and only ws_ calls judge()
    a.method = std::string(request.method_string());
    a.target = std::string(request.target());
    for (const auto& f : request) a.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    // Custom auth runs at CONNECT (AWS's clients may put the authorizer's parameters in the
    // upgrade or in the CONNECT user name): the machine keeps the request for its event.
    machine_.on_websocket_upgrade(std::make_shared<const auth::http_request_info>(auth::request_info_of(a)));
    auto post_verdict = [self = weak_from_this(), ex = driver_.stream().get_executor()](auth::http_auth_verdict v) {
        asio::post(ex, [self, v = std::move(v)]() mutable {
            if (auto c = self.lock()) c->on_upgrade_verdict(std::move(v));
        });
    };
    // The authenticator answers inline (SigV4, a refusal, deferred) or on the authorizer's
    // thread: always hop back to ours through a post, never re-enter the layer from here.
    if (!upgrade_->http_auth) {  // a gateway without the HTTP front's authenticator (tests): CONNECT decides
        post_verdict(auth::deferred_to_connect{});
        return;
    }
    upgrade_->http_auth->authenticate(std::move(a), std::move(post_verdict));
}

void connection::on_upgrade_verdict(auth::http_auth_verdict v) {
    driver_.act([&](clock::time_point now, net::effects& fx) {
        if (const auto* r = std::get_if<auth::http_refusal>(&v)) {
            if (log_ && log_->enabled(log_level::warn))
                log_->emit(log_level::warn, {{"eventType", "Connect"}, {"status", "Failure"}, {"protocol", "MQTT"},
                                             {"transport", "wss"}, {"reason", r->log_reason}, {"httpStatus", r->status},
                                             {"details", r->detail}});
            ws_->refuse(r->status, r->message, r->error_type, now, fx);
            return;
        }
        if (const auto* s = std::get_if<auth::sigv4_verdict>(&v))
            machine_.on_transport_authenticated(s->principal, s->policies);
        // deferred_to_connect (custom auth): the MQTT CONNECT's user name and password decide.
        ws_->accept(now, fx);
    });
}

void connection::log_refused_upgrade() {
    const auto status = ws_->refused_status();
    const bool auth = status == 401 || status == 403;
    bump(auth ? stats_.connects_auth_failed : stats_.connects_protocol_error);
    if (log_ && log_->enabled(log_level::warn))
        log_->emit(log_level::warn, {{"eventType", "Connect"}, {"status", "Failure"}, {"protocol", "MQTT"},
                                     {"transport", "wss"},
                                     {"reason", auth ? "AUTHORIZATION_FAILURE" : "CLIENT_ERROR"},
                                     {"details", "WebSocket upgrade refused with HTTP " + std::to_string(status)}});
}

}  // namespace wv::gate
