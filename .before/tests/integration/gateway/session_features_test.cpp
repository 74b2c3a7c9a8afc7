// Session behaviour against the real gateway over TLS on 127.0.0.1: packets pipelined behind
// CONNECT in one write, AWS's 1 CONNECT/s per client id, and stop() as a server-initiated
// disconnect (the Will is published, stop() stays prompt).
#include <doctest/doctest.h>

#include "gateway_fixture.hpp"
#include "mqtt/mqtt.hpp"
#include "fixture_client.hpp"
#include "test_device.hpp"

using namespace std::chrono_literals;
using namespace wv::test;
namespace mqtt = wv::mqtt;

namespace {

void append(std::vector<std::byte>& out, const mqtt::byte_buffer& b) { out.insert(out.end(), b.begin(), b.end()); }

// The packet types in a byte stream from the server.
std::vector<mqtt::packet_type> packet_types(const std::vector<std::byte>& in) {
    std::vector<mqtt::packet_type> out;
    std::span<const std::byte> rest(in);
    while (!rest.empty()) {
        const auto r = mqtt::read_frame(rest);
        const auto* f = std::get_if<mqtt::frame>(&r);
        if (!f) break;
        out.push_back(f->type);
        rest = rest.subspan(f->consumed);
    }
    return out;
}

}  // namespace

TEST_CASE("CONNECT + PUBLISH + SUBSCRIBE + DISCONNECT in one write: all answered, in order, after CONNACK") {
    gateway_fixture g;
    device watcher(ep(g), login("watcher"));
    REQUIRE_FALSE(watcher.connect_error());
    REQUIRE_FALSE(watcher.subscribe("wv/raw/#"));

    std::vector<std::byte> all;
    mqtt::connect c;
    c.client_id = "raw1";
    c.keep_alive_s = 60;
    c.user_name = "dev1?x-amz-customauthorizer-name=auth";
    const std::string pw = "pw1";
    c.password = mqtt::as_bytes(pw);
    append(all, mqtt::encode_to_bytes(c));
    const std::string payload = "pipelined";
    append(all, mqtt::encode_to_bytes(mqtt::publish{.topic = "wv/raw/x", .payload = mqtt::as_bytes(payload),
                                                    .qos = mqtt::qos::at_least_once, .retain = false, .packet_id = 5}));
    mqtt::subscribe s;
    s.packet_id = 6;
    s.subscriptions = {{"wv/raw/cmd", mqtt::qos::at_least_once}};
    append(all, mqtt::encode_to_bytes(s));
    append(all, mqtt::encode_to_bytes(mqtt::disconnect{}));

    raw_session raw(ep(g));
    REQUIRE_FALSE(raw.connect_error());
    REQUIRE_FALSE(raw.send(all));
    std::vector<std::byte> got;
    REQUIRE(raw.wait_closed(10s, &got));  // the DISCONNECT at the end closes it once all is answered
    using t = mqtt::packet_type;
    CHECK(packet_types(got) == std::vector{t::connack, t::puback, t::suback});
    const auto msgs = watcher.messages(1);
    REQUIRE(msgs.size() == 1);
    CHECK(msgs[0] == std::pair<std::string, std::string>{"wv/raw/x", "pipelined"});
}

TEST_CASE("a second CONNECT for a client id within a second is throttled; the first connection carries on") {
    gateway_fixture g;
    device first(ep(g), login("same-id"));
    REQUIRE_FALSE(first.connect_error());
    device second(ep(g), login("same-id"));
    CHECK(second.connect_error());
    CHECK(g.wait_for_log({R"("reason":"THROTTLED")", "same-id"}));
    CHECK(g.gw->stats().connects_throttled == 1);
    CHECK_FALSE(first.publish("wv/same-id/x", "still here"));
    CHECK_FALSE(first.wait_end(100ms));
}

TEST_CASE("limits.connects_per_s_per_client_id 0 switches the throttle off: an immediate takeover works") {
    gateway_fixture g([](wv::gate::gateway_config& c) { c.limits.connects_per_s_per_client_id = 0; });
    device first(ep(g), login("same-id"));
    REQUIRE_FALSE(first.connect_error());
    device second(ep(g), login("same-id"));
    CHECK_FALSE(second.connect_error());
    CHECK(first.wait_end(10s));  // taken over: DUPLICATE_CLIENTID
    CHECK(g.gw->stats().connects_throttled == 0);
}

TEST_CASE("stop() is a server-initiated disconnect: Will and lifecycle event published, and it is prompt") {
    gateway_fixture g;
    auto s = login("willing");
    s.will = wv::client::will_message{.topic = "wv/willing/will", .payload = "gateway stopped",
                                      .qos = mqtt::qos::at_least_once, .retain = true};
    device d(ep(g), s);
    REQUIRE_FALSE(d.connect_error());
    const auto t0 = std::chrono::steady_clock::now();
    g.gw->stop();
    const auto took = std::chrono::steady_clock::now() - t0;
    CHECK(d.wait_end(10s));
    CHECK(g.wait_for_log({R"("eventType":"Disconnect")", "SERVER_INITIATED_DISCONNECT", "willing"}));
    CHECK(g.wait_for_log({"Will published (SERVER_INITIATED_DISCONNECT)", "wv/willing/will"}));
    // Not a timing assertion on speed: a bound far above the 2 s patience, to catch a hang.
    CHECK(took < 30s);
    CHECK(g.gw->stats().disconnects == 1);
}
