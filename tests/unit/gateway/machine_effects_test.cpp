// The connection machine alone, with nothing applied: what it hands out, in order, for a
// CONNECT, a PUBLISH, a SUBSCRIBE and a close. It has no broker, log, rules engine or throttle
// to call; these tests answer its questions by hand.
#include <doctest/doctest.h>

#include "gateway/gateway.hpp"
#include "machine_harness.hpp"

using namespace wv;
using namespace wv::test;
using gate::connection_machine;

namespace {

std::vector<std::string> kinds(const gate::effects& es) {
    static const char* const names[] = {"send_bytes",        "close_connection",  "call_authorizer",
                                        "admit_connect",     "verify_certificate", "watch_certificate",
                                        "attach_session",    "subscribe_session", "unsubscribe_session",
                                        "detach_session",    "route_message",     "provisioning_request",
                                        "rules_event",       "log_line",          "delay_will"};
    static_assert(std::size(names) == std::variant_size_v<gate::effect>);
    std::vector<std::string> out;
    for (const auto& e : es) out.emplace_back(names[e.index()]);
    return out;
}

mqtt::packet_type sent_type(const gate::effect& e) {
    const auto& b = std::get<gate::send_bytes>(e).bytes;
    return std::get<mqtt::frame>(mqtt::read_frame(b)).type;
}

using strings = std::vector<std::string>;

// A machine connected as "d1" (clean session unless said), its effects taken.
struct connected_machine {
    harness h;
    std::unique_ptr<connection_machine> m;

    explicit connected_machine(bool clean = true, std::optional<mqtt::last_will> will = std::nullopt) {
        auto env = h.env();
        env.min_log_level = gate::log_level::info;
        env.has_rules = true;
        gate::peer_info info;
        info.server_name = "localhost";
        m = std::make_unique<connection_machine>(env, info, "conn-1", h.now);
        mqtt::connect c;
        c.client_id = "d1";
        c.clean_session = clean;
        c.will = will;
        c.user_name = "dev1";
        c.password = mqtt::as_bytes(std::string_view("pw1"));
        m->on_bytes(mqtt::encode_to_bytes(c), h.now);
        auto es = m->take_effects();
        REQUIRE(kinds(es) == strings{"admit_connect"});
        CHECK(std::get<gate::admit_connect>(es[0]).client_id == "d1");
        m->on_connect_admitted(true, h.now);
        REQUIRE(kinds(m->take_effects()) == strings{"call_authorizer"});
        m->on_authorizer_result(result_for(h.good_reply()), h.now);
        es = m->take_effects();
        REQUIRE(kinds(es) == strings{"log_line", "attach_session"});
        CHECK(std::get<gate::attach_session>(es[1]).clean_session == clean);
        CHECK(m->current_state() == connection_machine::state::attaching);
        m->on_attached({.session_present = false, .replay = {}}, 0, h.now);
        es = m->take_effects();
        // CONNACK, the Connect log line, the presence event for the broker.
        REQUIRE(kinds(es) == strings{"send_bytes", "log_line", "route_message"});
        CHECK(sent_type(es[0]) == mqtt::packet_type::connack);
        CHECK(std::get<gate::route_message>(es[2]).msg->topic == "$aws/events/presence/connected/d1");
        CHECK(m->current_state() == connection_machine::state::connected);
    }
};

}  // namespace

TEST_CASE("effects: a CONNECT asks the throttle, then the authorizer, then the broker; CONNACK follows the attach") {
    connected_machine c;  // the sequence is checked in the fixture
    CHECK(c.h.stats.connects_accepted == 1);
}

TEST_CASE("effects: a throttled CONNECT is closed without asking the authorizer") {
    harness h;
    gate::peer_info info;
    connection_machine m(h.env(), info, "conn-1", h.now);
    mqtt::connect c;
    c.client_id = "d1";
    m.on_bytes(mqtt::encode_to_bytes(c), h.now);
    CHECK(kinds(m.take_effects()) == strings{"admit_connect"});
    m.on_connect_admitted(false, h.now);
    const auto es = m.take_effects();
    CHECK(kinds(es) == strings{"log_line", "log_line", "close_connection"});  // Connect THROTTLED, Disconnect (debug)
    CHECK(std::get<gate::close_connection>(es.back()).reason == gate::disconnect_reason::throttled);
}

TEST_CASE("effects: an accepted PUBLISH is PUBACKed, then handed to the broker and the rules with the principal") {
    connected_machine c;
    mqtt::publish p;
    p.topic = "wv/d1/x";
    p.payload = mqtt::as_bytes(std::string_view("hi"));
    p.qos = mqtt::qos::at_least_once;
    p.packet_id = 5;
    c.m->on_bytes(mqtt::encode_to_bytes(p), c.h.now);
    const auto es = c.m->take_effects();
    REQUIRE(kinds(es) == strings{"send_bytes", "route_message", "rules_event"});
    CHECK(sent_type(es[0]) == mqtt::packet_type::puback);
    const auto& routed = std::get<gate::route_message>(es[1]).msg;
    CHECK(routed->topic == "wv/d1/x");
    CHECK(routed->payload == "hi");
    CHECK(routed->client_id == "d1");
    const auto& rules = std::get<gate::rules_event>(es[2]);
    CHECK(rules.msg == routed);  // the same message, not a copy
    CHECK(rules.principal == "dev1");
}

TEST_CASE("effects: SUBSCRIBE asks the broker per filter; the retained answer follows the SUBACK") {
    connected_machine c;
    mqtt::subscribe s;
    s.packet_id = 3;
    s.subscriptions = {{"wv/d1/a", mqtt::qos::at_least_once}, {"wv/d1/b", mqtt::qos::at_most_once}};
    c.m->on_bytes(mqtt::encode_to_bytes(s), c.h.now);
    auto es = c.m->take_effects();
    REQUIRE(kinds(es) ==
            strings{"subscribe_session", "log_line", "subscribe_session", "log_line", "send_bytes", "route_message"});
    CHECK(sent_type(es[4]) == mqtt::packet_type::suback);
    CHECK(std::get<gate::route_message>(es[5]).msg->topic == "$aws/events/subscriptions/subscribed/d1");
    const auto first = std::get<gate::subscribe_session>(es[0]);
    CHECK(first.filter == "wv/d1/a");
    CHECK(first.qos == 1);
    // The broker's answer: one retained message for the first filter.
    auto kept = std::make_shared<gate::message>(gate::message{"wv/d1/a", "kept", 1, true, "x", {}, {}});
    c.m->on_subscribed(first, {.retained = {kept}}, 1, c.h.now);
    es = c.m->take_effects();
    REQUIRE(kinds(es) == strings{"send_bytes"});
    const auto f = std::get<mqtt::frame>(mqtt::read_frame(std::get<gate::send_bytes>(es[0]).bytes));
    const auto pub = std::get<mqtt::publish>(mqtt::decode_any(f).value());
    CHECK(pub.retain);
    CHECK(pub.topic == "wv/d1/a");
}

TEST_CASE("effects: a persistent session's abrupt end hands out the Will, then the detach with what was unacked") {
    connected_machine c(false, mqtt::last_will{.topic = "wv/d1/will", .message = mqtt::as_bytes(std::string_view("bye"))});
    c.m->on_deliver(std::make_shared<gate::message>(gate::message{"wv/d1/cmd", "do", 1, false, "x", {}, {}}), 1, false, c.h.now);
    REQUIRE(kinds(c.m->take_effects()) == strings{"send_bytes"});
    c.m->on_transport_closed(c.h.now);
    const auto es = c.m->take_effects();
    REQUIRE(kinds(es) == strings{"route_message", "rules_event", "log_line", "detach_session", "route_message",
                                 "log_line", "close_connection"});
    CHECK(std::get<gate::route_message>(es[0]).msg->topic == "wv/d1/will");
    const auto& d = std::get<gate::detach_session>(es[3]);
    CHECK(d.client_id == "d1");
    REQUIRE(d.unacked.size() == 1);
    CHECK(d.unacked[0]->payload == "do");
    CHECK(std::get<gate::route_message>(es[4]).msg->topic == "$aws/events/presence/disconnected/d1");
    CHECK(c.m->take_effects().empty());
    c.m->on_tick(c.h.now + std::chrono::hours(1));  // closed: nothing more
    CHECK_FALSE(c.m->has_effects());
}
