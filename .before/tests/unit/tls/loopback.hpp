#pragma once
// Test helper: a listening socket on 127.0.0.1:0 and a way to run a server coroutine and a
// client coroutine to completion on one io_context (exceptions propagate out of run()).
#include <chrono>
#include <cstdint>
#include <functional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <doctest/doctest.h>

namespace wv::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct loopback {
    asio::io_context io;
    tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::address_v4::loopback(), 0)};

    std::uint16_t port() const { return acceptor.local_endpoint().port(); }
    tcp::endpoint endpoint() const { return acceptor.local_endpoint(); }

    // Runs both to completion (or fails the test after `limit`).
    void run(std::function<asio::awaitable<void>()> server, std::function<asio::awaitable<void>()> client,
             std::chrono::seconds limit = std::chrono::seconds(20)) {
        int done = 0;
        auto on_done = [&done](std::exception_ptr e) {
            ++done;
            if (e) std::rethrow_exception(e);
        };
        if (server) asio::co_spawn(io, server(), on_done);
        else ++done;
        if (client) asio::co_spawn(io, client(), on_done);
        else ++done;
        io.restart();
        io.run_for(limit);
        REQUIRE_MESSAGE(done == 2, "coroutines did not finish in time");
    }
};

}  // namespace wv::test
