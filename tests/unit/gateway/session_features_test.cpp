// The connection machine on virtual time: packets pipelined behind CONNECT, AWS's 1 CONNECT/s
// per client id, unacknowledged QoS 1 resent on resume, the Will on a gateway shutdown, and
// the subscribe/unsubscribe lifecycle events.
#include <doctest/doctest.h>

#include "gateway/connect_throttle.hpp"
#include "gateway/gateway.hpp"
#include "machine_harness.hpp"

using namespace wv;
using namespace wv::test;
using gate::connection_machine;
using gate::disconnect_reason;

namespace {

std::vector<mqtt::packet_type> types(const std::vector<sent_packet>& s) {
    std::vector<mqtt::packet_type> out;
    for (const auto& p : s) out.push_back(p.type);
    return out;
}

// Owned copies of the PUBLISHes sent (decoded packets view their bytes).
std::vector<std::pair<std::string, std::string>> publishes(const std::vector<sent_packet>& s) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& p : s)
        if (p.type == mqtt::packet_type::publish) {
            const auto pk = std::get<mqtt::publish>(p.decoded());
            out.emplace_back(std::string(pk.topic), std::string(mqtt::as_chars(pk.payload)));
        }
    return out;
}

mqtt::byte_buffer connect_bytes(const std::string& id, bool clean = true) {
    mqtt::connect c;
    c.client_id = id;
    c.keep_alive_s = 60;
    c.clean_session = clean;
    c.user_name = "dev1";
    c.password = mqtt::as_bytes(std::string_view("pw1"));
    return mqtt::encode_to_bytes(c);
}

mqtt::byte_buffer publish_bytes(const std::string& topic, const std::string& payload, std::uint16_t id) {
    mqtt::publish p;
    p.topic = topic;
    p.payload = mqtt::as_bytes(payload);
    p.qos = mqtt::qos::at_least_once;
    p.packet_id = id;
    return mqtt::encode_to_bytes(p);
}

mqtt::byte_buffer subscribe_bytes(const std::string& filter, std::uint16_t id) {
    mqtt::subscribe s;
    s.packet_id = id;
    s.subscriptions = {{filter, mqtt::qos::at_least_once}};
    return mqtt::encode_to_bytes(s);
}

std::string allow_all_reply(const std::string& principal) {
    return nlohmann::json{{"isAuthenticated", true}, {"principalId", principal},
                          {"policyDocuments", {gate::allow_all_policy()}}}
        .dump();
}

}  // namespace

TEST_CASE("packets pipelined behind CONNECT wait for the authorizer, then are answered in order after CONNACK") {
    harness h;
    auto watcher = h.make_peer("w");
    watcher->connect("watcher");
    watcher->subscribe("wv/#");
    watcher->take_sent();

    auto p = h.make_peer();
    p->auth_body = "";  // hold the authorizer's answer
    auto all = connect_bytes("d1");
    for (const auto& b : {publish_bytes("wv/d1/a", "first", 7), subscribe_bytes("wv/d1/cmd", 8),
                          publish_bytes("wv/d1/b", "second", 9)})
        all.insert(all.end(), b.begin(), b.end());
    p->send(all);  // one write: CONNECT + PUBLISH + SUBSCRIBE + PUBLISH
    CHECK(p->take_sent().empty());
    CHECK(p->machine->current_state() == connection_machine::state::authenticating);

    p->answer_auth(h.good_reply());
    const auto s = p->take_sent();
    using t = mqtt::packet_type;
    CHECK(types(s) == std::vector{t::connack, t::puback, t::suback, t::puback});
    CHECK(std::get<mqtt::puback>(s[1].decoded()).packet_id == 7);
    CHECK(std::get<mqtt::suback>(s[2].decoded()).packet_id == 8);
    CHECK(std::get<mqtt::puback>(s[3].decoded()).packet_id == 9);
    watcher->pump();
    const auto got = publishes(watcher->take_sent());
    REQUIRE(got.size() == 2);
    CHECK(got[0].second == "first");
    CHECK(got[1].second == "second");
}

TEST_CASE("pipelined packets are dropped with the connection when the authorizer denies") {
    harness h;
    auto watcher = h.make_peer("w");
    watcher->connect("watcher");
    watcher->subscribe("wv/#");
    watcher->take_sent();
    auto p = h.make_peer();
    p->auth_body = "";
    auto all = connect_bytes("d1");
    const auto pub = publish_bytes("wv/d1/a", "never", 7);
    all.insert(all.end(), pub.begin(), pub.end());
    p->send(all);
    p->answer_auth(R"({"isAuthenticated":false,"principalId":"x","policyDocuments":[]})");
    CHECK(p->take_sent().empty());  // no CONNACK, no PUBACK
    REQUIRE(p->closed);
    CHECK(p->closed->reason == disconnect_reason::auth_error);
    watcher->pump();
    CHECK(watcher->take_sent().empty());
}

TEST_CASE("more than one maximum-size packet's worth behind CONNECT before CONNACK closes, with a log line") {
    harness h;
    auto p = h.make_peer();
    p->auth_body = "";
    p->send(connect_bytes("d1"));
    const std::string big(100 * 1024, 'x');
    p->send(publish_bytes("wv/d1/a", big, 1));
    CHECK_FALSE(p->closed);  // one big packet may wait
    p->send(publish_bytes("wv/d1/b", big, 2));
    REQUIRE(p->closed);
    CHECK(p->closed->reason == disconnect_reason::client_error);
    CHECK(h.log_text().find("before CONNACK") != std::string::npos);
    CHECK(h.log_text().find(R"("reason":"CLIENT_ERROR")") != std::string::npos);
}

TEST_CASE("connect throttle: one CONNECT per second per client id; only admitted ones start an interval") {
    gate::connect_throttle t(1.0);
    const gate::connect_throttle::time_point t0{std::chrono::hours(1)};
    CHECK(t.admit("a", t0));
    CHECK(t.admit("b", t0));                 // per client id
    CHECK_FALSE(t.admit("a", t0 + 999ms));
    CHECK(t.admit("a", t0 + 1000ms));
    CHECK_FALSE(t.admit("a", t0 + 1300ms));
    CHECK_FALSE(t.admit("a", t0 + 1600ms));  // throttled attempts do not push the window
    CHECK(t.admit("a", t0 + 2000ms));
    gate::connect_throttle off(0);
    CHECK(off.admit("a", t0));
    CHECK(off.admit("a", t0));
    // Old entries are swept: memory follows the connect rate, not every id ever seen.
    for (int i = 0; i < 5000; ++i) (void)t.admit("id" + std::to_string(i), t0 + std::chrono::seconds(10 + i));
    CHECK(t.tracked() < 2100);
}

TEST_CASE("a second CONNECT for a client id within a second is closed without CONNACK (THROTTLED)") {
    harness h;
    gate::connect_throttle throttle(1.0);
    h.throttle = &throttle;
    auto first = h.make_peer("first");
    first->connect("d1");
    CHECK(first->has_connack());
    h.advance(500ms);
    auto second = h.make_peer("second");
    second->connect("d1");
    CHECK(second->take_sent().empty());
    REQUIRE(second->closed);
    CHECK(second->closed->reason == disconnect_reason::throttled);
    CHECK(second->auth_events.empty());  // refused before the authorizer is called
    CHECK(h.stats.connects_throttled == 1);
    CHECK(h.log_text().find(R"("reason":"THROTTLED")") != std::string::npos);
    first->pump();
    CHECK_FALSE(first->closed);  // the connection holding the id carries on
    h.advance(600ms);
    auto third = h.make_peer("third");
    third->connect("d1");
    CHECK(third->has_connack());  // a second later: a normal takeover
    first->pump();
    REQUIRE(first->closed);
    CHECK(first->closed->reason == disconnect_reason::duplicate_clientid);
}

TEST_CASE("persistent session: QoS 1 deliveries left unacknowledged are sent again on resume, oldest first") {
    harness h;
    auto a = h.make_peer("a1");
    a->connect("dev", 60, false);
    a->subscribe("wv/p/#");
    a->take_sent();
    auto pub = h.make_peer("pub");
    pub->connect("pub");
    pub->publish("wv/p/1", "one", mqtt::qos::at_least_once, false, 1);
    pub->publish("wv/p/2", "two", mqtt::qos::at_least_once, false, 2);
    pub->publish("wv/p/3", "three", mqtt::qos::at_least_once, false, 3);
    a->pump();
    const auto first = a->take_sent();
    REQUIRE(publishes(first).size() == 3);
    // The device acks only the second one, then the connection drops.
    const auto second_id = std::get<mqtt::publish>(first[1].decoded()).packet_id;
    a->send(mqtt::encode_to_bytes(mqtt::puback{.packet_id = second_id}));
    a->transport_closed();
    pub->publish("wv/p/4", "while away", mqtt::qos::at_least_once, false, 4);

    h.advance(2s);
    auto b = h.make_peer("a2");
    b->connect("dev", 60, false);
    auto got = publishes(b->take_sent());
    for (int i = 0; i < 2; ++i) {  // paced at 10 msg/s
        h.advance(100ms);
        b->tick();
        for (auto& m : publishes(b->take_sent())) got.push_back(m);
    }
    REQUIRE(got.size() == 3);
    CHECK(got[0].second == "one");
    CHECK(got[1].second == "three");
    CHECK(got[2].second == "while away");
}

TEST_CASE("a resumed session's stored messages are replayed at 10 msg/s (limits.session_replay_per_s)") {
    harness h;
    auto a = h.make_peer("a1");
    a->connect("dev", 60, false);
    a->subscribe("wv/p/#");
    a->send(mqtt::encode_to_bytes(mqtt::disconnect{}));
    auto pub = h.make_peer("pub");
    pub->connect("pub");
    for (int i = 0; i < 5; ++i) pub->publish("wv/p/x", std::to_string(i), mqtt::qos::at_least_once, false, static_cast<std::uint16_t>(i + 1));

    h.advance(2s);
    auto b = h.make_peer("a2");
    b->connect("dev", 60, false);
    CHECK(publishes(b->take_sent()).size() == 1);  // the first at once
    REQUIRE(b->machine->next_deadline());
    CHECK(*b->machine->next_deadline() == h.now + 100ms);
    h.advance(99ms);
    b->tick();
    CHECK(publishes(b->take_sent()).empty());
    std::vector<std::string> order{"0"};
    for (int i = 0; i < 4; ++i) {
        h.advance(i == 0 ? 1ms : 100ms);
        b->tick();
        const auto got = publishes(b->take_sent());
        REQUIRE(got.size() == 1);
        order.push_back(got[0].second);
    }
    CHECK(order == std::vector<std::string>{"0", "1", "2", "3", "4"});

    // Cut off mid-replay: what was not sent yet stays with the session.
    b->send(mqtt::encode_to_bytes(mqtt::disconnect{}));
    for (int i = 0; i < 3; ++i) pub->publish("wv/p/y", std::to_string(i), mqtt::qos::at_least_once, false, static_cast<std::uint16_t>(i + 10));
    h.advance(2s);
    auto c = h.make_peer("a3");
    c->connect("dev", 60, false);
    CHECK(publishes(c->take_sent()).size() == 1);
    c->transport_closed();
    h.config.limits.session_replay_per_s = 0;  // all at once
    h.advance(2s);
    auto d = h.make_peer("a4");
    d->connect("dev", 60, false);
    // Nothing was acked: b's five, then the three published meanwhile (c's one sent again).
    const auto all = publishes(d->take_sent());
    REQUIRE(all.size() == 8);
    CHECK(all[0].second == "0");
    CHECK(all[4].second == "4");
    CHECK(all[5] == std::pair<std::string, std::string>{"wv/p/y", "0"});
    CHECK(all[7] == std::pair<std::string, std::string>{"wv/p/y", "2"});
}

TEST_CASE("takeover of a persistent session: the old connection's unacknowledged QoS 1 go to the new one") {
    harness h;
    auto a = h.make_peer("a1");
    a->connect("dev", 60, false);
    a->subscribe("wv/p/#");
    a->take_sent();
    auto pub = h.make_peer("pub");
    pub->connect("pub");
    pub->publish("wv/p/1", "unacked");
    a->pump();
    REQUIRE(publishes(a->take_sent()).size() == 1);
    h.advance(2s);
    auto b = h.make_peer("a2");
    b->connect("dev", 60, false);
    a->pump();  // the kick: a closes (DUPLICATE_CLIENTID) and hands its in-flight message over
    REQUIRE(a->closed);
    b->pump();
    const auto got = publishes(b->take_sent());
    REQUIRE(got.size() == 1);
    CHECK(got[0].second == "unacked");
}

TEST_CASE("a clean session's unacknowledged deliveries are not kept") {
    harness h;
    auto a = h.make_peer("a1");
    a->connect("dev");
    a->subscribe("wv/p/#");
    auto pub = h.make_peer("pub");
    pub->connect("pub");
    pub->publish("wv/p/1", "gone");
    a->pump();
    a->transport_closed();
    h.advance(2s);
    auto b = h.make_peer("a2");
    b->connect("dev", 60, false);
    CHECK(publishes(b->take_sent()).empty());
}

TEST_CASE("gateway shutdown is a server-initiated disconnect: Will and lifecycle event published") {
    harness h;
    auto mon = h.make_peer("mon");
    mon->auth_body = allow_all_reply("mon");
    mon->connect("mon");
    mon->subscribe("$aws/events/presence/disconnected/+");
    mon->subscribe("wv/will", mqtt::qos::at_least_once, 2);
    mon->take_sent();
    auto p = h.make_peer();
    p->connect("d1", 60, true, mqtt::last_will{.topic = "wv/will", .message = mqtt::as_bytes("gateway went away")});
    // gateway::stop() kicks every connected session this way (broker::kick_all).
    p->kick(disconnect_reason::server_initiated_disconnect);
    p->pump();
    REQUIRE(p->closed);
    CHECK(p->closed->reason == disconnect_reason::server_initiated_disconnect);
    mon->pump();
    const auto got = publishes(mon->take_sent());
    REQUIRE(got.size() == 2);
    CHECK(got[0] == std::pair<std::string, std::string>{"wv/will", "gateway went away"});
    CHECK(got[1].first == "$aws/events/presence/disconnected/d1");
    CHECK(nlohmann::json::parse(got[1].second)["disconnectReason"] == "SERVER_INITIATED_DISCONNECT");
    CHECK(h.brk->kick_all(disconnect_reason::server_initiated_disconnect) == 1);  // mon is left
    mon->pump();
    REQUIRE(mon->closed);
    CHECK(mon->closed->reason == disconnect_reason::server_initiated_disconnect);
}

TEST_CASE("subscribe/unsubscribe lifecycle events with AWS's JSON; none for client ids with # or +") {
    harness h;
    auto mon = h.make_peer("mon");
    mon->auth_body = allow_all_reply("mon");
    mon->connect("mon");
    mon->subscribe("$aws/events/subscriptions/#");
    mon->take_sent();
    mon->pump();
    mon->take_sent();  // mon's own subscribed event

    auto p = h.make_peer();
    p->connect("d1");
    mqtt::subscribe s;
    s.packet_id = 3;
    s.subscriptions = {{"wv/d1/cmd", mqtt::qos::at_least_once}, {"wv/d1/cfg", mqtt::qos::at_most_once}};
    p->send(mqtt::encode_to_bytes(s));
    p->send(mqtt::encode_to_bytes(mqtt::unsubscribe{.packet_id = 4, .filters = {"wv/d1/cfg"}}));
    auto odd = h.make_peer("odd");
    odd->connect("odd+id");
    odd->subscribe("wv/x");

    mon->pump();
    const auto got = publishes(mon->take_sent());
    REQUIRE(got.size() == 2);
    CHECK(got[0].first == "$aws/events/subscriptions/subscribed/d1");
    CHECK(got[1].first == "$aws/events/subscriptions/unsubscribed/d1");
    const auto sub = nlohmann::json::parse(got[0].second);
    CHECK(sub["clientId"] == "d1");
    CHECK(sub["eventType"] == "subscribed");
    CHECK(sub["sessionIdentifier"] == "conn-p");
    CHECK(sub["principalIdentifier"] == "dev1");
    CHECK(sub["topics"] == nlohmann::json::array({"wv/d1/cmd", "wv/d1/cfg"}));
    CHECK(sub["timestamp"].is_number_integer());
    std::vector<std::string> keys;
    for (const auto& [k, v] : sub.items()) keys.push_back(k);
    CHECK(keys.size() == 6);
    const auto unsub = nlohmann::json::parse(got[1].second);
    CHECK(unsub["eventType"] == "unsubscribed");
    CHECK(unsub["topics"] == nlohmann::json::array({"wv/d1/cfg"}));
}

TEST_CASE("persistent session: deliveries waiting for the in-flight window are kept too, in order") {
    harness h;
    h.config.limits.max_inflight_qos1 = 2;
    h.config.limits.session_replay_per_s = 0;  // all at once, to see the order in one go
    auto a = h.make_peer("a1");
    a->connect("dev", 60, false);
    a->subscribe("wv/p/#");
    a->take_sent();
    auto pub = h.make_peer("pub");
    pub->connect("pub");
    for (int i = 0; i < 4; ++i)
        pub->publish("wv/p/x", std::to_string(i), mqtt::qos::at_least_once, false, static_cast<std::uint16_t>(i + 1));
    a->pump();
    CHECK(publishes(a->take_sent()).size() == 2);  // two in flight, two waiting
    a->transport_closed();
    h.advance(2s);
    h.config.limits.max_inflight_qos1 = 100;
    auto b = h.make_peer("a2");
    b->connect("dev", 60, false);
    const auto got = publishes(b->take_sent());
    REQUIRE(got.size() == 4);
    for (int i = 0; i < 4; ++i) CHECK(got[static_cast<std::size_t>(i)].second == std::to_string(i));
}
