// The TLS/TCP stream on loopback: TLS 1.2 and 1.3, ALPN agreed and refused, SNI, verification
// failures, client certificates, resumption, timeouts, clean/truncated/abrupt closes.
#include <doctest/doctest.h>

#include <array>
#include <memory>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <openssl/pem.h>
#include <openssl/x509.h>

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

std::span<const std::byte> bytes_of(std::string_view s) { return {reinterpret_cast<const std::byte*>(s.data()), s.size()}; }

// One CA shared by every test case in this file (generation costs milliseconds, but adds up).
struct certs {
    wv::test::temp_dir dir;
    wv::tls::test_ca_files ca = wv::tls::make_test_ca(dir.path());
    wv::tls::client_cert_files dev = wv::tls::make_client_cert(dir.path(), "device-7");
    wv::test::temp_dir other_dir;
    wv::tls::test_ca_files other = wv::tls::make_test_ca(other_dir.path());
};
const certs& pki() {
    static const certs c;
    return c;
}

wv::tls::server_options server_opts() {
    return {.cert_file = pki().ca.server_cert, .key_file = pki().ca.server_key};
}
wv::tls::client_options client_opts() { return {.ca_file = pki().ca.ca_cert}; }

struct server_seen {
    std::error_code ec;
    std::string sni, alpn, version, peer;
    bool resumed = false;
    std::string detail;
};

// Accepts one connection, handshakes, and on success echoes one read back, then shuts down.
asio::awaitable<void> serve_one(tcp::acceptor& acc, const wv::tls::server_context& ctx, server_seen& seen) {
    auto [aec, sock] = co_await acc.async_accept(tok);
    REQUIRE(!aec);
    stream s(std::move(sock), ctx);
    seen.ec = co_await s.async_handshake(5s);
    seen.detail = std::string(s.error_detail());
    if (seen.ec) co_return;
    seen.sni = std::string(s.sni());
    seen.alpn = std::string(s.alpn());
    seen.version = std::string(s.protocol_version());
    seen.peer = s.peer_subject();
    seen.resumed = s.session_resumed();
    std::array<std::byte, 256> buf;
    auto [rec, n] = co_await s.async_read_some(buf);
    if (rec) co_return;
    co_await s.async_write(std::span{buf}.first(n));
    co_await s.async_shutdown(2s);
}

struct client_seen {
    std::error_code ec;
    std::string alpn, version, echo, detail;
    bool resumed = false;
};

asio::awaitable<void> client_one(tcp::endpoint ep, const wv::tls::client_context& ctx, std::string host, client_seen& seen) {
    auto ex = co_await asio::this_coro::executor;
    const wv::tls::connect_options opts{.host = host, .port = ep.port(), .address = ep};
    auto r = co_await wv::tls::connect(ex, opts, &ctx);
    seen.ec = r.ec;
    seen.detail = r.detail;
    if (r.ec) co_return;
    auto& s = *r.s;
    seen.alpn = std::string(s.alpn());
    seen.version = std::string(s.protocol_version());
    seen.resumed = s.session_resumed();
    if (auto ec = co_await s.async_write(bytes_of("ping"))) {
        seen.ec = ec;
        co_return;
    }
    std::array<std::byte, 256> buf;
    for (;;) {
        auto [ec, n] = co_await s.async_read_some(buf);
        if (ec) {
            if (ec != tls_errc::closed) seen.ec = ec;
            seen.detail = std::string(s.error_detail());
            break;
        }
        seen.echo.append(reinterpret_cast<const char*>(buf.data()), n);
    }
}

struct run_result {
    server_seen server;
    client_seen client;
};

run_result exchange(const wv::tls::server_options& so, const wv::tls::client_options& co, std::string host = "localhost") {
    wv::test::loopback lb;
    wv::tls::server_context sctx(so);
    wv::tls::client_context cctx(co);
    run_result r;
    lb.run([&] { return serve_one(lb.acceptor, sctx, r.server); }, [&] { return client_one(lb.endpoint(), cctx, host, r.client); });
    return r;
}

// One exchange with a client context the caller keeps (its verified-chain cache with it).
run_result exchange_with(const wv::tls::client_context& cctx, const wv::tls::server_options& so, std::string host = "localhost") {
    wv::test::loopback lb;
    wv::tls::server_context sctx(so);
    run_result r;
    lb.run([&] { return serve_one(lb.acceptor, sctx, r.server); }, [&] { return client_one(lb.endpoint(), cctx, host, r.client); });
    return r;
}

// A copy of the certificate in `pem` with one byte of its signature changed: the same TBS
// (names, key, dates) as the one a cache may hold, so only a byte-exact comparison tells them apart.
std::filesystem::path spoiled_copy_of(const std::filesystem::path& pem, const std::filesystem::path& out) {
    FILE* f = std::fopen(pem.c_str(), "r");
    REQUIRE(f);
    X509* x = PEM_read_X509(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    REQUIRE(x);
    unsigned char* der = nullptr;
    const int n = i2d_X509(x, &der);
    X509_free(x);
    REQUIRE(n > 0);
    der[n - 1] ^= 0x01;  // the last byte of the signature's s value
    const unsigned char* p = der;
    x = d2i_X509(nullptr, &p, n);
    OPENSSL_free(der);
    REQUIRE(x);
    f = std::fopen(out.c_str(), "w");
    REQUIRE(f);
    PEM_write_X509(f, x);
    std::fclose(f);
    X509_free(x);
    return out;
}

}  // namespace

TEST_CASE("TLS 1.3 with ALPN mqtt: both sides agree, server sees SNI, data flows both ways") {
    const auto r = exchange(server_opts(), client_opts());
    REQUIRE_MESSAGE(!r.client.ec, r.client.ec.message() << " / " << r.client.detail);
    REQUIRE_MESSAGE(!r.server.ec, r.server.ec.message() << " / " << r.server.detail);
    CHECK(r.server.sni == "localhost");
    CHECK(r.server.alpn == "mqtt");
    CHECK(r.client.alpn == "mqtt");
    CHECK(r.server.version == "TLSv1.3");
    CHECK(r.client.version == "TLSv1.3");
    CHECK(r.client.echo == "ping");
    CHECK(r.server.peer.empty());
}

TEST_CASE("TLS 1.2 when either side caps the version") {
    auto co = client_opts();
    co.max_version = wv::tls::tls_version::tls1_2;
    auto r = exchange(server_opts(), co);
    REQUIRE(!r.client.ec);
    CHECK(r.client.version == "TLSv1.2");
    CHECK(r.server.alpn == "mqtt");
    CHECK(r.client.echo == "ping");

    auto so = server_opts();
    so.max_version = wv::tls::tls_version::tls1_2;
    r = exchange(so, client_opts());
    REQUIRE(!r.client.ec);
    CHECK(r.server.version == "TLSv1.2");

    // A 1.3-only client against a 1.2-only server: no version in common.
    co = client_opts();
    co.min_version = wv::tls::tls_version::tls1_3;
    r = exchange(so, co);
    CHECK(r.client.ec == tls_errc::version_mismatch);
    CHECK(r.server.ec == tls_errc::version_mismatch);
}

TEST_CASE("SNI: an IP literal host sends none and is checked against the IP SAN") {
    const auto r = exchange(server_opts(), client_opts(), "127.0.0.1");
    REQUIRE_MESSAGE(!r.client.ec, r.client.ec.message() << " / " << r.client.detail);
    CHECK(r.server.sni.empty());
}

TEST_CASE("ALPN: required and not offered, or not matching, fails both sides with no_alpn_agreed") {
    auto so = server_opts();
    so.require_alpn = true;
    auto co = client_opts();
    co.alpn = {"x-other"};
    auto r = exchange(so, co);
    CHECK(r.server.ec == tls_errc::no_alpn_agreed);
    CHECK(r.client.ec == tls_errc::no_alpn_agreed);

    co.alpn.clear();  // no ALPN extension at all
    r = exchange(so, co);
    CHECK(r.server.ec == tls_errc::no_alpn_agreed);
    CHECK(r.client.ec == tls_errc::no_alpn_agreed);
    CHECK(r.client.detail == "no application protocol");

    so.require_alpn = false;  // optional: the handshake goes on without a protocol
    co.alpn = {"x-other"};
    r = exchange(so, co);
    REQUIRE(!r.client.ec);
    CHECK(r.server.alpn.empty());
    CHECK(r.client.alpn.empty());
}

TEST_CASE("ALPN: the policy hook sees the offer and SNI and picks in its own order") {
    auto so = server_opts();
    std::vector<std::string> offered;
    std::string sni;
    so.alpn_select = [&](const wv::tls::alpn_offer& o) {
        for (auto p : o.protocols) offered.emplace_back(p);
        sni = std::string(o.sni);
        return wv::tls::alpn_decision::select(o.protocols.back());
    };
    auto co = client_opts();
    co.alpn = {"mqtt", "x-amzn-mqtt-ca"};
    const auto r = exchange(so, co);
    REQUIRE(!r.client.ec);
    CHECK(offered == std::vector<std::string>{"mqtt", "x-amzn-mqtt-ca"});
    CHECK(sni == "localhost");
    CHECK(r.client.alpn == "x-amzn-mqtt-ca");

    so.alpn_select = [&](const wv::tls::alpn_offer& o) {
        sni = std::string(o.sni);
        return o.protocols.empty() ? wv::tls::alpn_decision::refuse() : wv::tls::alpn_decision::none();
    };
    co.alpn.clear();
    const auto r2 = exchange(so, co);
    CHECK(r2.server.ec == tls_errc::no_alpn_agreed);
    CHECK(sni == "localhost");  // read from the raw ClientHello
}

TEST_CASE("verification: wrong CA and host-name mismatch are told apart; insecure skips both") {
    auto co = client_opts();
    co.ca_file = pki().other.ca_cert;
    auto r = exchange(server_opts(), co);
    CHECK(r.client.ec == tls_errc::verify_failed);
    CHECK(r.client.detail == "unable to get local issuer certificate");
    CHECK(r.server.ec == tls_errc::alert_received);  // the client's unknown_ca alert
    CHECK(r.server.detail == "unknown CA");

    r = exchange(server_opts(), client_opts(), "not-localhost.example");
    CHECK(r.client.ec == tls_errc::hostname_mismatch);
    CHECK(r.client.detail == "hostname mismatch");

    r = exchange(server_opts(), client_opts(), "127.0.0.2");
    CHECK(r.client.ec == tls_errc::hostname_mismatch);

    co = {.insecure = true};
    r = exchange(server_opts(), co, "not-localhost.example");
    CHECK(!r.client.ec);
    CHECK(r.client.echo == "ping");
}

TEST_CASE("verified chains: the same chain again skips the chain check; anything else is verified in full and fails as before") {
    const wv::tls::client_context cctx(client_opts());
    auto r = exchange_with(cctx, server_opts());
    REQUIRE_MESSAGE(!r.client.ec, r.client.ec.message() << " / " << r.client.detail);
    CHECK(cctx.verified_chain_hits() == 0);
    r = exchange_with(cctx, server_opts());
    REQUIRE_MESSAGE(!r.client.ec, r.client.ec.message() << " / " << r.client.detail);
    CHECK(r.client.echo == "ping");
    CHECK(cctx.verified_chain_hits() == 1);  // the cache is in use: the cases below mean something

    // With the good chain remembered: another CA's certificate for the same names,
    r = exchange_with(cctx, {.cert_file = pki().other.server_cert, .key_file = pki().other.server_key});
    CHECK(r.client.ec == tls_errc::verify_failed);
    CHECK(r.client.detail == "unable to get local issuer certificate");
    // the remembered certificate under a name it does not carry,
    r = exchange_with(cctx, server_opts(), "not-localhost.example");
    CHECK(r.client.ec == tls_errc::hostname_mismatch);
    CHECK(r.client.detail == "hostname mismatch");
    // an expired certificate of the same CA,
    wv::test::temp_dir dir;
    std::filesystem::copy(pki().ca.ca_cert, dir.path() / "ca.crt");
    std::filesystem::copy(pki().ca.ca_key, dir.path() / "ca.key");
    const auto expired = wv::tls::make_server_cert(dir.path(), "expired", {.valid_days = 1, .valid_from_days = -2});
    r = exchange_with(cctx, {.cert_file = expired.cert, .key_file = expired.key});
    CHECK(r.client.ec == tls_errc::verify_failed);
    CHECK(r.client.detail == "certificate has expired");
    // and the remembered certificate's exact TBS with a signature that does not verify.
    const auto spoiled = spoiled_copy_of(pki().ca.server_cert, dir.path() / "spoiled.crt");
    r = exchange_with(cctx, {.cert_file = spoiled, .key_file = pki().ca.server_key});
    CHECK(r.client.ec == tls_errc::verify_failed);
    CHECK(r.client.detail == "certificate signature failure");
    CHECK(cctx.verified_chain_hits() == 1);

    // Another valid certificate of the same CA for the same names: verified in full, then remembered.
    const auto second = wv::tls::make_server_cert(dir.path(), "second");
    r = exchange_with(cctx, {.cert_file = second.cert, .key_file = second.key});
    REQUIRE_MESSAGE(!r.client.ec, r.client.ec.message() << " / " << r.client.detail);
    CHECK(cctx.verified_chain_hits() == 1);
    r = exchange_with(cctx, {.cert_file = second.cert, .key_file = second.key});
    REQUIRE(!r.client.ec);
    CHECK(cctx.verified_chain_hits() == 2);
    // The first chain is still remembered, and the IP SAN is its own entry.
    r = exchange_with(cctx, server_opts(), "127.0.0.1");
    REQUIRE(!r.client.ec);
    CHECK(cctx.verified_chain_hits() == 2);
    r = exchange_with(cctx, server_opts());
    REQUIRE(!r.client.ec);
    CHECK(cctx.verified_chain_hits() == 3);
}

TEST_CASE("client certificates: required and missing fails; present is verified and its subject exposed") {
    auto so = server_opts();
    so.client_cert = wv::tls::client_cert_mode::require;
    so.client_ca_file = pki().ca.ca_cert;
    auto r = exchange(so, client_opts());
    CHECK(r.server.ec == tls_errc::peer_certificate_required);
    // TLS 1.3: the client finishes first and learns of the refusal on its first read (or, if
    // its write reached the server after the close, from the RST that discards the alert).
    CHECK_MESSAGE((r.client.ec == tls_errc::peer_certificate_required || r.client.ec == std::errc::connection_reset),
                  r.client.ec.message());

    auto co = client_opts();
    co.cert_file = pki().dev.cert;
    co.key_file = pki().dev.key;
    r = exchange(so, co);
    REQUIRE_MESSAGE(!r.server.ec, r.server.ec.message() << " / " << r.server.detail);
    CHECK(r.server.peer == "CN=device-7,O=Wavelet IoT lab");
    CHECK(r.client.echo == "ping");
}

TEST_CASE("session resumption: the second connection to host:port resumes (TLS 1.3 and 1.2)") {
    for (const auto max : {wv::tls::tls_version::tls1_3, wv::tls::tls_version::tls1_2}) {
        CAPTURE(static_cast<int>(max));
        wv::test::loopback lb;
        auto so = server_opts();
        so.session_tickets = true;
        wv::tls::server_context sctx(so);
        auto co = client_opts();
        co.session_resumption = true;
        co.max_version = max;
        wv::tls::client_context cctx(co);
        run_result first, second;
        lb.run([&] { return serve_one(lb.acceptor, sctx, first.server); },
               [&] { return client_one(lb.endpoint(), cctx, "localhost", first.client); });
        REQUIRE(!first.client.ec);
        CHECK(!first.client.resumed);
        CHECK(cctx.cached_sessions() == 1);
        lb.run([&] { return serve_one(lb.acceptor, sctx, second.server); },
               [&] { return client_one(lb.endpoint(), cctx, "localhost", second.client); });
        REQUIRE(!second.client.ec);
        CHECK(second.client.resumed);
        CHECK(second.server.resumed);
        CHECK(second.client.echo == "ping");
    }
}

TEST_CASE("session resumption off: no cache, never resumed") {
    wv::test::loopback lb;
    auto so = server_opts();
    so.session_tickets = true;
    wv::tls::server_context sctx(so);
    wv::tls::client_context cctx(client_opts());
    for (int i = 0; i < 2; ++i) {
        run_result r;
        lb.run([&] { return serve_one(lb.acceptor, sctx, r.server); },
               [&] { return client_one(lb.endpoint(), cctx, "localhost", r.client); });
        REQUIRE(!r.client.ec);
        CHECK(!r.client.resumed);
    }
    CHECK(cctx.cached_sessions() == 0);
}

TEST_CASE("handshake timeout against a server that accepts and stays silent") {
    wv::test::loopback lb;
    wv::tls::client_context cctx(client_opts());
    tcp::socket held(lb.io);
    std::error_code ec;
    lb.run(
        [&]() -> asio::awaitable<void> {
            auto [aec, sock] = co_await lb.acceptor.async_accept(tok);
            held = std::move(sock);  // never answers
        },
        [&]() -> asio::awaitable<void> {
            auto ex = co_await asio::this_coro::executor;
            const wv::tls::connect_options opts{.host = "localhost", .address = lb.endpoint(), .handshake_timeout = 200ms};
            auto r = co_await wv::tls::connect(ex, opts, &cctx);
            ec = r.ec;
            CHECK(!r.s);
        });
    CHECK(ec == tls_errc::handshake_timeout);
}

TEST_CASE("server: a plain-text client is a protocol error; a client that leaves mid-handshake is truncation") {
    wv::test::loopback lb;
    wv::tls::server_context sctx(server_opts());
    server_seen seen;
    lb.run([&] { return serve_one(lb.acceptor, sctx, seen); },
           [&]() -> asio::awaitable<void> {
               tcp::socket s(co_await asio::this_coro::executor);
               co_await s.async_connect(lb.endpoint(), tok);
               co_await asio::async_write(s, asio::buffer(std::string_view("GET / HTTP/1.1\r\nHost: x\r\n\r\n")), tok);
               std::array<char, 64> buf;
               co_await s.async_read_some(asio::buffer(buf), tok);
           });
    CHECK(seen.ec == tls_errc::protocol_error);

    lb.run([&] { return serve_one(lb.acceptor, sctx, seen); },
           [&]() -> asio::awaitable<void> {
               tcp::socket s(co_await asio::this_coro::executor);
               co_await s.async_connect(lb.endpoint(), tok);
               s.close();
           });
    CHECK(seen.ec == tls_errc::truncated);
}

TEST_CASE("closes: close_notify reads as closed, FIN without it as truncated, abort as reset") {
    wv::test::loopback lb;
    wv::tls::server_context sctx(server_opts());
    wv::tls::client_context cctx(client_opts());
    for (const int how : {0, 1, 2}) {
        CAPTURE(how);
        std::error_code read_ec;
        lb.run(
            [&]() -> asio::awaitable<void> {
                auto [aec, sock] = co_await lb.acceptor.async_accept(tok);
                stream s(std::move(sock), sctx);
                const auto ec1 = co_await s.async_handshake(5s);
                REQUIRE(!ec1);
                std::array<std::byte, 64> buf;
                auto [ec, n] = co_await s.async_read_some(buf);  // "x"
                REQUIRE(!ec);
                std::tie(read_ec, n) = co_await s.async_read_some(buf);
            },
            [&]() -> asio::awaitable<void> {
                auto ex = co_await asio::this_coro::executor;
                const wv::tls::connect_options opts{.host = "localhost", .address = lb.endpoint()};
                auto r = co_await wv::tls::connect(ex, opts, &cctx);
                REQUIRE(!r.ec);
                co_await r.s->async_write(bytes_of("x"));
                if (how == 0) co_await r.s->async_shutdown(1s);
                if (how == 1) r.s->close();
                if (how == 2) r.s->abort();
            });
        if (how == 0) CHECK(read_ec == tls_errc::closed);
        if (how == 1) CHECK(read_ec == tls_errc::truncated);
        if (how == 2) CHECK(read_ec == std::errc::connection_reset);
    }
}

namespace {

// Server contexts read ahead, and a short read(2) lets read_now report would-block without
// another read(2) (stream.hpp). Neither may strand bytes: several records in one burst are
// all delivered, a record that arrives after the server went idle wakes it, and the flag
// follows the stream when it moves (the old object is freed here: ASan sees a stale pointer).
struct read_ahead_seen {
    std::error_code ec;  // the first failure on either side
    std::string burst, late, reply;
};

asio::awaitable<void> read_ahead_server(tcp::acceptor& acc, const wv::tls::server_context& sctx, read_ahead_seen& seen) {
    auto [aec, sock] = co_await acc.async_accept(tok);
    if (aec) co_return;
    auto first = std::make_unique<stream>(std::move(sock), sctx);
    if ((seen.ec = co_await first->async_handshake(5s))) co_return;
    stream s = std::move(*first);
    first.reset();
    std::array<std::byte, 64> buf;
    while (seen.burst.size() < 3) {
        auto [ec, n] = co_await s.async_read_some(buf);
        if ((seen.ec = ec)) co_return;
        seen.burst.append(reinterpret_cast<const char*>(buf.data()), n);
    }
    if ((seen.ec = co_await s.async_write(bytes_of("ok")))) co_return;
    auto [ec, n] = co_await s.async_read_some(buf);  // idle until the late record comes
    if ((seen.ec = ec)) co_return;
    seen.late.assign(reinterpret_cast<const char*>(buf.data()), n);
    co_await s.async_shutdown(1s);
}

asio::awaitable<void> read_ahead_client(tcp::endpoint ep, const wv::tls::client_context& cctx, read_ahead_seen& seen) {
    auto ex = co_await asio::this_coro::executor;
    const wv::tls::connect_options opts{.host = "localhost", .address = ep};
    auto r = co_await wv::tls::connect(ex, opts, &cctx);
    if ((seen.ec = r.ec)) co_return;
    for (const char* part : {"a", "b", "c"})  // three TLS records, back to back
        if ((seen.ec = co_await r.s->async_write(bytes_of(part)))) co_return;
    std::array<std::byte, 64> buf;
    while (seen.reply.size() < 2) {
        auto [ec, n] = co_await r.s->async_read_some(buf);
        if ((seen.ec = ec)) co_return;
        seen.reply.append(reinterpret_cast<const char*>(buf.data()), n);
    }
    asio::steady_timer pause(ex, 50ms);  // not a wait for the server: lets it go idle first
    co_await pause.async_wait(tok);
    if ((seen.ec = co_await r.s->async_write(bytes_of("d")))) co_return;
    co_await r.s->async_shutdown(1s);
}

}  // namespace

TEST_CASE("server read-ahead: records that arrive together and records that come later are all read") {
    wv::test::loopback lb;
    wv::tls::server_context sctx(server_opts());
    wv::tls::client_context cctx(client_opts());
    read_ahead_seen server, client;
    lb.run([&] { return read_ahead_server(lb.acceptor, sctx, server); },
           [&] { return read_ahead_client(lb.endpoint(), cctx, client); });
    CHECK_MESSAGE(!server.ec, server.ec.message());
    CHECK_MESSAGE(!client.ec, client.ec.message());
    CHECK(server.burst == "abc");
    CHECK(client.reply == "ok");
    CHECK(server.late == "d");
}

TEST_CASE("plain TCP streams share the interface") {
    wv::test::loopback lb;
    std::string got;
    std::error_code last;
    lb.run(
        [&]() -> asio::awaitable<void> {
            auto [aec, sock] = co_await lb.acceptor.async_accept(tok);
            stream s(std::move(sock));
            CHECK(!s.is_tls());
            const auto ec2 = co_await s.async_handshake(1s);
            CHECK(!ec2);
            CHECK(s.protocol_version() == "TCP");
            std::array<std::byte, 64> buf;
            for (;;) {
                auto [ec, n] = co_await s.async_read_some(buf);
                if (ec) {
                    last = ec;
                    break;
                }
                got.append(reinterpret_cast<const char*>(buf.data()), n);
            }
        },
        [&]() -> asio::awaitable<void> {
            auto ex = co_await asio::this_coro::executor;
            const wv::tls::connect_options opts{.host = "localhost", .address = lb.endpoint()};
            auto r = co_await wv::tls::connect(ex, opts, nullptr);
            REQUIRE(!r.ec);
            CHECK(r.timing.tls_handshake.count() == 0);
            const auto ec3 = co_await r.s->async_write(bytes_of("hello"));
            CHECK(!ec3);
            co_await r.s->async_shutdown(1s);
        });
    CHECK(got == "hello");
    CHECK(last == tls_errc::closed);
}

TEST_CASE("connect: a refused port is a system error, not a throw") {
    wv::test::loopback lb;
    const auto ep = lb.endpoint();
    lb.acceptor.close();
    wv::tls::client_context cctx(client_opts());
    std::error_code ec;
    lb.run(nullptr, [&]() -> asio::awaitable<void> {
        const wv::tls::connect_options opts{.host = "localhost", .address = ep};
        auto r = co_await wv::tls::connect(co_await asio::this_coro::executor, opts, &cctx);
        ec = r.ec;
    });
    CHECK(ec == std::errc::connection_refused);
}

TEST_CASE("contexts: bad files and settings throw with the file named") {
    CHECK_THROWS_WITH_AS(wv::tls::client_context({.ca_file = "/nonexistent/ca.crt"}), doctest::Contains("/nonexistent/ca.crt"),
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(wv::tls::server_context({.cert_file = "/nonexistent/s.crt", .key_file = pki().ca.server_key}),
                         doctest::Contains("/nonexistent/s.crt"), std::runtime_error);
    // A key that does not match the certificate.
    CHECK_THROWS_AS(wv::tls::server_context({.cert_file = pki().ca.server_cert, .key_file = pki().other.server_key}),
                    std::runtime_error);
    CHECK_THROWS_AS(wv::tls::client_context({.ca_file = pki().ca.ca_cert, .alpn = {std::string(300, 'a')}}), std::runtime_error);
    CHECK_THROWS_AS(wv::tls::client_context({.ca_file = pki().ca.ca_cert, .min_version = wv::tls::tls_version::tls1_3,
                                             .max_version = wv::tls::tls_version::tls1_2}),
                    std::runtime_error);
    wv::tls::tls_version v;
    CHECK(wv::tls::parse_tls_version("1.3", v));
    CHECK(v == wv::tls::tls_version::tls1_3);
    CHECK(wv::tls::parse_tls_version("tlsv1.2", v));
    CHECK(v == wv::tls::tls_version::tls1_2);
    CHECK(!wv::tls::parse_tls_version("1.1", v));
}
