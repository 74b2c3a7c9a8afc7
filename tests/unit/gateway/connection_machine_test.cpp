// The connection machine on virtual time with scripted peers: AWS's per-connection rules.
#include <doctest/doctest.h>

#include "gateway/gateway.hpp"
#include "machine_harness.hpp"

using namespace wv;
using namespace wv::test;
using gate::connection_machine;
using gate::disconnect_reason;

namespace {

mqtt::connack connack_of(const std::vector<sent_packet>& s) {
    for (const auto& p : s)
        if (p.type == mqtt::packet_type::connack) return std::get<mqtt::connack>(p.decoded());
    FAIL("no CONNACK");
    return {};
}

// Owned copies: decoded packets view the bytes they came from.
struct pub {
    std::string topic;
    std::string payload;
    mqtt::qos qos;
    bool retain;
    std::uint16_t packet_id;
};

std::vector<pub> publishes(const std::vector<sent_packet>& s, std::vector<std::string>& keep_topics) {
    std::vector<pub> out;
    for (const auto& p : s)
        if (p.type == mqtt::packet_type::publish) {
            auto pk = std::get<mqtt::publish>(p.decoded());
            keep_topics.emplace_back(pk.topic);
            out.push_back({std::string(pk.topic), std::string(mqtt::as_chars(pk.payload)), pk.qos, pk.retain,
                           pk.packet_id});
        }
    return out;
}

std::size_t count(const std::vector<sent_packet>& s, mqtt::packet_type t) {
    std::size_t n = 0;
    for (const auto& p : s) n += p.type == t;
    return n;
}

}  // namespace

TEST_CASE("CONNECT with the right credentials: the authorizer is called, CONNACK 0 follows") {
    harness h;
    auto p = h.make_peer();
    p->connect("d1");
    REQUIRE(p->auth_events.size() == 1);
    const auto ev = nlohmann::json::parse(p->auth_events[0]);
    CHECK(ev["protocolData"]["mqtt"]["clientId"] == "d1");
    CHECK(ev["protocolData"]["mqtt"]["username"] == "dev1");
    CHECK(ev["protocolData"]["mqtt"]["password"] == "cHcx");  // base64("pw1")
    CHECK(ev["protocolData"]["tls"]["serverName"] == "localhost");
    CHECK(ev["connectionMetadata"]["id"] == "conn-p");
    const auto s = p->take_sent();
    CHECK(connack_of(s).code == mqtt::connack_code::accepted);
    CHECK_FALSE(connack_of(s).session_present);
    CHECK(p->machine->current_state() == connection_machine::state::connected);
    CHECK(h.stats.connects_accepted == 1);
}

TEST_CASE("a silent client is dropped after 1.5 x keep-alive") {
    harness h;
    auto p = h.make_peer();
    p->connect("d1", 40);
    CHECK(p->take_sent().size() == 1);
    h.advance(59s);
    p->tick();
    CHECK_FALSE(p->closed);
    h.advance(2s);
    p->tick();
    REQUIRE(p->closed);
    CHECK(p->closed->reason == disconnect_reason::mqtt_keep_alive_timeout);
}

TEST_CASE("keep-alive is clamped as AWS does: under 30 s -> 30 s, 0 and over 1,200 s -> 1,200 s") {
    harness h;
    auto a = h.make_peer("a");
    a->connect("a", 10);
    CHECK(a->machine->keep_alive() == 30s);
    auto b = h.make_peer("b");
    b->connect("b", 0);
    CHECK(b->machine->keep_alive() == 1200s);
    auto c = h.make_peer("c");
    c->connect("c", 5000);
    CHECK(c->machine->keep_alive() == 1200s);
    h.advance(44s);
    a->tick();
    CHECK_FALSE(a->closed);
    h.advance(2s);
    a->tick();
    CHECK(a->closed);
}

TEST_CASE("any packet resets the keep-alive timer") {
    harness h;
    auto p = h.make_peer();
    p->connect("d1", 30);
    for (int i = 0; i < 5; ++i) {
        h.advance(40s);
        p->send(mqtt::encode_to_bytes(mqtt::pingreq{}));
        p->tick();
        CHECK_FALSE(p->closed);
    }
    CHECK(count(p->take_sent(), mqtt::packet_type::pingresp) == 5);
}

TEST_CASE("client-id takeover: the first connection is dropped with DUPLICATE_CLIENTID and its Will fires") {
    harness h;
    auto watcher = h.make_peer("w");
    watcher->connect("watcher");
    watcher->subscribe("wv/will");
    watcher->take_sent();
    auto first = h.make_peer("first");
    first->connect("d1", 60, true, mqtt::last_will{.topic = "wv/will", .message = mqtt::as_bytes("bye")});
    auto second = h.make_peer("second");
    second->connect("d1");
    first->pump();
    REQUIRE(first->closed);
    CHECK(first->closed->reason == disconnect_reason::duplicate_clientid);
    CHECK_FALSE(second->closed);
    watcher->pump();
    std::vector<std::string> topics;
    const auto pubs = publishes(watcher->take_sent(), topics);
    REQUIRE(pubs.size() == 1);
    CHECK(pubs[0].topic == "wv/will");
    // The new connection owns the session: publishing still works.
    second->publish("wv/d1/x", "after");
    CHECK_FALSE(second->closed);
}

TEST_CASE("the Will is published on an abrupt close, not after DISCONNECT") {
    harness h;
    auto watcher = h.make_peer("w");
    watcher->connect("watcher");
    watcher->subscribe("wv/+/will", mqtt::qos::at_least_once);
    watcher->take_sent();

    auto a = h.make_peer("a");
    a->connect(
        "a", 60, true,
        mqtt::last_will{
            .topic = "wv/a/will", .message = mqtt::as_bytes("a died"), .qos = mqtt::qos::at_least_once});
    a->transport_closed();
    auto b = h.make_peer("b");
    b->connect("b", 60, true, mqtt::last_will{.topic = "wv/b/will", .message = mqtt::as_bytes("b died")});
    b->send(mqtt::encode_to_bytes(mqtt::disconnect{}));
    REQUIRE(b->closed);
    CHECK(b->closed->reason == disconnect_reason::client_initiated_disconnect);

    watcher->pump();
    std::vector<std::string> topics;
    const auto pubs = publishes(watcher->take_sent(), topics);
    REQUIRE(pubs.size() == 1);
    CHECK(topics[0] == "wv/a/will");
    CHECK(pubs[0].payload == "a died");
    CHECK(pubs[0].qos == mqtt::qos::at_least_once);
}

TEST_CASE("QoS 2 anywhere closes the connection") {
    harness h;
    SUBCASE("PUBLISH") {
        auto p = h.make_peer();
        p->connect("d1");
        p->publish("wv/d1/x", "x", mqtt::qos::exactly_once);
        REQUIRE(p->closed);
        CHECK(p->closed->reason == disconnect_reason::client_error);
    }
    SUBCASE("SUBSCRIBE") {
        auto p = h.make_peer();
        p->connect("d1");
        p->subscribe("wv/#", mqtt::qos::exactly_once);
        REQUIRE(p->closed);
        CHECK(p->closed->reason == disconnect_reason::client_error);
    }
    SUBCASE("Will") {
        auto p = h.make_peer();
        p->connect("d1", 60, true,
                   mqtt::last_will{.topic = "wv/w", .message = {}, .qos = mqtt::qos::exactly_once});
        REQUIRE(p->closed);
        CHECK_FALSE(p->has_connack());
    }
}

TEST_CASE("policy: a publish or subscribe outside the policy disconnects; receive is silently skipped") {
    harness h;
    auto p = h.make_peer();
    p->connect("d1");
    p->take_sent();
    SUBCASE("publish") {
        p->publish("other/x", "x");
        REQUIRE(p->closed);
        CHECK(p->closed->reason == disconnect_reason::auth_error);
        CHECK(count(p->take_sent(), mqtt::packet_type::puback) == 0);
        CHECK(h.stats.policy_denials == 1);
    }
    SUBCASE("subscribe") {
        p->subscribe("other/#");
        REQUIRE(p->closed);
        CHECK(p->closed->reason == disconnect_reason::auth_error);
        CHECK(count(p->take_sent(), mqtt::packet_type::suback) == 0);
    }
    SUBCASE("receive") {
        // A policy allowing subscribe to wv/# but receive only under wv/ok/.
        auto q = h.make_peer("q");
        nlohmann::json reply = {
            {"isAuthenticated", true},
            {"principalId", "q"},
            {"policyDocuments",
             {R"({"Version":"2012-10-17","Statement":[)"
              R"({"Effect":"Allow","Action":["iot:Connect","iot:Subscribe","iot:Publish"],"Resource":"*"},)"
              R"({"Effect":"Allow","Action":"iot:Receive","Resource":"arn:aws:iot:*:*:topic/wv/ok/*"}]})"}}};
        q->auth_body = reply.dump();
        q->connect("q");
        q->subscribe("wv/#");
        q->take_sent();
        p->publish("wv/ok/1", "yes");
        p->publish("wv/no/1", "no", mqtt::qos::at_least_once, false, 2);
        q->pump();
        std::vector<std::string> topics;
        const auto pubs = publishes(q->take_sent(), topics);
        REQUIRE(pubs.size() == 1);
        CHECK(topics[0] == "wv/ok/1");
        CHECK_FALSE(q->closed);
    }
}

TEST_CASE("iot:Connect denied: closed without CONNACK") {
    harness h;
    auto p = h.make_peer();
    nlohmann::json reply = {
        {"isAuthenticated", true},
        {"principalId", "x"},
        {"policyDocuments",
         {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"arn:aws:iot:*:*:client/${iot:ClientId}-ok"}]})"}}};
    p->auth_body = reply.dump();
    p->connect("d1");
    REQUIRE(p->closed);
    CHECK(p->closed->reason == disconnect_reason::auth_error);
    CHECK_FALSE(p->has_connack());
    CHECK(h.stats.connects_denied == 1);
}

TEST_CASE("a second CONNECT closes the connection") {
    harness h;
    auto p = h.make_peer();
    p->connect("d1");
    p->connect("d1");
    REQUIRE(p->closed);
    CHECK(p->closed->reason == disconnect_reason::client_error);
    CHECK(h.log_text().find("second CONNECT") != std::string::npos);
}

TEST_CASE("the first packet must be CONNECT; no CONNECT within the deadline closes") {
    harness h;
    SUBCASE("PINGREQ first") {
        auto p = h.make_peer();
        p->send(mqtt::encode_to_bytes(mqtt::pingreq{}));
        REQUIRE(p->closed);
        CHECK(p->take_sent().empty());
    }
    SUBCASE("silence") {
        auto p = h.make_peer();
        h.advance(9s);
        p->tick();
        CHECK_FALSE(p->closed);
        h.advance(2s);
        p->tick();
        REQUIRE(p->closed);
        CHECK(h.stats.connects_protocol_error == 1);
    }
    SUBCASE("garbage") {
        auto p = h.make_peer();
        p->send({std::byte{0x10}, std::byte{0xff}, std::byte{0xff}, std::byte{0xff}, std::byte{0xff},
                 std::byte{0x01}});
        REQUIRE(p->closed);
        CHECK(p->closed->detail.find("malformed") != std::string::npos);
    }
    SUBCASE("MQTT 3.1 (level 3): CONNACK 1 then close, as 3.1.1 requires") {
        auto p = h.make_peer();
        mqtt::connect c;
        c.protocol_name = "MQIsdp";
        c.protocol_level = 3;
        c.client_id = "old";
        p->send(mqtt::encode_to_bytes(c));
        REQUIRE(p->closed);
        CHECK(connack_of(p->take_sent()).code == mqtt::connack_code::unacceptable_protocol_version);
    }
}

TEST_CASE("an authorizer that never answers: closed without CONNACK at the backstop deadline") {
    harness h;
    auto p = h.make_peer();
    p->auth_body = "";  // hold
    p->connect("d1");
    CHECK(p->machine->current_state() == connection_machine::state::authenticating);
    h.advance(12s);
    p->tick();
    REQUIRE(p->closed);
    CHECK(p->closed->reason == disconnect_reason::auth_error);
    CHECK_FALSE(p->has_connack());
}

TEST_CASE("size limits: client id, topic bytes and slashes, payload, filters per SUBSCRIBE") {
    harness h;
    SUBCASE("client id of 129 bytes") {
        auto p = h.make_peer();
        p->connect(std::string(129, 'c'));
        REQUIRE(p->closed);
        CHECK_FALSE(p->has_connack());
    }
    SUBCASE("8 slashes") {
        auto p = h.make_peer();
        p->connect("d1");
        p->publish("wv/1/2/3/4/5/6/7/8", "x");
        REQUIRE(p->closed);
        CHECK(p->closed->reason == disconnect_reason::client_error);
    }
    SUBCASE("7 slashes are fine") {
        auto p = h.make_peer();
        p->connect("d1");
        p->publish("wv/1/2/3/4/5/6/7", "x");
        CHECK_FALSE(p->closed);
    }
    SUBCASE("payload over 128 KiB") {
        auto p = h.make_peer();
        p->connect("d1");
        p->publish("wv/d1", std::string(128 * 1024 + 1, 'x'));
        REQUIRE(p->closed);
        CHECK(p->closed->reason == disconnect_reason::client_error);
    }
    SUBCASE("9 filters in one SUBSCRIBE") {
        auto p = h.make_peer();
        p->connect("d1");
        mqtt::subscribe s;
        s.packet_id = 1;
        std::vector<std::string> names;
        for (int i = 0; i < 9; ++i) names.push_back("wv/" + std::to_string(i));
        for (const auto& n : names) s.subscriptions.push_back({n, mqtt::qos::at_most_once});
        p->send(mqtt::encode_to_bytes(s));
        REQUIRE(p->closed);
    }
    SUBCASE("reserved $aws topics") {
        auto p = h.make_peer();
        h.config.authorizers[0].name = "auth";
        p->auth_body = nlohmann::json{{"isAuthenticated", true},
                                      {"principalId", "x"},
                                      {"policyDocuments", {gate::allow_all_policy()}}}
                           .dump();
        p->connect("d1");
        p->publish("$aws/events/presence/connected/d1", "fake");
        REQUIRE(p->closed);
        CHECK(p->closed->detail.find("reserved") != std::string::npos);
    }
}

TEST_CASE(
    "retained: stored, sent with RETAIN=1 to a new exact subscriber only, deleted by an empty payload") {
    harness h;
    auto pub = h.make_peer("pub");
    pub->connect("pub");
    pub->publish("wv/r/a", "kept", mqtt::qos::at_least_once, true);
    auto exact = h.make_peer("exact");
    exact->connect("exact");
    exact->subscribe("wv/r/a");
    std::vector<std::string> topics;
    auto pubs = publishes(exact->take_sent(), topics);
    REQUIRE(pubs.size() == 1);
    CHECK(pubs[0].retain);
    auto wild = h.make_peer("wild");
    wild->connect("wild");
    wild->subscribe("wv/r/#");
    CHECK(publishes(wild->take_sent(), topics).empty());
    // A live message to a subscriber has RETAIN=0 (AWS: only messages sent on subscribe have it).
    pub->publish("wv/r/a", "new", mqtt::qos::at_least_once, true, 2);
    exact->pump();
    pubs = publishes(exact->take_sent(), topics);
    REQUIRE(pubs.size() == 1);
    CHECK_FALSE(pubs[0].retain);
    pub->publish("wv/r/a", "", mqtt::qos::at_least_once, true, 3);
    auto late = h.make_peer("late");
    late->connect("late");
    late->subscribe("wv/r/a");
    CHECK(publishes(late->take_sent(), topics).empty());
}

TEST_CASE("persistent session: subscriptions and QoS 1 messages survive a reconnect") {
    harness h;
    auto a = h.make_peer("a1");
    a->connect("dev", 60, false);
    CHECK_FALSE(connack_of(a->take_sent()).session_present);
    a->subscribe("wv/p/#");
    a->send(mqtt::encode_to_bytes(mqtt::disconnect{}));
    auto pub = h.make_peer("pub");
    pub->connect("pub");
    pub->publish("wv/p/1", "while away");
    auto b = h.make_peer("a2");
    b->connect("dev", 60, false);
    const auto s = b->take_sent();
    CHECK(connack_of(s).session_present);
    std::vector<std::string> topics;
    CHECK(publishes(s, topics).size() == 1);
}

namespace {
// A subscriber on wv/# that acks nothing, and 150 QoS 1 publishes to it (payloads "0".."149").
std::shared_ptr<peer> flood_a_slow_subscriber(harness& h) {
    auto sub = h.make_peer("sub");
    sub->connect("sub");
    sub->subscribe("wv/#");
    sub->take_sent();
    h.config.limits.publish_rate_per_s = 0;
    auto pub = h.make_peer("pub");
    pub->connect("pub");
    for (int i = 0; i < 150; ++i)
        pub->publish("wv/x", std::to_string(i), mqtt::qos::at_least_once, false,
                     static_cast<std::uint16_t>(i + 1));
    sub->pump();
    return sub;
}
}  // namespace

TEST_CASE("slow subscriber: past 100 unacknowledged QoS 1, deliveries wait for PUBACKs, in order") {
    harness h;
    auto sub = flood_a_slow_subscriber(h);
    std::vector<std::string> topics;
    auto first = publishes(sub->take_sent(), topics);
    REQUIRE(first.size() == 100);
    CHECK(sub->machine->inflight() == 100);
    CHECK(h.stats.messages_dropped == 0);
    // Each PUBACK opens the window for the next waiting message, oldest first.
    for (int i = 0; i < 30; ++i)
        sub->send(mqtt::encode_to_bytes(mqtt::puback{.packet_id = first[i].packet_id}));
    auto next = publishes(sub->take_sent(), topics);
    REQUIRE(next.size() == 30);
    CHECK(next.front().payload == "100");
    CHECK(next.back().payload == "129");
    CHECK(sub->machine->inflight() == 100);
}

TEST_CASE(
    "slow subscriber: waiting deliveries are bounded by max_outbox_bytes; beyond, dropped and counted") {
    harness h;
    // Room for ten waiting messages: 64 bytes of bookkeeping, "wv/x", a 3-digit payload.
    h.config.limits.max_outbox_bytes = 10 * (64 + 4 + 3);
    auto sub = flood_a_slow_subscriber(h);
    std::vector<std::string> topics;
    CHECK(publishes(sub->take_sent(), topics).size() == 100);
    CHECK(h.stats.messages_dropped == 40);
}

TEST_CASE("publish quota: beyond the per-connection rate, publishes are discarded without PUBACK") {
    harness h;
    h.config.limits.publish_rate_per_s = 10;
    auto p = h.make_peer();
    p->connect("d1");
    p->take_sent();
    for (int i = 0; i < 15; ++i)
        p->publish("wv/d1", "x", mqtt::qos::at_least_once, false, static_cast<std::uint16_t>(i + 1));
    CHECK(count(p->take_sent(), mqtt::packet_type::puback) == 10);
    h.advance(1s);
    p->publish("wv/d1", "x", mqtt::qos::at_least_once, false, 99);
    CHECK(count(p->take_sent(), mqtt::packet_type::puback) == 1);
    CHECK_FALSE(p->closed);
}

TEST_CASE("refreshAfterInSeconds re-invokes the authorizer; disconnectAfterInSeconds ends the connection") {
    harness h;
    h.config.time_scale = 100;  // 600 s refresh -> 6 s; 3600 s lifetime -> 36 s
    auto p = h.make_peer();
    p->connect("d1", 1200);
    REQUIRE(p->auth_events.size() == 1);
    h.advance(6100ms);
    p->tick();
    CHECK(p->auth_events.size() == 2);
    CHECK_FALSE(p->closed);
    h.advance(30s);
    p->tick();
    REQUIRE(p->closed);
    CHECK(p->closed->reason == disconnect_reason::customauth_ttl_expiration);
}

TEST_CASE("a refresh that denies disconnects") {
    harness h;
    h.config.time_scale = 100;
    auto p = h.make_peer();
    p->connect("d1", 1200);
    p->auth_body =
        R"({"isAuthenticated":false,"principalId":"x","policyDocuments":[],"disconnectAfterInSeconds":300,"refreshAfterInSeconds":300})";
    h.advance(6100ms);
    p->tick();
    REQUIRE(p->closed);
    CHECK(p->closed->reason == disconnect_reason::auth_error);
}

TEST_CASE("lifecycle events go to $aws/events/presence with the disconnect reason") {
    harness h;
    auto mon = h.make_peer("mon");
    mon->auth_body = nlohmann::json{{"isAuthenticated", true},
                                    {"principalId", "mon"},
                                    {"policyDocuments", {gate::allow_all_policy()}}}
                         .dump();
    mon->connect("mon");
    mon->subscribe("$aws/events/presence/+/d1");
    mon->take_sent();
    auto p = h.make_peer();
    p->connect("d1", 30);
    h.advance(46s);
    p->tick();
    mon->pump();
    std::vector<std::string> topics;
    const auto pubs = publishes(mon->take_sent(), topics);
    REQUIRE(pubs.size() == 2);
    CHECK(topics[0] == "$aws/events/presence/connected/d1");
    CHECK(topics[1] == "$aws/events/presence/disconnected/d1");
    const auto ev = nlohmann::json::parse(pubs[1].payload);
    CHECK(ev["disconnectReason"] == "MQTT_KEEP_ALIVE_TIMEOUT");
    CHECK(ev["clientInitiatedDisconnect"] == false);
    CHECK(ev["principalIdentifier"] == "dev1");
    CHECK(ev["sessionIdentifier"] == "conn-p");
}
