#pragma once
// mosquitto over TLS for the client's interop tests: a generated CA, the broker started by the
// test on 127.0.0.1 (free port) with the given users and ACL, a client TLS context trusting the
// CA, and an io_context to run one test coroutine on.
#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>

#include "client/connection.hpp"
#include "support/mosquitto_broker.hpp"
#include "support/temp_dir.hpp"
#include "tls/client_context.hpp"
#include "tls/connect.hpp"
#include "tls/test_ca.hpp"

namespace wv::test {

struct tls_broker_fixture {
    tls_broker_fixture(std::map<std::string, std::string> users, std::vector<std::string> acl_lines)
        : ca(wv::tls::make_test_ca(dir.path())),
          broker({.cert_file = ca.server_cert,
                  .key_file = ca.server_key,
                  .ca_file = {},
                  .require_certificate = false,
                  .users = std::move(users),
                  .acl_lines = std::move(acl_lines),
                  .extra_config = {}}),
          ctx({.ca_file = ca.ca_cert}) {}

    temp_dir dir;
    wv::tls::test_ca_files ca;
    mosquitto_broker broker;
    wv::tls::client_context ctx;
    boost::asio::io_context io;

    // Runs `fn` to completion on io (fails the test after `limit`, with the broker's log).
    void run(std::function<boost::asio::awaitable<void>()> fn, std::chrono::seconds limit = std::chrono::seconds(20)) {
        bool done = false;
        boost::asio::co_spawn(io, fn(), [&](std::exception_ptr e) {
            done = true;
            if (e) std::rethrow_exception(e);
        });
        io.restart();
        io.run_for(limit);
        REQUIRE_MESSAGE(done, "did not finish in time; broker log:\n" << broker.log());
    }

    // TCP + TLS to the broker, then a connection object (not yet MQTT-connected).
    boost::asio::awaitable<std::unique_ptr<wv::client::connection>> open() {
        const wv::tls::connect_options o{.host = "localhost", .port = broker.port()};
        auto r = co_await wv::tls::connect(co_await boost::asio::this_coro::executor, o, &ctx);
        REQUIRE_MESSAGE(!r.ec, r.ec.message() << " " << r.detail);
        CHECK(r.timing.tls_handshake.count() > 0);
        co_return std::make_unique<wv::client::connection>(std::move(*r.s));
    }
};

}  // namespace wv::test
