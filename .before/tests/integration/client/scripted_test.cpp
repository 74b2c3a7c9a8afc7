// wv::client::connection against a scripted server on 127.0.0.1 (raw MQTT bytes over plain TCP):
// CONNACK deadline, refusals, protocol violations, PINGRESP deadline, queue bounds, packets that
// arrive in the same segment as the CONNACK, a large message.
#include <doctest/doctest.h>

#include <array>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "client/connection.hpp"
#include "mqtt/packet.hpp"
#include "unit/tls/loopback.hpp"

namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using wv::client::client_errc;
constexpr auto tok = asio::as_tuple(asio::use_awaitable);

wv::mqtt::byte_buffer connack_bytes(wv::mqtt::connack_code code = wv::mqtt::connack_code::accepted) {
    return wv::mqtt::encode_to_bytes(wv::mqtt::connack{.session_present = false, .code = code});
}

// Accepts one client, reads its CONNECT (any bytes), then writes `reply` and keeps the socket
// open until the client goes away.
asio::awaitable<void> script(tcp::acceptor& acc, wv::mqtt::byte_buffer reply) {
    auto [aec, s] = co_await acc.async_accept(tok);
    REQUIRE(!aec);
    std::array<char, 1024> buf;
    co_await s.async_read_some(asio::buffer(buf), tok);  // the CONNECT, whatever it holds
    if (!reply.empty()) co_await asio::async_write(s, asio::buffer(reply), tok);
    for (;;) {
        auto [ec, m] = co_await s.async_read_some(asio::buffer(buf), tok);
        if (ec) co_return;
    }
}

asio::awaitable<std::unique_ptr<wv::client::connection>> dial(tcp::endpoint ep) {
    tcp::socket s(co_await asio::this_coro::executor);
    auto [ec] = co_await s.async_connect(ep, tok);
    REQUIRE(!ec);
    co_return std::make_unique<wv::client::connection>(wv::tls::stream(std::move(s)));
}

std::error_code connect_result(wv::mqtt::byte_buffer reply, std::chrono::milliseconds timeout = 2s) {
    wv::test::loopback lb;
    std::error_code result;
    lb.run([&] { return script(lb.acceptor, reply); },
           [&]() -> asio::awaitable<void> {
               auto c = co_await dial(lb.endpoint());
               const wv::client::session_options so1{.client_id = "d1", .connack_timeout = timeout};
               result = co_await c->async_connect(so1);
               c->abort();
           });
    return result;
}

}  // namespace

TEST_CASE("CONNACK: deadline, refusal codes, and a first packet that is not a CONNACK") {
    CHECK(connect_result({}, 200ms) == client_errc::connack_timeout);
    CHECK(!connect_result(connack_bytes()));
    CHECK(connect_result(connack_bytes(wv::mqtt::connack_code::bad_user_name_or_password)) == client_errc::refused_bad_user_name_or_password);
    CHECK(connect_result(connack_bytes(wv::mqtt::connack_code::not_authorized)) == client_errc::refused_not_authorized);
    CHECK(connect_result(connack_bytes(wv::mqtt::connack_code::identifier_rejected)) == client_errc::refused_identifier_rejected);
    CHECK(connect_result(wv::mqtt::encode_to_bytes(wv::mqtt::pingresp{})) == client_errc::unexpected_packet);
    // A CONNACK with the wrong remaining length is the codec's error.
    CHECK(connect_result(wv::mqtt::byte_buffer{std::byte{0x20}, std::byte{0x03}, std::byte{0}, std::byte{0}, std::byte{0}}) ==
          wv::mqtt::mqtt_errc::bad_remaining_length);
}

TEST_CASE("a PUBLISH in the same segment as the CONNACK is delivered once run() starts") {
    auto reply = connack_bytes();
    const std::string payload(100'000, 'x');  // also larger than the decoder keeps afterwards
    wv::mqtt::encode(wv::mqtt::publish{.topic = "a/b", .payload = wv::mqtt::as_bytes(payload), .qos = wv::mqtt::qos::at_most_once}, reply);
    wv::mqtt::encode(wv::mqtt::publish{.topic = "a/c", .payload = wv::mqtt::as_bytes("small"), .qos = wv::mqtt::qos::at_most_once}, reply);
    wv::test::loopback lb;
    std::vector<std::string> got;
    lb.run([&] { return script(lb.acceptor, reply); },
           [&]() -> asio::awaitable<void> {
               auto c = co_await dial(lb.endpoint());
               const wv::client::session_options so2{.client_id = "d1"};
               const auto ec = co_await c->async_connect(so2);
               REQUIRE(!ec);
               c->on_message([&](const wv::mqtt::publish& p) {
                   got.push_back(std::string(p.topic) + ":" + std::to_string(p.payload.size()));
                   if (got.size() == 2) c->abort();
               });
               co_await c->run();
           });
    CHECK(got == std::vector<std::string>{"a/b:100000", "a/c:5"});
}

TEST_CASE("keep-alive: no PINGRESP within the deadline ends run() with pingresp_timeout") {
    wv::test::loopback lb;
    std::error_code why;
    lb.run([&] { return script(lb.acceptor, connack_bytes()); },
           [&]() -> asio::awaitable<void> {
               auto c = co_await dial(lb.endpoint());
               const wv::client::session_options so3{.client_id = "d1", .keep_alive = 1s, .pingresp_timeout = 200ms};
               const auto ec = co_await c->async_connect(so3);
               REQUIRE(!ec);
               why = co_await c->run();
           });
    CHECK(why == client_errc::pingresp_timeout);
}

TEST_CASE("operations before CONNACK, past the queue bound, and on a lost connection complete with errors") {
    wv::test::loopback lb;
    std::vector<std::error_code> results;
    lb.run([&] { return script(lb.acceptor, connack_bytes()); },
           [&]() -> asio::awaitable<void> {
               auto ex = co_await asio::this_coro::executor;
               auto c = co_await dial(lb.endpoint());
               const std::string big(16 * 1024, 'p');
               const wv::mqtt::publish q1{.topic = "t", .payload = wv::mqtt::as_bytes("x"), .qos = wv::mqtt::qos::at_least_once};
               auto [e0] = co_await c->async_publish(q1, tok);
               results.push_back(e0);  // not connected yet
               const wv::client::session_options so{.client_id = "d1", .max_queued_bytes = 64 * 1024};
               const auto ec = co_await c->async_connect(so);
               REQUIRE(!ec);
               bool run_done = false;
               asio::co_spawn(ex, c->run(), [&](std::exception_ptr, std::error_code) { run_done = true; });
               // A QoS 1 publish the scripted server never acknowledges stays in flight.
               std::error_code first{client_errc::not_connected};
               bool first_done = false;
               c->async_publish(q1, [&](std::error_code e) {
                   first = e;
                   first_done = true;
               });
               CHECK(c->in_flight() == 1);
               // The server reads nothing more: once the socket buffers are full, the queue fills
               // up to its bound and further publishes fail with queue_full.
               const wv::mqtt::publish q0{.topic = "t", .payload = wv::mqtt::as_bytes(big), .qos = wv::mqtt::qos::at_most_once};
               std::error_code last;
               for (int i = 0; i < 100'000 && last != client_errc::queue_full; ++i) {
                   auto [e] = co_await c->async_publish(q0, tok);
                   last = e;
               }
               CHECK(last == client_errc::queue_full);
               CHECK(c->queued_bytes() > 0);
               CHECK(c->queued_bytes() <= 64 * 1024);
               c->abort();
               while (!first_done || !run_done) co_await asio::post(ex, asio::use_awaitable);
               results.push_back(first);
           });
    REQUIRE(results.size() == 2);
    CHECK(results[0] == client_errc::not_connected);
    CHECK(results[1] == client_errc::connection_lost);
}

// Accepts one client and answers its CONNECT, its QoS 2 PUBLISH (id 1), its PUBREL and its
// PINGREQ, each after the client's packet has arrived.
asio::awaitable<void> qos2_and_ping_script(tcp::acceptor& acc) {
    auto [aec, s] = co_await acc.async_accept(tok);
    REQUIRE(!aec);
    std::array<char, 1024> buf;
    std::vector<wv::mqtt::byte_buffer> replies{connack_bytes(), wv::mqtt::encode_to_bytes(wv::mqtt::pubrec{.packet_id = 1}),
                                               wv::mqtt::encode_to_bytes(wv::mqtt::pubcomp{.packet_id = 1}),
                                               wv::mqtt::encode_to_bytes(wv::mqtt::pingresp{})};
    for (const auto& reply : replies) {
        auto [ec, n] = co_await s.async_read_some(asio::buffer(buf), tok);  // CONNECT, PUBLISH, PUBREL, PINGREQ
        if (ec) co_return;
        co_await asio::async_write(s, asio::buffer(reply), tok);
    }
    for (;;) {
        auto [ec, m] = co_await s.async_read_some(asio::buffer(buf), tok);
        if (ec) co_return;
    }
}

TEST_CASE("on_packet: every packet sent and received, in wire order, with its packet id") {
    using wv::mqtt::packet_type;
    wv::test::loopback lb;
    std::vector<std::string> notes;
    std::error_code published, why;
    lb.run([&] { return qos2_and_ping_script(lb.acceptor); },
           [&]() -> asio::awaitable<void> {
               auto ex = co_await asio::this_coro::executor;
               auto c = co_await dial(lb.endpoint());
               c->on_packet([&](const wv::client::connection::packet_note& n) {
                   notes.push_back(std::string(n.sent ? "sent " : "received ") + std::string(wv::mqtt::to_string(n.type)) + " " +
                                   std::to_string(n.packet_id));
               });
               const wv::client::session_options so{.client_id = "d1", .keep_alive = 1s};
               REQUIRE(!co_await c->async_connect(so));
               bool run_done = false;
               asio::co_spawn(ex, c->run(), [&](std::exception_ptr, std::error_code e) {
                   why = e;
                   run_done = true;
               });
               const wv::mqtt::publish p{.topic = "t", .payload = wv::mqtt::as_bytes("x"), .qos = wv::mqtt::qos::exactly_once};
               auto [e] = co_await c->async_publish(p, tok);
               published = e;
               asio::steady_timer wait(ex);
               for (int i = 0; i < 300 && (notes.empty() || notes.back() != "received PINGRESP 0"); ++i) {
                   wait.expires_after(10ms);
                   co_await wait.async_wait(tok);
               }
               c->disconnect();
               while (!run_done) co_await asio::post(ex, asio::use_awaitable);
           });
    CHECK(!published);
    CHECK(why == client_errc::disconnected);
    CHECK(notes == std::vector<std::string>{"sent CONNECT 0", "received CONNACK 0", "sent PUBLISH 1", "received PUBREC 1",
                                            "sent PUBREL 1", "received PUBCOMP 1", "sent PINGREQ 0", "received PINGRESP 0",
                                            "sent DISCONNECT 0"});
}
