#include "tls/connect.hpp"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "tls/client_context.hpp"

namespace wv::tls {

asio::awaitable<connect_result> connect(asio::any_io_executor ex, connect_options opts, const client_context* ctx) {
    using namespace asio::experimental::awaitable_operators;
    using clock = std::chrono::steady_clock;
    constexpr auto tok = asio::as_tuple(asio::use_awaitable);
    connect_result out;
    tcp::socket sock(ex);

    asio::steady_timer timer(ex, opts.connect_timeout);
    const auto t0 = clock::now();
    auto tcp_part = [&]() -> asio::awaitable<std::error_code> {
        if (opts.address) {
            const auto t1 = clock::now();
            auto [ec] = co_await sock.async_connect(*opts.address, tok);
            out.timing.tcp_connect = clock::now() - t1;
            co_return ec;
        }
        tcp::resolver resolver(ex);
        auto [rec, results] = co_await resolver.async_resolve(opts.host, std::to_string(opts.port), tok);
        out.timing.resolve = clock::now() - t0;
        if (rec) co_return rec;
        const auto t1 = clock::now();
        auto [ec, ep] = co_await asio::async_connect(sock, results, tok);
        out.timing.tcp_connect = clock::now() - t1;
        co_return ec;
    };
    auto r = co_await (tcp_part() || timer.async_wait(tok));
    if (r.index() == 1) {
        out.ec = tls_errc::connect_timeout;
        co_return out;
    }
    if (auto ec = std::get<0>(r)) {
        out.ec = ec;
        co_return out;
    }

    stream s = ctx ? stream(std::move(sock), *ctx, opts.host) : stream(std::move(sock));
    if (opts.identity && s.native_handle()) {
        if (std::string error; !opts.identity->apply(s.native_handle(), error)) {
            out.ec = std::make_error_code(std::errc::invalid_argument);
            out.detail = std::move(error);
            co_return out;
        }
    }
    if (opts.detachable) s.keep_traffic_secrets();
    const auto t2 = clock::now();
    if (auto ec = co_await s.async_handshake(opts.handshake_timeout)) {
        out.ec = ec;
        out.detail = std::string(s.error_detail());
        co_return out;
    }
    if (ctx) out.timing.tls_handshake = clock::now() - t2;
    // This connection's own certificate and key are needed only for the handshake (no
    // renegotiation, no post-handshake auth): drop the SSL's references to them now, so that a
    // connected device does not keep a parsed key and certificate (~15 KiB with OpenSSL 3).
    if (opts.identity && s.native_handle()) SSL_certs_clear(s.native_handle());
    out.s.emplace(std::move(s));
    co_return out;
}

}  // namespace wv::tls
