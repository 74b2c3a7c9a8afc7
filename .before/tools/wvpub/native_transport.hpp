#pragma once
// Opens the connection for wvpub's own MQTT 3.1.1 client: resolve, TCP connect to each
// address in turn (as libmosquitto does), then the TLS handshake. Each step fails on its own,
// so callers can say which step failed and why (mosquitto_pub's texts, or pub.py mode's).
//
//   const transport_target t{.host = "broker", .port = 8883, .tls = &ctx};
//   auto r = co_await open_transport(t, [] { /* TCP is up, the handshake comes next */ });
//   if (auto* f = std::get_if<transport_failure>(&r)) ...; else use std::get<tls::stream>(r)
//
// Threading: runs on the calling coroutine's executor; the resolve blocks that thread (a
// one-shot command has nothing else to do meanwhile, and needs no resolver thread).
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <system_error>
#include <variant>

#include <boost/asio/awaitable.hpp>

#include "tls/client_context.hpp"
#include "tls/stream.hpp"

namespace wv::wvpub {

struct transport_target {
    std::string host{};
    std::uint16_t port = 8883;
    const tls::client_context* tls = nullptr;  // nullptr: plain TCP
    // TLS: the certificate must name `host`. The chain is verified either way (mosquitto_pub's
    // --insecure and pub.py's turn off only the name check).
    bool check_host = true;
    std::chrono::milliseconds handshake_timeout{10'000};
};

struct transport_failure {
    enum class step { resolve, tcp, tls };
    step where = step::resolve;
    std::error_code ec{};
    std::string detail{};             // TLS: OpenSSL's reason
    unsigned long openssl_error = 0;  // TLS: OpenSSL's packed error code, 0 when it queued none
};

boost::asio::awaitable<std::variant<tls::stream, transport_failure>> open_transport(transport_target t,
                                                                                    std::function<void()> on_tcp_connected = {});

// "error:0A000086:SSL routines::certificate verify failed": what mosquitto_pub prints as
// "OpenSSL Error[0]: ..." for a failed handshake. With no OpenSSL error queued the peer hung up
// mid-handshake, which OpenSSL 3 reports as "unexpected eof while reading".
std::string openssl_error_text(unsigned long openssl_error);

}  // namespace wv::wvpub
