#pragma once
// Blocking test clients over real TLS, each on its own io_context thread:
//   device      this project's MQTT client (src/client): connect, publish, subscribe, abort
//   raw_session a TLS (or plain) connection that sends whatever bytes a test gives it and
//               reports what came back and whether the server closed
// Every call has a timeout; nothing here sleeps to wait for a server.
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "client/connection.hpp"
#include "client/session_options.hpp"
#include "tls/client_context.hpp"

namespace wv::test {

struct endpoint_options {
    std::uint16_t port = 0;
    std::string ca_file;
    std::vector<std::string> alpn{"mqtt"};
    std::string sni = "localhost";
    bool tls = true;
    std::string cert_file{}, key_file{};  // client certificate (X.509 listeners)
};

class io_thread {
public:
    io_thread();
    ~io_thread();
    boost::asio::io_context& ctx() { return ctx_; }
    // Stops the loop and joins its thread (again: a no-op). Owners whose handlers point into
    // members declared after this one call it first, so no handler runs on a freed object.
    void stop();

private:
    boost::asio::io_context ctx_;
    std::thread thread_;
};

class device {
public:
    device(const endpoint_options& ep, client::session_options session);
    ~device();
    std::error_code connect_error() const { return connect_ec_; }
    bool connected() const { return !connect_ec_; }
    bool session_present() const;
    std::error_code publish(const std::string& topic, const std::string& payload,
                            mqtt::qos q = mqtt::qos::at_least_once, bool retain = false,
                            std::chrono::milliseconds timeout = std::chrono::seconds(10));
    std::error_code subscribe(const std::string& filter, mqtt::qos q = mqtt::qos::at_least_once,
                              std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Messages received so far (topic, payload); waits until at least n or the timeout.
    std::vector<std::pair<std::string, std::string>> messages(std::size_t n = 0,
                                                              std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Why the connection ended, once it has (nullopt: still up after the timeout).
    std::optional<std::error_code> wait_end(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    void abort();
    void disconnect();

private:
    io_thread io_;
    std::unique_ptr<tls::client_context> tls_;
    std::unique_ptr<client::connection> conn_;
    std::error_code connect_ec_;
    struct shared;
    std::shared_ptr<shared> st_;
};

class raw_session {
public:
    explicit raw_session(const endpoint_options& ep);
    ~raw_session();
    std::error_code connect_error() const { return connect_ec_; }
    std::error_code send(const std::vector<std::byte>& bytes);
    // Reads until the server closes or the timeout; true when it closed. `got` collects bytes.
    bool wait_closed(std::chrono::milliseconds timeout, std::vector<std::byte>* got = nullptr);

private:
    io_thread io_;
    std::unique_ptr<tls::client_context> tls_;
    std::unique_ptr<tls::stream> stream_;
    std::error_code connect_ec_;
};

std::vector<std::byte> bytes(std::initializer_list<int> b);

}  // namespace wv::test
