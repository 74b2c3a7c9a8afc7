#pragma once
// Test-only: a tiny MQTT 3.1.1 server on wv::tls::stream and the codec, running on its own
// thread. It answers CONNECT (accepting everyone), PUBLISH QoS 1/2, SUBSCRIBE and PINGREQ, and
// records what each connection showed: SNI, ALPN, TLS version, client id, publishes.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "tls/server_context.hpp"
#include "tls/stream.hpp"

namespace wv::test {

struct seen_connection {
    std::error_code handshake;          // non-empty: the TLS handshake failed
    std::string sni, alpn, version, client_id;
    std::vector<std::string> publishes;  // "topic=payload"
    bool disconnected = false;           // DISCONNECT received
};

class mini_broker {
public:
    explicit mini_broker(wv::tls::server_options opts);
    ~mini_broker();
    std::uint16_t port() const { return port_; }
    // Waits until `n` connections have ended (or failed their handshake).
    bool wait_for_finished(std::size_t n, std::chrono::seconds limit);
    std::vector<seen_connection> seen() const;

private:
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> serve(wv::tls::stream s);

    wv::tls::server_context ctx_;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::vector<seen_connection> seen_;
    std::thread thread_;
};

}  // namespace wv::test
