// A client stream that leaves OpenSSL after the handshake (stream::detach_openssl) against a
// server on OpenSSL (our server stream) over real TLS 1.3 on loopback: data both ways before and
// after, records larger than one, the server's KeyUpdate (asked to answer, and not), its
// NewSessionTickets, close_notify, a resumed connection, and the cases that must stay on OpenSSL.
#include <doctest/doctest.h>

#include <array>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <openssl/ssl.h>

#include "support/temp_dir.hpp"
#include "tls/client_context.hpp"
#include "tls/connect.hpp"
#include "tls/server_context.hpp"
#include "tls/stream.hpp"
#include "tls/test_ca.hpp"
#include "unit/tls/loopback.hpp"

namespace {

using namespace std::chrono_literals;
using wv::tls::stream;
using wv::tls::tls_errc;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
constexpr auto tok = asio::as_tuple(asio::use_awaitable);

std::span<const std::byte> as_bytes(const std::string& s) { return {reinterpret_cast<const std::byte*>(s.data()), s.size()}; }

struct detach_pki {
    wv::test::temp_dir dir;
    wv::tls::test_ca_files ca = wv::tls::make_test_ca(dir.path());
};
const detach_pki& keys() {
    static const detach_pki p;
    return p;
}

// Reads until `n` bytes came (or an error).
asio::awaitable<std::string> read_exactly(stream& s, std::size_t n, std::error_code& ec) {
    std::string got;
    std::array<std::byte, 4096> buf;
    while (got.size() < n) {
        auto [rec, k] = co_await s.async_read_some(buf);
        if (rec) {
            ec = rec;
            break;
        }
        got.append(reinterpret_cast<const char*>(buf.data()), k);
    }
    co_return got;
}

std::string pattern(std::size_t n, char seed) {
    std::string s(n, ' ');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(seed + i % 23);
    return s;
}

enum class server_key_update { none, not_requested, requested };

struct seen {
    bool detached = false, resumed = false;
    std::string version, cipher, alpn, sni;
    std::string echo_small, echo_big, after_update;
    std::error_code client_ec, server_ec, end;
    bool ssl_gone = false;
};

// Server (OpenSSL, session tickets on: two right after the handshake): echoes "hello", then
// whatever the client sends after detaching (40,000 bytes), sends one more ticket, optionally
// updates its keys, sends "after update", reads the client's "ack" and closes with close_notify.
asio::awaitable<void> server(tcp::acceptor& acc, const wv::tls::server_context& ctx, server_key_update ku, seen& out) {
    auto [aec, sock] = co_await acc.async_accept(tok);
    REQUIRE(!aec);
    stream s(std::move(sock), ctx);
    if ((out.server_ec = co_await s.async_handshake(5s))) co_return;
    auto hello = co_await read_exactly(s, 5, out.server_ec);
    if (out.server_ec || (out.server_ec = co_await s.async_write(as_bytes(hello)))) co_return;
    auto big = co_await read_exactly(s, 40000, out.server_ec);
    if (out.server_ec || (out.server_ec = co_await s.async_write(as_bytes(big)))) co_return;
    if (SSL_version(s.native_handle()) == TLS1_3_VERSION)  // a ticket after the client left OpenSSL
        REQUIRE((SSL_new_session_ticket(s.native_handle()) == 1 && SSL_do_handshake(s.native_handle()) == 1));
    if (ku != server_key_update::none)
        REQUIRE(SSL_key_update(s.native_handle(),
                               ku == server_key_update::requested ? SSL_KEY_UPDATE_REQUESTED : SSL_KEY_UPDATE_NOT_REQUESTED) == 1);
    if ((out.server_ec = co_await s.async_write(as_bytes(std::string("after update"))))) co_return;
    auto ack = co_await read_exactly(s, 3, out.server_ec);
    if (out.server_ec) co_return;
    CHECK(ack == "ack");
    co_await s.async_shutdown(2s);
}

asio::awaitable<void> client(tcp::endpoint ep, const wv::tls::client_context& ctx, bool detachable, seen& out) {
    auto ex = co_await asio::this_coro::executor;
    const wv::tls::connect_options opts{.host = "localhost", .port = ep.port(), .address = ep, .detachable = detachable};
    auto r = co_await wv::tls::connect(ex, opts, &ctx);
    if ((out.client_ec = r.ec)) co_return;
    auto& s = *r.s;
    if ((out.client_ec = co_await s.async_write(as_bytes(std::string("hello"))))) co_return;
    out.echo_small = co_await read_exactly(s, 5, out.client_ec);
    if (out.client_ec) co_return;
    out.detached = s.detach_openssl();
    out.ssl_gone = s.native_handle() == nullptr;
    out.version = std::string(s.protocol_version());
    out.cipher = std::string(s.cipher());
    out.alpn = std::string(s.alpn());
    out.sni = std::string(s.sni());
    out.resumed = s.session_resumed();
    const auto big = pattern(40000, 'a');  // three records each way
    if ((out.client_ec = co_await s.async_write(as_bytes(big)))) co_return;
    out.echo_big = co_await read_exactly(s, big.size(), out.client_ec);
    if (out.client_ec) co_return;
    out.after_update = co_await read_exactly(s, 12, out.client_ec);
    if (out.client_ec || (out.client_ec = co_await s.async_write(as_bytes(std::string("ack"))))) co_return;
    std::array<std::byte, 64> buf;
    auto [ec, n] = co_await s.async_read_some(buf);
    out.end = ec;
    (void)n;
}

seen run(server_key_update ku, bool detachable = true, wv::tls::client_options co = {}, int connections = 1) {
    wv::test::loopback lb;
    wv::tls::server_context sctx({.cert_file = keys().ca.server_cert, .key_file = keys().ca.server_key, .session_tickets = true});
    if (co.ca_file.empty()) co.ca_file = keys().ca.ca_cert;
    wv::tls::client_context cctx(co);
    seen out;
    for (int i = 0; i < connections; ++i) {
        out = {};
        lb.run([&] { return server(lb.acceptor, sctx, ku, out); }, [&] { return client(lb.endpoint(), cctx, detachable, out); });
    }
    return out;
}

void check_exchange(const seen& s) {
    REQUIRE_MESSAGE(!s.client_ec, s.client_ec.message() << " / server: " << s.server_ec.message());
    REQUIRE_MESSAGE(!s.server_ec, s.server_ec.message());
    CHECK(s.echo_small == "hello");
    CHECK(s.echo_big == pattern(40000, 'a'));
    CHECK(s.after_update == "after update");
    CHECK(s.end == tls_errc::closed);  // the server's close_notify
}

}  // namespace

TEST_CASE("detached TLS 1.3 client: data both ways, records over 16 KiB, close_notify; the accessors answer as before") {
    const auto s = run(server_key_update::none);
    REQUIRE(s.detached);
    CHECK(s.ssl_gone);
    check_exchange(s);
    CHECK(s.version == "TLSv1.3");
    CHECK(s.cipher == "TLS_AES_256_GCM_SHA384");  // OpenSSL's first choice between two OpenSSL peers
    CHECK(s.alpn == "mqtt");
    CHECK(s.sni == "localhost");
    CHECK_FALSE(s.resumed);
}

TEST_CASE("detached client: the server's KeyUpdate, with and without update_requested") {
    SUBCASE("not requested: new read keys only") { check_exchange(run(server_key_update::not_requested)); }
    SUBCASE("requested: the client answers with its own KeyUpdate and new write keys") {
        check_exchange(run(server_key_update::requested));
    }
}

TEST_CASE("detached client: the other cipher suites, and a resumed connection") {
    SUBCASE("TLS_AES_128_GCM_SHA256 and TLS_CHACHA20_POLY1305_SHA256") {
        for (const char* suite : {"TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"}) {
            CAPTURE(suite);
            wv::tls::client_context probe({.ca_file = keys().ca.ca_cert});
            REQUIRE(SSL_CTX_set_ciphersuites(probe.native_handle(), suite) == 1);
            wv::test::loopback lb;
            wv::tls::server_context sctx(
                {.cert_file = keys().ca.server_cert, .key_file = keys().ca.server_key, .session_tickets = true});
            seen out;
            lb.run([&] { return server(lb.acceptor, sctx, server_key_update::requested, out); },
                   [&] { return client(lb.endpoint(), probe, true, out); });
            REQUIRE(out.detached);
            CHECK(out.cipher == suite);
            check_exchange(out);
        }
    }
    SUBCASE("the second connection resumes and detaches too") {
        const auto s = run(server_key_update::none, true, {.session_resumption = true}, 2);
        CHECK(s.resumed);
        REQUIRE(s.detached);
        check_exchange(s);
    }
}

TEST_CASE("streams that stay on OpenSSL: not asked for before the handshake, or TLS 1.2") {
    SUBCASE("not detachable") {
        const auto s = run(server_key_update::none, false);
        CHECK_FALSE(s.detached);
        CHECK_FALSE(s.ssl_gone);
        check_exchange(s);
    }
    SUBCASE("TLS 1.2: no TLS 1.3 secrets") {
        const auto s = run(server_key_update::none, true, {.max_version = wv::tls::tls_version::tls1_2});
        CHECK_FALSE(s.detached);
        CHECK(s.version == "TLSv1.2");
        check_exchange(s);
    }
}
