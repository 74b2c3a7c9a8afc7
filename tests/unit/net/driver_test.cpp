// wv::net::driver on loopback with a small scripted machine: echo and coalesced writes, the
// end reported once (machine close, peer close, reset), the lazily re-armed deadline, a full
// socket buffer parking writes, paused input, and the same over TLS 1.3.
#include <doctest/doctest.h>

#include <array>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "net/driver.hpp"
#include "support/temp_dir.hpp"
#include "tls/client_context.hpp"
#include "tls/connect.hpp"
#include "tls/server_context.hpp"
#include "tls/test_ca.hpp"
#include "unit/tls/loopback.hpp"

namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using wv::net::clock;
using wv::net::ending;
using wv::tls::tls_errc;
constexpr auto tok = asio::as_tuple(asio::use_awaitable);

// Reads text; answers "ping" with "pong", "flood" with `flood_bytes` of a counting pattern,
// "bye" with "ciao" and a close; a deadline, when set, sends "tick".
struct text_machine final : wv::net::protocol_machine {
    std::string got;
    std::optional<clock::time_point> deadline;
    std::vector<clock::duration> tick_lateness;  // now - deadline at each on_deadline
    int transport_closed = 0;
    std::error_code transport_why;
    bool input = true;
    ending bye_with = ending::shutdown_after_flush;
    std::size_t flood_bytes = 0;

    void on_bytes(std::span<const std::byte> in, clock::time_point, wv::net::effects& fx) override {
        got.append(reinterpret_cast<const char*>(in.data()), in.size());
        for (;;) {
            if (take("ping")) append(fx, "pong");
            else if (take("bye")) {
                append(fx, "ciao");
                fx.close(bye_with, std::make_error_code(std::errc::interrupted));
            } else if (take("flood")) {
                for (std::size_t i = 0; i < flood_bytes; ++i) fx.send.push_back(static_cast<std::byte>(i % 251));
            } else break;
        }
    }
    void on_deadline(clock::time_point now, wv::net::effects& fx) override {
        tick_lateness.push_back(now - *deadline);
        deadline.reset();
        append(fx, "tick");
    }
    void on_transport_closed(std::error_code why, clock::time_point) override {
        ++transport_closed;
        transport_why = why;
    }
    std::optional<clock::time_point> next_deadline() const override { return deadline; }
    bool wants_input() const override { return input; }

    bool take(std::string_view word) {
        if (!got.starts_with(word)) return false;
        got.erase(0, word.size());
        return true;
    }
    static void append(wv::net::effects& fx, std::string_view s) {
        const auto b = std::as_bytes(std::span{s.data(), s.size()});
        fx.send.insert(fx.send.end(), b.begin(), b.end());
    }
};

// The driver's side of one test: accepts one plain TCP connection and runs the machine on it.
struct driven {
    text_machine m;
    std::unique_ptr<wv::net::timer_wheel> wheel;  // optional: the driver's own timer otherwise
    std::unique_ptr<wv::net::driver> d;
    std::chrono::milliseconds flush_grace{5'000};
    int ends = 0;
    std::error_code why;
    void start(wv::tls::stream s) {
        d = std::make_unique<wv::net::driver>(std::move(s), m, wv::net::driver_options{.flush_grace = flush_grace, .wheel = wheel.get()});
        d->start([this](std::error_code e) {
            ++ends;
            why = e;
        });
    }
};

asio::awaitable<void> accept_plain(tcp::acceptor& acc, driven& dv) {
    auto [ec, s] = co_await acc.async_accept(tok);
    REQUIRE(!ec);
    dv.start(wv::tls::stream(std::move(s)));
}

asio::awaitable<std::string> read_exactly(tcp::socket& s, std::size_t n) {
    std::string out(n, '\0');
    auto [ec, got] = co_await asio::async_read(s, asio::buffer(out), tok);
    out.resize(got);
    co_return out;
}

asio::awaitable<std::string> read_to_end(tcp::socket& s) {
    std::string out;
    std::array<char, 4096> buf;
    for (;;) {
        auto [ec, n] = co_await s.async_read_some(asio::buffer(buf), tok);
        out.append(buf.data(), n);
        if (ec) co_return out;
    }
}

asio::awaitable<void> sleep_for(clock::duration d) {
    asio::steady_timer t(co_await asio::this_coro::executor);
    t.expires_after(d);
    co_await t.async_wait(tok);
}

asio::awaitable<tcp::socket> dial(tcp::endpoint ep) {
    tcp::socket s(co_await asio::this_coro::executor);
    auto [ec] = co_await s.async_connect(ep, tok);
    REQUIRE(!ec);
    co_return s;
}

}  // namespace

TEST_CASE("plain TCP: replies go out, a machine close flushes first and the end is reported once") {
    wv::test::loopback lb;
    driven dv;
    std::string seen;
    lb.run([&] { return accept_plain(lb.acceptor, dv); },
           [&]() -> asio::awaitable<void> {
               auto s = co_await dial(lb.endpoint());
               co_await asio::async_write(s, asio::buffer(std::string_view("ping")), tok);
               seen = co_await read_exactly(s, 4);
               // Two requests in one segment: both answers, then the close after them.
               co_await asio::async_write(s, asio::buffer(std::string_view("pingbye")), tok);
               seen += co_await read_to_end(s);
               while (dv.ends == 0) co_await sleep_for(1ms);
           });
    CHECK(seen == "pongpongciao");
    CHECK(dv.ends == 1);
    CHECK(dv.why == std::errc::interrupted);
    CHECK(dv.m.transport_closed == 0);  // the machine asked: it is not told again
    CHECK(!dv.d->is_open());
    CHECK(dv.d->has_ended());
}

TEST_CASE("the peer's close reaches the machine once and ends the driver with tls_errc::closed") {
    wv::test::loopback lb;
    driven dv;
    lb.run([&] { return accept_plain(lb.acceptor, dv); },
           [&]() -> asio::awaitable<void> {
               auto s = co_await dial(lb.endpoint());
               co_await asio::async_write(s, asio::buffer(std::string_view("ping")), tok);
               co_await read_exactly(s, 4);
               s.close();
               while (dv.ends == 0) co_await sleep_for(1ms);
               // act() after the end does nothing.
               CHECK(!dv.d->act([](auto, auto& fx) { text_machine::append(fx, "late"); }));
           });
    CHECK(dv.m.transport_closed == 1);
    CHECK(dv.m.transport_why == tls_errc::closed);
    CHECK(dv.ends == 1);
    CHECK(dv.why == tls_errc::closed);
}

TEST_CASE("reset: the peer sees a connection reset, queued bytes are dropped") {
    wv::test::loopback lb;
    driven dv;
    dv.m.bye_with = ending::reset;
    boost::system::error_code peer_ec;
    lb.run([&] { return accept_plain(lb.acceptor, dv); },
           [&]() -> asio::awaitable<void> {
               auto s = co_await dial(lb.endpoint());
               co_await asio::async_write(s, asio::buffer(std::string_view("bye")), tok);
               std::array<char, 64> buf;
               for (;;) {
                   auto [ec, n] = co_await s.async_read_some(asio::buffer(buf), tok);
                   if (ec) {
                       peer_ec = ec;
                       break;
                   }
               }
               while (dv.ends == 0) co_await sleep_for(1ms);
           });
    CHECK(peer_ec == asio::error::connection_reset);
    CHECK(dv.why == std::errc::interrupted);
}

TEST_CASE("deadline: re-armed when it comes earlier, never fired before it, lazily when it moves later") {
    wv::test::loopback lb;
    driven dv;
    SUBCASE("the driver's own timer") {}
    SUBCASE("a timer wheel") { dv.wheel = std::make_unique<wv::net::timer_wheel>(lb.io.get_executor()); }
    dv.m.deadline = clock::now() + 10s;
    std::string seen;
    clock::time_point asked{};
    lb.run([&] { return accept_plain(lb.acceptor, dv); },
           [&]() -> asio::awaitable<void> {
               auto s = co_await dial(lb.endpoint());
               while (!dv.d) co_await sleep_for(1ms);
               // Earlier than armed: the timer must be re-armed for it.
               asked = clock::now();
               dv.d->act([&](auto now, auto&) { dv.m.deadline = now + 30ms; });
               seen = co_await read_exactly(s, 4);
               CHECK(clock::now() - asked < 5s);
               // Later than armed: the (earlier) timer fires, finds nothing due and re-arms.
               dv.d->act([&](auto now, auto&) { dv.m.deadline = now + 20ms; });
               dv.d->act([&](auto now, auto&) { dv.m.deadline = now + 60ms; });
               seen += co_await read_exactly(s, 4);
               s.close();
               while (dv.ends == 0) co_await sleep_for(1ms);
           });
    CHECK(seen == "ticktick");
    REQUIRE(dv.m.tick_lateness.size() == 2);
    for (auto late : dv.m.tick_lateness) CHECK(late >= 0ns);
}

TEST_CASE("a peer that does not read: writes park on the full socket buffer and all bytes arrive in order") {
    wv::test::loopback lb;
    driven dv;
    dv.m.flood_bytes = 8 * 1024 * 1024;
    std::size_t max_queued = 0;
    std::string got;
    lb.run([&] { return accept_plain(lb.acceptor, dv); },
           [&]() -> asio::awaitable<void> {
               auto s = co_await dial(lb.endpoint());
               co_await asio::async_write(s, asio::buffer(std::string_view("flood")), tok);
               while (!dv.d || dv.d->queued_bytes() == 0) co_await sleep_for(1ms);
               max_queued = dv.d->queued_bytes();
               got = co_await read_exactly(s, dv.m.flood_bytes);
               CHECK(dv.d->queued_bytes() == 0);
               s.close();
               while (dv.ends == 0) co_await sleep_for(1ms);
           });
    CHECK(max_queued > 0);
    REQUIRE(got.size() == dv.m.flood_bytes);
    bool in_order = true;
    for (std::size_t i = 0; i < got.size() && in_order; ++i) in_order = static_cast<unsigned char>(got[i]) == i % 251;
    CHECK(in_order);
}

TEST_CASE("wants_input false: nothing is read until an input makes it true again") {
    wv::test::loopback lb;
    driven dv;
    dv.m.input = false;
    std::string seen;
    lb.run([&] { return accept_plain(lb.acceptor, dv); },
           [&]() -> asio::awaitable<void> {
               auto s = co_await dial(lb.endpoint());
               co_await asio::async_write(s, asio::buffer(std::string_view("ping")), tok);
               co_await sleep_for(50ms);
               CHECK(dv.m.got.empty());
               dv.d->act([&](auto, auto&) { dv.m.input = true; });
               seen = co_await read_exactly(s, 4);
               s.close();
               while (dv.ends == 0) co_await sleep_for(1ms);
           });
    CHECK(seen == "pong");
}

TEST_CASE("TLS 1.3: the driver on the client side; close_notify after the last bytes") {
    wv::test::temp_dir dir;
    const auto ca = wv::tls::make_test_ca(dir.path());
    wv::tls::server_context sctx({.cert_file = ca.server_cert, .key_file = ca.server_key});
    wv::tls::client_context cctx({.ca_file = ca.ca_cert});
    wv::test::loopback lb;
    driven dv;
    std::string seen;
    std::error_code server_end;
    lb.run(
        [&]() -> asio::awaitable<void> {
            auto [aec, sock] = co_await lb.acceptor.async_accept(tok);
            REQUIRE(!aec);
            wv::tls::stream s(std::move(sock), sctx);
            REQUIRE(!co_await s.async_handshake(5s));
            REQUIRE(!co_await s.async_write(std::as_bytes(std::span{"pingping", 8})));
            std::array<std::byte, 256> buf;
            while (seen.size() < 8) {
                auto [ec, n] = co_await s.async_read_some(buf);
                REQUIRE(!ec);
                seen.append(reinterpret_cast<const char*>(buf.data()), n);
            }
            REQUIRE(!co_await s.async_write(std::as_bytes(std::span{"bye", 3})));
            for (;;) {
                auto [ec, n] = co_await s.async_read_some(buf);
                if (ec) {
                    server_end = ec;
                    break;
                }
                seen.append(reinterpret_cast<const char*>(buf.data()), n);
            }
        },
        [&]() -> asio::awaitable<void> {
            const wv::tls::connect_options opts{.host = "localhost", .port = lb.port(), .address = lb.endpoint()};
            auto r = co_await wv::tls::connect(co_await asio::this_coro::executor, opts, &cctx);
            REQUIRE(!r.ec);
            dv.start(std::move(*r.s));
            while (dv.ends == 0) co_await sleep_for(1ms);
        });
    CHECK(seen == "pongpongciao");
    CHECK(server_end == tls_errc::closed);  // close_notify, not a truncation
    CHECK(dv.why == std::errc::interrupted);
}

TEST_CASE("close_after_flush to a peer that does not read: closed once the flush grace runs out") {
    wv::test::loopback lb;
    driven dv;
    SUBCASE("the driver's own timer") {}
    SUBCASE("a timer wheel") { dv.wheel = std::make_unique<wv::net::timer_wheel>(lb.io.get_executor()); }
    dv.m.flood_bytes = 8 * 1024 * 1024;
    dv.m.bye_with = ending::close_after_flush;
    dv.flush_grace = 200ms;
    clock::duration took{};
    lb.run([&] { return accept_plain(lb.acceptor, dv); },
           [&]() -> asio::awaitable<void> {
               auto s = co_await dial(lb.endpoint());
               co_await asio::async_write(s, asio::buffer(std::string_view("floodbye")), tok);
               const auto t0 = clock::now();
               while (dv.ends == 0) co_await sleep_for(5ms);  // never reads
               took = clock::now() - t0;
           });
    CHECK(dv.ends == 1);
    CHECK(dv.why == std::errc::interrupted);
    CHECK(dv.m.transport_closed == 0);
    CHECK(took >= 150ms);
    CHECK(took < 5s);
}
