// wv::client::client_machine on virtual time against a scripted server (style.md 3): bytes in,
// the bytes it sends, its deadlines and its events checked exactly. The run_on helper applies
// effects and deadlines the way net::driver does.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "client/client_machine.hpp"
#include "mqtt/mqtt.hpp"

namespace {

using namespace std::chrono_literals;
using wv::client::client_errc;
using wv::client::clock;
using wv::mqtt::byte_buffer;
namespace mqtt = wv::mqtt;

byte_buffer bytes(std::initializer_list<int> v) {
    byte_buffer b;
    for (int x : v) b.push_back(static_cast<std::byte>(x));
    return b;
}

// The machine, its events as text, and a virtual clock.
struct script : wv::client::session_events {
    wv::client::client_machine m{*this};
    wv::net::effects fx;
    clock::time_point now{};  // virtual: starts at the epoch
    std::vector<std::string> events;

    void on_connack(std::error_code r, bool sp) override {
        events.push_back("connack " + (r ? r.message() : std::string(sp ? "ok present" : "ok")));
    }
    void on_message(const mqtt::publish& p) override {
        events.push_back("message " + std::string(p.topic) + " " + std::string(mqtt::as_chars(p.payload)));
    }
    void on_acknowledged(std::uint16_t id, std::error_code r) override {
        events.push_back("ack " + std::to_string(id) + (r ? " " + r.message() : std::string()));
    }

    void begin(wv::client::session_options o) { m.begin(o, now, fx); }
    void server_sends(const byte_buffer& b) { m.on_bytes(b, now, fx); }
    // Moves virtual time on, calling on_deadline as the driver would (only once it is due).
    void advance(clock::duration d) {
        const auto until = now + d;
        for (;;) {
            const auto due = m.next_deadline();
            if (!due || *due > until || fx.closing()) break;
            now = std::max(now, *due);
            m.on_deadline(now, fx);
        }
        now = until;
    }
    // What the machine queued since the last call (the driver would write it now).
    byte_buffer sent() {
        byte_buffer out;
        out.swap(fx.send);
        return out;
    }
    std::vector<std::string> take_events() {
        auto e = std::move(events);
        events.clear();
        return e;
    }
    void connect(std::chrono::seconds keep_alive = 60s) {
        begin({.client_id = "d1", .keep_alive = keep_alive});
        sent();
        server_sends(bytes({0x20, 0x02, 0x00, 0x00}));
        m.release(now, fx);
        take_events();
    }
};

}  // namespace

TEST_CASE("CONNECT on the wire, CONNACK accepted; frames behind it wait for release()") {
    script s;
    s.begin({.client_id = "d1", .user_name = "u", .password = "p", .keep_alive = 30s});
    CHECK(s.sent() == bytes({0x10, 0x14,                          // CONNECT, remaining length 20
                             0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04,  // protocol name, level 4
                             0xc2,                                  // user name, password, clean session
                             0x00, 0x1e,                            // keep-alive 30 s
                             0x00, 0x02, 'd', '1',                  // client id
                             0x00, 0x01, 'u', 0x00, 0x01, 'p'}));   // user name, password
    CHECK(s.m.wants_quick_ack());
    CHECK(s.m.next_deadline() == s.now + 10s);  // the default connack_timeout
    auto in = bytes({0x20, 0x02, 0x01, 0x00});     // CONNACK, session present
    const auto pub = mqtt::encode_to_bytes(mqtt::publish{.topic = "a/b", .payload = mqtt::as_bytes("hi")});
    in.insert(in.end(), pub.begin(), pub.end());
    in.push_back(std::byte{0x30});  // and the first byte of another PUBLISH
    s.server_sends(in);
    CHECK(s.take_events() == std::vector<std::string>{"connack ok present"});
    CHECK(!s.m.wants_input());
    CHECK(!s.m.wants_quick_ack());
    CHECK(s.m.is_connected());
    s.m.release(s.now, s.fx);
    CHECK(s.take_events() == std::vector<std::string>{"message a/b hi"});
    CHECK(s.m.wants_input());
    s.server_sends(bytes({0x05, 0x00, 0x01, 'c', 'x', 'y'}));  // the rest of the split PUBLISH
    CHECK(s.take_events() == std::vector<std::string>{"message c xy"});
}

TEST_CASE("CONNACK: deadline, refusal, a first packet that is not a CONNACK, the transport closing first") {
    {
        script s;
        s.begin({.client_id = "d1", .connack_timeout = 200ms});
        s.advance(199ms);
        CHECK(!s.fx.closing());
        s.advance(1ms);
        CHECK(s.fx.end == wv::net::ending::close_now);
        CHECK(s.fx.why == client_errc::connack_timeout);
        CHECK(s.take_events() == std::vector<std::string>{"connack " + make_error_code(client_errc::connack_timeout).message()});
    }
    {
        script s;
        s.begin({.client_id = "d1"});
        s.server_sends(bytes({0x20, 0x02, 0x00, 0x05}));
        CHECK(s.fx.why == client_errc::refused_not_authorized);
        CHECK(!s.m.is_connected());
    }
    {
        script s;
        s.begin({.client_id = "d1"});
        s.server_sends(bytes({0xd0, 0x00}));  // PINGRESP
        CHECK(s.fx.why == client_errc::unexpected_packet);
        CHECK(s.events.size() == 1);
    }
    {
        script s;
        s.begin({.client_id = "d1"});
        s.m.on_transport_closed(std::make_error_code(std::errc::connection_reset), s.now);
        CHECK(s.take_events() == std::vector<std::string>{"connack " + std::make_error_code(std::errc::connection_reset).message()});
        CHECK(!s.m.next_deadline());
    }
}

TEST_CASE("keep-alive: PINGREQ after keep-alive without a packet sent; no PINGRESP in time closes") {
    script s;
    s.connect(30s);
    s.advance(20s);
    REQUIRE(s.m.publish({.topic = "t", .payload = mqtt::as_bytes("x")}, s.now, s.fx));  // QoS 0: moves the deadline
    s.sent();
    s.advance(29s);
    CHECK(s.sent().empty());
    s.advance(1s);
    CHECK(s.sent() == bytes({0xc0, 0x00}));  // PINGREQ, 30 s after the publish
    CHECK(s.m.next_deadline() == s.now + 10s);
    s.server_sends(bytes({0xd0, 0x00}));  // PINGRESP
    CHECK(s.m.next_deadline() == s.now + 30s);
    s.advance(30s);
    CHECK(s.sent() == bytes({0xc0, 0x00}));
    s.advance(10s);
    CHECK(s.fx.why == client_errc::pingresp_timeout);
    CHECK(s.fx.end == wv::net::ending::close_now);
}

TEST_CASE("QoS 1 and 2 publishes: packet ids, PUBACK, PUBREC -> PUBREL -> PUBCOMP; stray acks ignored") {
    script s;
    s.connect();
    const auto id1 = s.m.publish({.topic = "t", .payload = mqtt::as_bytes("a"), .qos = mqtt::qos::at_least_once}, s.now, s.fx);
    REQUIRE(id1);
    CHECK(*id1 == 1);
    CHECK(s.sent() == bytes({0x32, 0x06, 0x00, 0x01, 't', 0x00, 0x01, 'a'}));
    const auto id2 = s.m.publish({.topic = "t", .payload = mqtt::as_bytes("b"), .qos = mqtt::qos::exactly_once}, s.now, s.fx);
    REQUIRE(id2);
    CHECK(*id2 == 2);
    s.sent();
    CHECK(s.m.in_flight() == 2);
    s.server_sends(bytes({0x40, 0x02, 0x00, 0x07}));  // PUBACK for nothing we sent
    s.server_sends(bytes({0x40, 0x02, 0x00, 0x01}));  // PUBACK 1
    s.server_sends(bytes({0x50, 0x02, 0x00, 0x02}));  // PUBREC 2
    CHECK(s.sent() == bytes({0x62, 0x02, 0x00, 0x02}));  // PUBREL 2
    s.server_sends(bytes({0x70, 0x02, 0x00, 0x02}));  // PUBCOMP 2
    CHECK(s.take_events() == std::vector<std::string>{"ack 1", "ack 2"});
    CHECK(s.m.in_flight() == 0);
}

TEST_CASE("incoming QoS 1 and 2: acknowledged after delivery; a resent QoS 2 PUBLISH is delivered once") {
    script s;
    s.connect();
    s.server_sends(mqtt::encode_to_bytes(mqtt::publish{.topic = "q", .payload = mqtt::as_bytes("1"), .qos = mqtt::qos::at_least_once, .packet_id = 9}));
    CHECK(s.sent() == bytes({0x40, 0x02, 0x00, 0x09}));
    const auto q2 = mqtt::encode_to_bytes(mqtt::publish{.topic = "q", .payload = mqtt::as_bytes("2"), .qos = mqtt::qos::exactly_once, .packet_id = 4});
    s.server_sends(q2);
    s.server_sends(q2);
    CHECK(s.sent() == bytes({0x50, 0x02, 0x00, 0x04, 0x50, 0x02, 0x00, 0x04}));  // PUBREC twice
    s.server_sends(bytes({0x62, 0x02, 0x00, 0x04}));                            // PUBREL
    CHECK(s.sent() == bytes({0x70, 0x02, 0x00, 0x04}));                         // PUBCOMP
    CHECK(s.take_events() == std::vector<std::string>{"message q 1", "message q 2"});
}

TEST_CASE("subscribe: SUBACK with a refused filter completes with subscription_refused") {
    script s;
    s.connect();
    const mqtt::subscription subs[] = {{.filter = "a/#", .qos = mqtt::qos::at_least_once}, {.filter = "b", .qos = mqtt::qos::at_most_once}};
    const auto id = s.m.subscribe(subs, s.now, s.fx);
    REQUIRE(id);
    s.sent();
    s.server_sends(bytes({0x90, 0x04, 0x00, static_cast<int>(*id), 0x01, 0x80}));
    CHECK(s.take_events() == std::vector<std::string>{"ack 1 " + make_error_code(client_errc::subscription_refused).message()});
}

TEST_CASE("queue bound: counts what the driver still holds; one packet always fits an empty queue") {
    script s;
    s.begin({.client_id = "d1", .max_queued_bytes = 100});
    s.sent();
    s.server_sends(bytes({0x20, 0x02, 0x00, 0x00}));
    s.m.release(s.now, s.fx);
    const std::string big(200, 'x');
    const mqtt::publish p{.topic = "t", .payload = mqtt::as_bytes(big)};
    CHECK(s.m.publish(p, s.now, s.fx));  // alone: fits
    s.fx.backlog = s.sent().size();      // the socket has not taken it
    CHECK(s.m.publish({.topic = "t", .payload = mqtt::as_bytes("x")}, s.now, s.fx).error() == client_errc::queue_full);
    CHECK(s.fx.send.empty());
    s.fx.backlog = 0;
    CHECK(s.m.publish({.topic = "t", .payload = mqtt::as_bytes("x")}, s.now, s.fx));
    const std::string long_topic(70'000, 't');
    CHECK(s.m.publish({.topic = long_topic}, s.now, s.fx).error() == mqtt::mqtt_errc::string_too_long);
}

TEST_CASE("disconnect: DISCONNECT, then close_notify after the flush; nothing more is accepted") {
    script s;
    s.connect();
    s.m.disconnect(s.now, s.fx);
    CHECK(s.sent() == bytes({0xe0, 0x00}));
    CHECK(s.fx.end == wv::net::ending::shutdown_after_flush);
    CHECK(s.fx.why == client_errc::disconnected);
    CHECK(s.m.publish({.topic = "t"}, s.now, s.fx).error() == client_errc::not_connected);
}

TEST_CASE("protocol violations after CONNACK close at once with their error") {
    script s;
    s.connect();
    s.server_sends(bytes({0x20, 0x02, 0x00, 0x00}));  // a second CONNACK
    CHECK(s.fx.why == client_errc::unexpected_packet);
    script t;
    t.connect();
    t.server_sends(bytes({0x40, 0x03, 0x00, 0x01, 0x00}));  // PUBACK with remaining length 3
    CHECK(t.fx.end == wv::net::ending::close_now);
    CHECK(t.fx.why.category() == mqtt::mqtt_category());
}

TEST_CASE("MQTT 5: CONNECT at level 5, CONNACK refused 0x87 with a reason string") {
    script s;
    s.begin({.protocol = mqtt::protocol_level::v5, .client_id = "d1", .keep_alive = 30s, .max_packet_bytes = 131072,
             .session_expiry_s = 3600});
    CHECK(s.sent() == bytes({0x10, 0x19,                          // CONNECT, remaining length 25
                             0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05,  // protocol name, level 5
                             0x02,                                  // clean start
                             0x00, 0x1e,                            // keep-alive 30 s
                             0x0a,                                  // property length 10
                             0x11, 0x00, 0x00, 0x0e, 0x10,          //   session expiry interval 3600 s
                             0x27, 0x00, 0x02, 0x00, 0x00,          //   maximum packet size 131072
                             0x00, 0x02, 'd', '1'}));               // client id
    s.server_sends(bytes({0x20, 0x0c, 0x00, 0x87,                     // CONNACK: Not authorized
                          0x09, 0x1f, 0x00, 0x06, 'd', 'e', 'n', 'i', 'e', 'd'}));  // reason string
    CHECK(s.take_events() == std::vector<std::string>{"connack Not authorized (0x87)"});
    CHECK(s.m.reason_string() == "denied");
    CHECK(s.fx.closing());
    CHECK(!s.m.is_connected());
}

TEST_CASE("MQTT 5: Server Keep Alive, PUBACK 0x87 and 0x10, SUBACK refusal, DISCONNECT 0x8E from the server") {
    script s;
    s.begin({.protocol = mqtt::protocol_level::v5, .client_id = "d1", .keep_alive = 60s});
    s.sent();
    s.server_sends(bytes({0x20, 0x06, 0x00, 0x00, 0x03, 0x13, 0x00, 0x14}));  // CONNACK, Server Keep Alive 20 s
    s.m.release(s.now, s.fx);
    CHECK(s.take_events() == std::vector<std::string>{"connack ok"});
    CHECK(s.m.keep_alive() == 20s);

    const auto p1 = s.m.publish({.topic = "t", .payload = mqtt::as_bytes("x"), .qos = mqtt::qos::at_least_once}, s.now, s.fx);
    const auto p2 = s.m.publish({.topic = "t", .payload = mqtt::as_bytes("y"), .qos = mqtt::qos::at_least_once}, s.now, s.fx);
    REQUIRE(p1);
    REQUIRE(p2);
    CHECK(s.sent() == bytes({0x32, 0x07, 0x00, 0x01, 't', 0x00, 0x01, 0x00, 'x',    // PUBLISH id 1, no properties
                             0x32, 0x07, 0x00, 0x01, 't', 0x00, 0x02, 0x00, 'y'}));  // PUBLISH id 2
    s.server_sends(bytes({0x40, 0x0a, 0x00, 0x01, 0x87, 0x06, 0x1f, 0x00, 0x03, 'n', 'o', '!'}));  // PUBACK 1: 0x87
    s.server_sends(bytes({0x40, 0x03, 0x00, 0x02, 0x10}));  // PUBACK 2: No matching subscribers (a success)
    CHECK(s.take_events() == std::vector<std::string>{"ack 1 Not authorized (0x87)", "ack 2"});
    CHECK(s.m.reason_string() == "no!");

    const mqtt::subscription subs[] = {{.filter = "a", .qos = mqtt::qos::at_least_once}, {.filter = "b"}};
    const auto sid = s.m.subscribe(subs, s.now, s.fx);
    REQUIRE(sid);
    CHECK(s.sent() == bytes({0x82, 0x0b, 0x00, 0x03, 0x00, 0x00, 0x01, 'a', 0x01, 0x00, 0x01, 'b', 0x00}));
    s.server_sends(bytes({0x90, 0x05, 0x00, 0x03, 0x00, 0x01, 0xa2}));  // SUBACK: granted 1, 0xA2
    CHECK(s.take_events() == std::vector<std::string>{"ack 3 Wildcard Subscriptions not supported (0xa2)"});

    s.server_sends(bytes({0xe0, 0x01, 0x8e}));  // DISCONNECT: Session taken over
    CHECK(s.fx.closing());
    CHECK(s.fx.why == mqtt::reason_code::session_taken_over);
}

TEST_CASE("MQTT 5: a 3.1.1 session refuses the v5 forms, a v5 session sends them") {
    script s;
    s.connect();
    s.server_sends(bytes({0x40, 0x03, 0x00, 0x01, 0x10}));  // a v5 PUBACK on a 3.1.1 session
    CHECK(s.fx.closing());
    CHECK(s.fx.why == mqtt::mqtt_errc::bad_remaining_length);
}

TEST_CASE("MQTT 5: user properties in CONNECT, in the order given") {
    script s;
    s.begin({.protocol = mqtt::protocol_level::v5, .client_id = "d1", .keep_alive = 30s, .max_packet_bytes = 131072,
             .user_properties = {{"site", "a1"}}});
    CHECK(s.sent() == bytes({0x10, 0x1f,                                // CONNECT, remaining length 31
                             0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05,      // protocol name, level 5
                             0x02,                                      // clean start
                             0x00, 0x1e,                                // keep-alive 30 s
                             0x10,                                      // property length 16
                             0x27, 0x00, 0x02, 0x00, 0x00,              //   maximum packet size 131072
                             0x26, 0x00, 0x04, 's', 'i', 't', 'e',      //   user property: name "site"
                             0x00, 0x02, 'a', '1',                      //                  value "a1"
                             0x00, 0x02, 'd', '1'}));                   // client id
}

TEST_CASE("MQTT 5: the server's Topic Alias Maximum and Receive Maximum bound what publish() sends") {
    script s;
    s.begin({.protocol = mqtt::protocol_level::v5, .client_id = "d1", .keep_alive = 60s});
    s.sent();
    CHECK(s.m.server_topic_alias_maximum() == 0);
    s.server_sends(bytes({0x20, 0x09, 0x00, 0x00, 0x06,  // CONNACK accepted, property length 6
                          0x22, 0x00, 0x08,              //   topic alias maximum 8
                          0x21, 0x00, 0x02}));           //   receive maximum 2
    s.m.release(s.now, s.fx);
    CHECK(s.m.server_topic_alias_maximum() == 8);
    CHECK(s.m.server_receive_maximum() == 2);

    mqtt::property_builder alias1, alias9;
    alias1.add(mqtt::property_id::topic_alias, 1);
    alias9.add(mqtt::property_id::topic_alias, 9);
    const auto q1 = mqtt::qos::at_least_once;
    REQUIRE(s.m.publish({.topic = "t", .payload = mqtt::as_bytes("x"), .qos = q1, .properties = alias1.view()}, s.now, s.fx));
    REQUIRE(s.m.publish({.topic = "", .payload = mqtt::as_bytes("y"), .qos = q1, .properties = alias1.view()}, s.now, s.fx));
    CHECK(s.sent() == bytes({0x32, 0x0a, 0x00, 0x01, 't', 0x00, 0x01,  // PUBLISH "t", id 1
                             0x03, 0x23, 0x00, 0x01, 'x',              //   topic alias 1 set
                             0x32, 0x09, 0x00, 0x00, 0x00, 0x02,       // PUBLISH "" (the alias), id 2
                             0x03, 0x23, 0x00, 0x01, 'y'}));           //   topic alias 1 used
    // Two unacknowledged: the server's Receive Maximum. QoS 0 is not counted.
    CHECK(s.m.publish({.topic = "t", .payload = mqtt::as_bytes("z"), .qos = q1}, s.now, s.fx).error() ==
          client_errc::too_many_in_flight);
    CHECK(s.m.publish({.topic = "t", .payload = mqtt::as_bytes("z")}, s.now, s.fx));
    CHECK(s.m.publish({.topic = "t", .payload = mqtt::as_bytes("z"), .properties = alias9.view()}, s.now, s.fx).error() ==
          mqtt::mqtt_errc::topic_alias_above_maximum);
    s.sent();
    s.server_sends(bytes({0x40, 0x02, 0x00, 0x01}));  // PUBACK 1 (reason code omitted: success)
    CHECK(s.m.publish({.topic = "t", .payload = mqtt::as_bytes("z"), .qos = q1}, s.now, s.fx));
}

TEST_CASE("MQTT 5 CONNECT to a 3.1.1 server: its CONNACK 1 is refused_protocol_version, not a malformed packet") {
    script s;
    s.begin({.protocol = mqtt::protocol_level::v5, .client_id = "d1"});
    s.sent();
    s.server_sends(bytes({0x20, 0x02, 0x00, 0x01}));  // 3.1.1 CONNACK: unacceptable protocol version
    CHECK(s.take_events() == std::vector<std::string>{"connack CONNACK 1: unacceptable protocol version"});
    CHECK(s.fx.why == client_errc::refused_protocol_version);
}

TEST_CASE("MQTT 3.1.1: no server limits from CONNACK; a Topic Alias cannot be sent") {
    script s;
    s.connect();
    CHECK(s.m.server_topic_alias_maximum() == 0);
    CHECK(s.m.server_receive_maximum() == 65535);
}

TEST_CASE("MQTT 5: a PUBLISH over the server's Maximum Packet Size is refused locally, nothing sent") {
    script s;
    s.begin({.protocol = mqtt::protocol_level::v5, .client_id = "d1", .keep_alive = 60s});
    s.sent();
    CHECK(s.m.server_maximum_packet_size() == 0);
    s.server_sends(bytes({0x20, 0x08, 0x00, 0x00, 0x05,     // CONNACK accepted, property length 5
                          0x27, 0x00, 0x00, 0x00, 0x10}));  //   maximum packet size 16
    s.m.release(s.now, s.fx);
    CHECK(s.m.server_maximum_packet_size() == 16);
    const auto q1 = mqtt::qos::at_least_once;
    // PUBLISH QoS 1 "t" id 1: fixed header 2 + topic 3 + id 2 + property length 1 + payload 8 = 16.
    REQUIRE(s.m.publish({.topic = "t", .payload = mqtt::as_bytes("12345678"), .qos = q1}, s.now, s.fx));
    CHECK(s.sent() == bytes({0x32, 0x0e, 0x00, 0x01, 't', 0x00, 0x01, 0x00, '1', '2', '3', '4', '5', '6', '7', '8'}));
    // One byte more: 17 bytes, refused with a clear error, not sent, no packet id used up.
    const auto r = s.m.publish({.topic = "t", .payload = mqtt::as_bytes("123456789"), .qos = q1}, s.now, s.fx);
    REQUIRE_FALSE(r);
    CHECK(r.error() == client_errc::packet_too_large);
    CHECK(r.error().message().find("Maximum Packet Size") != std::string::npos);
    CHECK(s.sent().empty());
    CHECK(s.m.in_flight() == 1);
    CHECK(s.m.publish({.topic = "t", .payload = mqtt::as_bytes("9"), .qos = q1}, s.now, s.fx).value() == 2);
}
