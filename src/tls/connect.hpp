#pragma once
// Connects a stream: resolve (unless an address is given), TCP connect, TLS handshake, each
// bounded by its own timeout, and reports how long TCP and TLS took (the simulator reports both).
//
//   auto r = co_await wv::tls::connect(ex, {.host = "localhost", .port = 8883}, &client_ctx);
//   if (r.ec) ...; use *r.s, r.timing.tcp_connect, r.timing.tls_handshake
//
// Errors: r.ec is a resolver/socket system error, tls_errc::connect_timeout,
// tls_errc::handshake_timeout, or a handshake error (r.detail has OpenSSL's reason); r.s is
// then empty. Never throws on network failures.
// Threading: runs on `ex`; the returned stream belongs to it. The context must outlive the stream.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "tls/client_identity.hpp"
#include "tls/stream.hpp"

namespace wv::tls {

struct connect_options {
    std::string host{};                        // name for SNI and the certificate check (and resolving)
    std::uint16_t port = 8883;
    std::optional<tcp::endpoint> address{};    // skips resolving `host` (fleets connect to one address)
    std::chrono::milliseconds connect_timeout{5000};    // resolve + TCP connect
    std::chrono::milliseconds handshake_timeout{5000};  // TLS handshake
    // This connection's client certificate and key, instead of (or over) the context's; must
    // outlive the handshake. Null: the context's, if any.
    const client_identity* identity = nullptr;
    // Keep what stream::detach_openssl() needs (the TLS 1.3 traffic secrets, the records since
    // the handshake), so the caller can let the stream leave OpenSSL once it is connected.
    bool detachable = false;
};

struct connect_timing {
    std::chrono::nanoseconds resolve{0};
    std::chrono::nanoseconds tcp_connect{0};
    std::chrono::nanoseconds tls_handshake{0};
};

struct connect_result {
    std::error_code ec{};
    std::optional<stream> s{};
    connect_timing timing;
    std::string detail{};  // OpenSSL's reason on handshake failure
};

// ctx == nullptr: plain TCP.
// Takes opts by value: the coroutine may outlive the caller's temporaries. GCC 12: still name
// the options first; a braced temporary inside a co_await expression is destroyed twice.
asio::awaitable<connect_result> connect(asio::any_io_executor ex, connect_options opts, const client_context* ctx);

}  // namespace wv::tls
