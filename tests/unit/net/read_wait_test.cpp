// wv::net::wait_readable on a loopback TCP pair: it completes when data comes, at once when data
// came since the last wait completed (the edge Asio noted while nobody waited), not again for
// data already reported, and with operation_aborted when the socket closes. A wrong answer to
// any of these would hang a connection or spin on reads.
#include <doctest/doctest.h>

#include <array>
#include <chrono>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "net/read_wait.hpp"

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

struct tcp_pair {
    asio::io_context io;
    tcp::socket a{io}, b{io};
    tcp_pair() {
        tcp::acceptor acc(io, {asio::ip::make_address("127.0.0.1"), 0});
        a.connect(acc.local_endpoint());
        acc.accept(b);
        b.non_blocking(true);
    }
};

struct waiter {
    int completions = 0;
    boost::system::error_code last;
    void start(tcp::socket& s) {
        wv::net::wait_readable(
            s,
            [](void* self, const boost::system::error_code& ec) {
                auto* w = static_cast<waiter*>(self);
                ++w->completions;
                w->last = ec;
            },
            this);
    }
};

// Runs the io_context's ready handlers and what becomes ready within `d`.
void run_for(asio::io_context& io, std::chrono::milliseconds d) {
    io.restart();
    io.run_for(d);
}

std::size_t drain(tcp::socket& s) {
    std::array<char, 256> buf;
    std::size_t total = 0;
    for (;;) {
        boost::system::error_code ec;
        const auto n = s.read_some(asio::buffer(buf), ec);
        if (ec) return total;
        total += n;
    }
}

// The first wait on a new registration completes at once; the owner reads the socket empty
// and waits again: the state every later case starts from.
void first_wait_then_park(tcp_pair& p, waiter& w) {
    w.start(p.b);
    run_for(p.io, 20ms);
    REQUIRE(w.completions == 1);
    CHECK(drain(p.b) == 0);
    w.start(p.b);
}

}  // namespace

TEST_CASE("wait_readable: the first wait completes at once (the registration is new), later ones at the next data") {
    tcp_pair p;
    waiter w;
    w.start(p.b);
    run_for(p.io, 20ms);
    CHECK(w.completions == 1);  // nothing had been read yet: the caller reads, finds nothing
    CHECK(drain(p.b) == 0);

    w.start(p.b);
    run_for(p.io, 50ms);
    CHECK(w.completions == 1);  // no data, no edge: it waits

    asio::write(p.a, asio::buffer("x", 1));
    run_for(p.io, 200ms);
    CHECK(w.completions == 2);
    CHECK(!w.last);
    CHECK(drain(p.b) == 1);

    w.start(p.b);  // the data was read: nothing new, so it waits again
    run_for(p.io, 50ms);
    CHECK(w.completions == 2);
    asio::write(p.a, asio::buffer("yz", 2));
    run_for(p.io, 200ms);
    CHECK(w.completions == 3);
    CHECK(drain(p.b) == 2);
}

TEST_CASE("wait_readable: data that came while nobody waited completes the next wait at once") {
    tcp_pair p;
    waiter w;
    first_wait_then_park(p, w);
    asio::write(p.a, asio::buffer("a", 1));
    run_for(p.io, 200ms);
    REQUIRE(w.completions == 2);
    // The owner is busy and has not read yet; more data comes and the reactor, polling for
    // other work (a timer here), sees its edge with no wait queued.
    asio::write(p.a, asio::buffer("b", 1));
    asio::steady_timer other(p.io, 50ms);
    other.async_wait([](const boost::system::error_code&) {});
    run_for(p.io, 100ms);
    CHECK(w.completions == 2);
    w.start(p.b);  // the edge was noted: at once, not at the next data (none is coming)
    run_for(p.io, 50ms);
    CHECK(w.completions == 3);
    CHECK(drain(p.b) == 2);
}

TEST_CASE("wait_readable: closing the socket completes a pending wait with operation_aborted") {
    tcp_pair p;
    waiter w;
    first_wait_then_park(p, w);
    run_for(p.io, 20ms);
    REQUIRE(w.completions == 1);
    p.b.close();
    run_for(p.io, 100ms);
    CHECK(w.completions == 2);
    CHECK(w.last == asio::error::operation_aborted);
}

TEST_CASE("wait_readable: the peer's close (EOF) completes the wait") {
    tcp_pair p;
    waiter w;
    first_wait_then_park(p, w);
    p.a.close();
    run_for(p.io, 200ms);
    CHECK(w.completions == 2);
    CHECK(!w.last);  // readiness; the read that follows sees the end of the stream
}
