#include "gateway/https_session.hpp"

#include <array>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "auth/authorizer_event.hpp"
#include "auth/http_authentication.hpp"
#include "gateway/https_publish.hpp"

namespace wv::gate {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr auto tok = asio::as_tuple(asio::use_awaitable);

// The request's x-amz-mqtt5-* headers (names are case-insensitive in Beast's lookup).
mqtt5_headers mqtt5_headers_of(const http::request<http::string_body>& req) {
    const auto get = [&req](const char* name) -> std::optional<std::string_view> {
        const auto it = req.find(name);
        if (it == req.end()) return std::nullopt;
        return std::string_view(it->value().data(), it->value().size());
    };
    return {get("x-amz-mqtt5-user-properties"), get("x-amz-mqtt5-payload-format-indicator"),
            get("x-amz-mqtt5-correlation-data")};
}

std::string serialize(const http_response& r, bool keep_alive) {
    std::string out = "HTTP/1.1 " + std::to_string(r.status) + ' ' + std::string(http_reason(r.status)) + "\r\n";
    out += "content-type: application/json\r\n";
    out += "content-length: " + std::to_string(r.body.size()) + "\r\n";
    out += keep_alive ? "connection: keep-alive\r\n" : "connection: close\r\n";
    if (!r.error_type.empty()) out += "x-amzn-ErrorType: " + r.error_type + "\r\n";
    out += "x-amzn-RequestId: " + r.trace_id + "\r\n\r\n";
    out += r.body;
    return out;
}

class https_session {
public:
    https_session(tls::stream& s, machine_env env, gateway_services services, https_peer peer, std::string read)
        : s_(s), env_(env), services_(services), peer_(peer), pub_(env, services, std::move(peer)),
          pending_(std::move(read)) {}

    asio::awaitable<void> run() {
        for (;;) {
            http::request_parser<http::string_body> p;
            p.header_limit(static_cast<std::uint32_t>(env_.config->https.max_header_bytes));
            p.body_limit(env_.config->limits.max_payload_bytes);
            p.eager(true);
            if (!co_await read_request(p)) co_return;
            const bool keep = p.keep_alive();
            auto req = p.release();
            const std::string_view method(req.method_string().data(), req.method_string().size());
            const std::string_view target(req.target().data(), req.target().size());
            http_response resp;
            if (peer_.http_front) {
                resp = co_await handle_authenticated(req);
            } else {
                resp = pub_.handle(method, target, std::move(req.body()), nullptr, mqtt5_headers_of(req));
            }
            if (!co_await write(serialize(resp, keep && !resp.close)) || !keep || resp.close) co_return;
        }
    }

private:
    // The HTTP front: the request's own credentials decide (auth/http_authentication.hpp).
    asio::awaitable<http_response> handle_authenticated(http::request<http::string_body>& req) {
        auth::http_auth_request a{.transport = auth::http_transport::http,
                                  .method = std::string(req.method_string()),
                                  .target = std::string(req.target()),
                                  .headers = {},
                                  .body = req.body(),
                                  .server_name = peer_.server_name,
                                  .source_ip = peer_.ip,
                                  .source_port = peer_.port,
                                  .connection_id = auth::make_connection_id(),
                                  .mqtt = std::nullopt,
                                  .cache = &answers_};
        for (const auto& f : req) a.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
        const auto verdict = co_await authenticate(std::move(a));
        const std::string_view method(req.method_string().data(), req.method_string().size());
        const std::string_view target(req.target().data(), req.target().size());
        if (const auto* s = std::get_if<auth::sigv4_verdict>(&verdict)) {
            const request_identity who{s->principal, s->policies, "the IAM policy of access key " + s->access_key_id};
            co_return pub_.handle(method, target, std::move(req.body()), &who, mqtt5_headers_of(req));
        }
        if (const auto* c = std::get_if<auth::custom_auth_verdict>(&verdict)) {
            if (!c->cached) {  // enableCachingForHttp: a cached answer cost no call
                env_.stats->authorizer_latency.record(c->result.queue_wait + c->result.call_time);
                bump(env_.stats->authorizer_calls);
            }
            if (!c->allowed()) {
                if (c->result.outcome != auth::authorization_outcome::denied) bump(env_.stats->authorizer_errors);
                co_return pub_.refused(auth::refusal_for(*c));
            }
            const request_identity who{c->result.verdict.response.principal_id, c->policies,
                                       "the policies of authorizer " + c->authorizer + "'s answer" +
                                           (c->cached ? " (cached: enableCachingForHttp)" : "")};
            co_return pub_.handle(method, target, std::move(req.body()), &who, mqtt5_headers_of(req));
        }
        if (const auto* r = std::get_if<auth::http_refusal>(&verdict)) co_return pub_.refused(*r);
        co_return pub_.refused({.status = 500, .error_type = "InternalFailureException", .message = "Internal failure",
                                .detail = "the authenticator deferred an HTTPS publish", .log_reason = "SERVER_ERROR"});
    }

    // http_authenticator completes on its own thread (or inline): hop back to ours.
    asio::awaitable<auth::http_auth_verdict> authenticate(auth::http_auth_request a) {
        auto ex = s_.get_executor();
        co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(auth::http_auth_verdict)>(
            [this, ex, &a](auto handler) {
                auto h = std::make_shared<decltype(handler)>(std::move(handler));
                env_.http_auth->authenticate(std::move(a), [h, ex](auth::http_auth_verdict v) {
                    asio::post(ex, [h, v = std::move(v)]() mutable { (*h)(std::move(v)); });
                });
            },
            asio::use_awaitable);
    }

    // Feeds the parser until one request is complete. False: the connection ends (peer closed,
    // deadline, or a refusal already written).
    asio::awaitable<bool> read_request(http::request_parser<http::string_body>& p) {
        auto deadline = clock::now() + env_.config->https.idle_timeout;
        bool started = !pending_.empty();
        if (started) deadline = clock::now() + env_.config->https.request_timeout;
        bool continued = false;
        for (;;) {
            while (!pending_.empty()) {
                boost::beast::error_code ec;
                const auto n = p.put(asio::buffer(pending_), ec);
                pending_.erase(0, n);
                if (ec == http::error::need_more) break;
                if (ec == http::error::body_limit) co_return co_await refuse(pub_.too_large());
                if (ec == http::error::header_limit)
                    co_return co_await refuse(pub_.malformed(
                        "request headers exceed " + std::to_string(env_.config->https.max_header_bytes) + " bytes"));
                if (ec) co_return co_await refuse(pub_.malformed(ec.message()));
                if (p.is_done()) co_return true;
                if (n == 0) break;
            }
            if (p.is_header_done() && !continued) {
                // curl sends `Expect: 100-continue` before a large body and waits for this.
                const auto& h = p.get();
                if (auto it = h.find(http::field::expect); it != h.end() && boost::beast::iequals(it->value(), "100-continue")) {
                    continued = true;
                    if (!co_await write("HTTP/1.1 100 Continue\r\n\r\n")) co_return false;
                }
            }
            const auto [ec, n] = co_await read_some(deadline);
            if (ec == std::errc::timed_out) {
                log_close(started ? "request not complete within the request deadline" : "idle keep-alive connection timed out");
                co_return false;
            }
            if (ec) {
                if (started) log_close("connection closed in the middle of a request: " + ec.message());
                co_return false;
            }
            if (!started) {
                started = true;
                deadline = clock::now() + env_.config->https.request_timeout;
            }
            pending_.append(reinterpret_cast<const char*>(buf_.data()), n);
        }
    }

    asio::awaitable<std::tuple<std::error_code, std::size_t>> read_some(clock::time_point deadline) {
        asio::steady_timer t(s_.get_executor(), deadline);
        auto r = co_await (s_.async_read_some(buf_) || t.async_wait(tok));
        if (r.index() == 1) co_return std::tuple{std::make_error_code(std::errc::timed_out), std::size_t{0}};
        auto [ec, n] = std::get<0>(r);
        bump(env_.stats->bytes_in, n);
        co_return std::tuple{ec, n};
    }

    asio::awaitable<bool> write(std::string bytes) {
        bump(env_.stats->bytes_out, bytes.size());
        const auto ec = co_await s_.async_write(std::as_bytes(std::span(bytes)));
        co_return !ec;
    }

    asio::awaitable<bool> refuse(http_response r) {
        co_await write(serialize(r, false));
        co_return false;
    }

    void log_close(std::string why) {
        if (services_.log && services_.log->enabled(log_level::warn))
            services_.log->emit(log_level::warn, {{"eventType", "Publish-In"}, {"status", "Failure"}, {"protocol", "HTTP"},
                                             {"reason", "CLIENT_ERROR"}, {"details", std::move(why)}});
    }

    tls::stream& s_;
    machine_env env_;
    gateway_services services_;
    https_peer peer_;
    https_publisher pub_;
    std::string pending_;  // read, not yet consumed by the parser (pipelined requests too)
    auth::http_verdict_cache answers_;  // enableCachingForHttp: this connection's authorizer answers
    std::array<std::byte, 16 * 1024> buf_{};
};

}  // namespace

bool is_http_front(listener_kind kind, std::string_view alpn) noexcept {
    return kind == listener_kind::aws_443 && (alpn.empty() || alpn == "http/1.1");
}

bool is_https(listener_kind kind, std::string_view alpn) noexcept {
    return kind == listener_kind::aws_8443 || alpn == "x-amzn-http-ca" || is_http_front(kind, alpn);
}

asio::awaitable<void> serve_https(tls::stream& stream, machine_env env, gateway_services services,
                                  std::string listener, listener_kind kind, std::string read) {
    https_peer peer;
    peer.http_front = is_http_front(kind, stream.alpn());
    boost::system::error_code ec;
    const auto ep = stream.socket().remote_endpoint(ec);
    if (!ec) {
        peer.ip = ep.address().to_string();
        peer.port = ep.port();
    }
    if (!stream.sni().empty()) peer.server_name = std::string(stream.sni());
    if (peer.http_front) {
        if (!env.http_auth) co_return;  // a gateway built without the HTTP front (tests)
        auto s = std::make_unique<https_session>(stream, env, services, std::move(peer), std::move(read));
        co_await s->run();
        co_return;
    }
    peer.certificate = read_x509_peer(stream.native_handle());
    if (!peer.certificate) {
        // aws-443 only requests a certificate (ALPN mqtt needs none), so the handshake of an
        // x-amzn-http-ca client without one completes; AWS refuses it, so do we, before any
        // request. (Under TLS 1.3 a client learns of a refused certificate only at its first
        // read either way.)
        if (services.log)
            services.log->emit(log_level::error, {{"eventType", "Connect"}, {"status", "Failure"}, {"protocol", "HTTP"},
                                         {"reason", "AUTHORIZATION_FAILURE"}, {"listener", listener},
                                         {"sourceIp", peer.ip},
                                         {"details", "HTTPS publish needs a client certificate"}});
        bump(env.stats->connects_auth_failed);
        co_return;
    }
    auto s = std::make_unique<https_session>(stream, env, services, std::move(peer), std::move(read));
    co_await s->run();
}

}  // namespace wv::gate
