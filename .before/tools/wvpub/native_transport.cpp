#include "native_transport.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace wv::wvpub {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

asio::awaitable<std::variant<tls::stream, transport_failure>> open_transport(transport_target t,
                                                                             std::function<void()> on_tcp_connected) {
    constexpr auto tok = asio::as_tuple(asio::use_awaitable);
    using step = transport_failure::step;
    auto ex = co_await asio::this_coro::executor;

    tcp::resolver resolver(ex);
    boost::system::error_code rec;
    const auto addresses = resolver.resolve(t.host, std::to_string(t.port), rec);
    if (rec) co_return transport_failure{step::resolve, rec};

    tcp::socket sock(ex);
    std::error_code last = std::make_error_code(std::errc::host_unreachable);
    for (const auto& entry : addresses) {
        boost::system::error_code ignored;
        sock.close(ignored);
        auto [ec] = co_await sock.async_connect(entry.endpoint(), tok);
        last = ec;
        if (!ec) break;
    }
    if (last) co_return transport_failure{step::tcp, last};
    if (on_tcp_connected) on_tcp_connected();
    if (!t.tls) co_return tls::stream(std::move(sock));

    tls::stream s(std::move(sock), *t.tls, t.host);
    if (!t.check_host && s.native_handle()) {
        X509_VERIFY_PARAM* param = SSL_get0_param(s.native_handle());
        X509_VERIFY_PARAM_set1_host(param, nullptr, 0);
        X509_VERIFY_PARAM_set1_ip(param, nullptr, 0);
    }
    if (auto ec = co_await s.async_handshake(t.handshake_timeout))
        co_return transport_failure{step::tls, ec, std::string(s.error_detail()), s.openssl_error()};
    co_return std::move(s);
}

std::string openssl_error_text(unsigned long openssl_error) {
    const unsigned long code = openssl_error ? openssl_error : ERR_PACK(ERR_LIB_SSL, 0, SSL_R_UNEXPECTED_EOF_WHILE_READING);
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    return buf;
}

}  // namespace wv::wvpub
