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

#include "gateway/https_publish.hpp"

namespace wv::gate {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr auto tok = asio::as_tuple(asio::use_awaitable);

std::string serialize(const http_response& r, bool keep_alive) {
    std::string out = "HTTP/1.1 " + std::to_string(r.status) + ' ' + std::string(http_reason(r.status)) + "\r\n";
    out += "content-type: application/json\r\n";
    out += "content-length: " + std::to_string(r.body.size()) + "\r\n";
    out += keep_alive ? "connection: keep-alive\r\n" : "connection: close\r\n";
    out += "x-amzn-RequestId: " + r.trace_id + "\r\n\r\n";
    out += r.body;
    return out;
}

class https_session {
public:
    https_session(tls::stream& s, machine_env env, gateway_services services, https_peer peer, std::string read)
        : s_(s), env_(env), services_(services), pub_(env, services, std::move(peer)), pending_(std::move(read)) {}

    asio::awaitable<void> run() {
        for (;;) {
            http::request_parser<http::string_body> p;
            p.header_limit(static_cast<std::uint32_t>(env_.config->https.max_header_bytes));
            p.body_limit(env_.config->limits.max_payload_bytes);
            p.eager(true);
            if (!co_await read_request(p)) co_return;
            const bool keep = p.keep_alive();
            auto req = p.release();
            const auto resp = pub_.handle(std::string_view(req.method_string().data(), req.method_string().size()),
                                          std::string_view(req.target().data(), req.target().size()),
                                          std::move(req.body()));
            if (!co_await write(serialize(resp, keep && !resp.close)) || !keep || resp.close) co_return;
        }
    }

private:
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
    https_publisher pub_;
    std::string pending_;  // read, not yet consumed by the parser (pipelined requests too)
    std::array<std::byte, 16 * 1024> buf_{};
};

}  // namespace

bool is_https(listener_kind kind, std::string_view alpn) noexcept {
    return kind == listener_kind::aws_8443 || alpn == "x-amzn-http-ca";
}

asio::awaitable<void> serve_https(tls::stream& stream, machine_env env, gateway_services services,
                                  std::string listener, std::string read) {
    https_peer peer;
    boost::system::error_code ec;
    const auto ep = stream.socket().remote_endpoint(ec);
    if (!ec) {
        peer.ip = ep.address().to_string();
        peer.port = ep.port();
    }
    if (!stream.sni().empty()) peer.server_name = std::string(stream.sni());
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
