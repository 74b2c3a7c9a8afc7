// Hostile and broken clients next to a well-behaved one: each bad connection is closed with
// a log line, and the good client's QoS 1 publishes all go through meanwhile.
#include <doctest/doctest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "gateway_fixture.hpp"
#include "mqtt/mqtt.hpp"
#include "fixture_client.hpp"
#include "test_device.hpp"

using namespace std::chrono_literals;
using namespace wv::test;

namespace {

void short_deadlines(wv::gate::gateway_config& c) {
    c.limits.tls_handshake_timeout = 2s;
    c.limits.connect_timeout = 2s;
    c.limits.publish_rate_per_s = 0;
}

std::vector<std::byte> connect_bytes(const std::string& id) {
    wv::mqtt::connect c;
    c.client_id = id;
    c.keep_alive_s = 60;
    c.user_name = "dev1";
    const std::string pw = "pw1";
    c.password = wv::mqtt::as_bytes(pw);
    return wv::mqtt::encode_to_bytes(c);
}

}  // namespace

TEST_CASE("raw bytes: each bad first packet is closed without CONNACK") {
    gateway_fixture g(short_deadlines);
    SUBCASE("malformed CONNECT (protocol name MQTX)") {
        raw_session r(ep(g));
        REQUIRE_FALSE(r.connect_error());
        auto b = connect_bytes("m1");
        b[4 + 1] = std::byte{'X'};  // "MQTT" -> "MQTX"
        r.send(b);
        std::vector<std::byte> got;
        CHECK(r.wait_closed(5s, &got));
        CHECK(got.empty());
    }
    SUBCASE("remaining length of 268 MB") {
        raw_session r(ep(g));
        r.send(bytes({0x30, 0xff, 0xff, 0xff, 0x7f}));
        std::vector<std::byte> got;
        CHECK(r.wait_closed(5s, &got));
        CHECK(got.empty());
        CHECK(g.wait_for_log({"larger than the maximum packet size"}));
    }
    SUBCASE("a fifth remaining-length byte") {
        raw_session r(ep(g));
        r.send(bytes({0x10, 0xff, 0xff, 0xff, 0xff, 0x01}));
        CHECK(r.wait_closed(5s));
    }
    SUBCASE("PINGREQ before CONNECT") {
        raw_session r(ep(g));
        r.send(bytes({0xc0, 0x00}));
        CHECK(r.wait_closed(5s));
        CHECK(g.wait_for_log({"first packet is PINGREQ"}));
    }
    SUBCASE("never sending CONNECT: closed at the CONNECT deadline") {
        raw_session r(ep(g));
        CHECK(r.wait_closed(10s));
        CHECK(g.wait_for_log({"no CONNECT within the deadline"}));
    }
    SUBCASE("a CONNECT dribbled one byte per write still gets CONNACK") {
        raw_session r(ep(g));
        for (const auto b : connect_bytes("slow1")) REQUIRE_FALSE(r.send({b}));
        std::vector<std::byte> got;
        CHECK_FALSE(r.wait_closed(1s, &got));
        CHECK(got == bytes({0x20, 0x02, 0x00, 0x00}));
    }
    SUBCASE("TLS garbage instead of a ClientHello") {
        boost::asio::io_context io;
        boost::asio::ip::tcp::socket s(io);
        s.connect({boost::asio::ip::make_address("127.0.0.1"), g.port()});
        const std::string junk = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        boost::asio::write(s, boost::asio::buffer(junk));
        CHECK(g.wait_for_stats([](const auto& st) { return st.tls_handshake_failures >= 1; }));
    }
}

TEST_CASE("2,000 half-open TLS handshakes and bad clients do not stop a good client") {
    gateway_fixture g(short_deadlines);
    device sub(ep(g), login("good-sub"));
    REQUIRE_FALSE(sub.connect_error());
    REQUIRE_FALSE(sub.subscribe("wv/#"));

    // Half-open: TCP connected, the first 3 bytes of a TLS record, then nothing.
    boost::asio::io_context io;
    std::vector<boost::asio::ip::tcp::socket> half_open;
    const boost::asio::ip::tcp::endpoint target(boost::asio::ip::make_address("127.0.0.1"), g.port());
    for (int i = 0; i < 2000; ++i) {
        auto& s = half_open.emplace_back(io);
        s.connect(target);
        boost::asio::write(s, boost::asio::buffer("\x16\x03\x01", 3));
    }
    raw_session silent(ep(g));  // TLS done, never sends CONNECT
    raw_session oversize(ep(g));
    oversize.send(bytes({0x10, 0xff, 0xff, 0xff, 0x7f}));

    device pub(ep(g), login("good-pub"));
    REQUIRE_FALSE(pub.connect_error());
    // In batches of 50: the gateway PUBACKs the publisher on receipt, so an unpaced publisher
    // could run more than 100 messages ahead of a subscriber starved of CPU, and AWS's
    // 100-unacknowledged limit would (correctly) drop the excess.
    for (int batch = 0; batch < 4; ++batch) {
        for (int i = 0; i < 50; ++i) REQUIRE_FALSE(pub.publish("wv/good-pub/1", std::to_string(batch * 50 + i)));
        REQUIRE(sub.messages(static_cast<std::size_t>(batch + 1) * 50, 20s).size() == static_cast<std::size_t>(batch + 1) * 50);
    }
    const auto got = sub.messages(200, 1s);
    CHECK(got.size() == 200);
    CHECK(g.gw->stats().messages_dropped == 0);

    CHECK(oversize.wait_closed(5s));
    CHECK(silent.wait_closed(10s));
    CHECK(g.wait_for_stats([](const auto& st) { return st.tls_handshake_failures >= 2000; }, 30s));
    CHECK(g.gw->stats().connects_accepted == 2);
}

TEST_CASE("connection limit: connections beyond it are closed at once, with a log line") {
    gateway_fixture g([](wv::gate::gateway_config& c) { c.limits.max_connections = 3; });
    std::vector<std::unique_ptr<raw_session>> held;
    for (int i = 0; i < 3; ++i) held.push_back(std::make_unique<raw_session>(ep(g)));
    raw_session extra(ep(g));
    CHECK(extra.connect_error());  // closed before or during its handshake
    CHECK(g.wait_for_log({"connection limit 3 reached"}));
    CHECK(g.gw->stats().connections_refused_limit >= 1);
}

TEST_CASE("subscribers that stop reading: bounded queue, drops counted, others unaffected, still closed") {
    // The takeover below reconnects a client id at once: AWS's 1 CONNECT/s per id would refuse it.
    gateway_fixture g([](wv::gate::gateway_config& c) {
        short_deadlines(c);
        c.limits.connects_per_s_per_client_id = 0;
    });
    // Two subscribers to everything that never read: the gateway's writes to them block once the
    // socket buffers are full, and everything after that must be queued within
    // max_outbox_bytes or dropped (counted), never buffered without bound.
    raw_session stalled_a(ep(g)), stalled_b(ep(g));
    int connected = 0;
    for (auto* s : {&stalled_a, &stalled_b}) {
        REQUIRE_FALSE(s->connect_error());
        REQUIRE_FALSE(s->send(connect_bytes(s == &stalled_a ? "stalled-a" : "stalled-b")));
        // SUBSCRIBE only once connected: this test is about output, not about packets
        // pipelined behind CONNECT.
        ++connected;
        REQUIRE(g.wait_for_stats([&](const auto& st) { return st.connects_accepted >= static_cast<std::uint64_t>(connected); }));
        wv::mqtt::subscribe sub;
        sub.packet_id = 1;
        sub.subscriptions.push_back({.filter = "wv/#", .qos = wv::mqtt::qos::at_most_once});
        REQUIRE_FALSE(s->send(wv::mqtt::encode_to_bytes(sub)));
        REQUIRE(g.wait_for_log({"\"eventType\":\"Subscribe\"", s == &stalled_a ? "stalled-a" : "stalled-b"}));
    }

    device pub(ep(g), login("pub"));
    REQUIRE_FALSE(pub.connect_error());
    const std::string payload(64 * 1024, 'x');
    // 300 x 64 KiB = 19 MiB: far beyond loopback socket buffers plus the 1 MiB outbox bound.
    for (int i = 0; i < 300; ++i) REQUIRE_FALSE(pub.publish("wv/pub/1", payload));
    CHECK(g.wait_for_stats([](const auto& st) { return st.messages_dropped > 0; }));

    // Another device is served as usual meanwhile.
    device other(ep(g), login("other"));
    REQUIRE_FALSE(other.connect_error());
    CHECK_FALSE(other.publish("wv/other/1", "still here"));

    // Taken over while its output is blocked: the old connection gets the flush grace (5 s) for
    // its queued bytes, then is closed and released, though its peer never reads a byte.
    device takeover(ep(g), login("stalled-b"));
    REQUIRE_FALSE(takeover.connect_error());
    CHECK(g.wait_for_stats([](const auto& st) { return st.connections_open == 4; }, 15s));  // a, pub, other, takeover
    CHECK(stalled_b.wait_closed(5s));

    // Input is still read while output is blocked: a DISCONNECT closes the other one.
    REQUIRE_FALSE(stalled_a.send(wv::mqtt::encode_to_bytes(wv::mqtt::disconnect{})));
    CHECK(stalled_a.wait_closed(20s));
    CHECK(g.wait_for_log({"\"eventType\":\"Disconnect\"", "stalled-a"}));
}
