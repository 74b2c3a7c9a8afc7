#include <doctest/doctest.h>

#include <optional>

#include "gateway/broker.hpp"

using namespace wv::gate;

namespace {
struct recorder : subscriber {
    std::vector<std::pair<message_ptr, bool>> got;
    std::optional<disconnect_reason> kicked;
    bool deliver(message_ptr m, std::uint8_t, bool retained) override {
        got.emplace_back(std::move(m), retained);
        return true;
    }
    void kick(disconnect_reason why) override { kicked = why; }
};
message_ptr msg(std::string topic, std::string payload, std::uint8_t qos = 1, bool retain = false) {
    return std::make_shared<message>(message{std::move(topic), std::move(payload), qos, retain, "x", {}, {}});
}
const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
}  // namespace

TEST_CASE("broker: one delivery per session even with overlapping filters") {
    broker b;
    auto r = std::make_shared<recorder>();
    b.attach("c", true, r, t0);
    b.subscribe("c", r.get(), "wv/#", 1);
    b.subscribe("c", r.get(), "wv/+/x", 0);
    b.subscribe("c", r.get(), "wv/a/x", 1);
    CHECK(b.publish(msg("wv/a/x", "m")) == 1);
    CHECK(r->got.size() == 1);
}

TEST_CASE("broker: takeover kicks the previous owner; its detach then leaves the session alone") {
    broker b;
    auto a = std::make_shared<recorder>(), c = std::make_shared<recorder>();
    b.attach("id", true, a, t0);
    b.subscribe("id", a.get(), "wv/x", 1);
    b.attach("id", true, c, t0);
    CHECK(a->kicked == disconnect_reason::duplicate_clientid);
    b.detach("id", a.get(), t0);
    b.subscribe("id", c.get(), "wv/y", 1);
    b.publish(msg("wv/y", "m"));
    CHECK(c->got.size() == 1);
    CHECK(b.counts().sessions == 1);
}

TEST_CASE("broker: persistent sessions expire; offline queue is bounded and keeps the newest") {
    broker b(broker_options{.max_offline_messages = 2, .session_expiry = std::chrono::seconds(10)});
    auto a = std::make_shared<recorder>();
    b.attach("p", false, a, t0);
    b.subscribe("p", a.get(), "wv/#", 1);
    b.detach("p", a.get(), t0);
    for (int i = 0; i < 3; ++i) b.publish(msg("wv/x", std::to_string(i)));
    CHECK(b.counts().dropped_offline == 1);
    auto again = std::make_shared<recorder>();
    auto res = b.attach("p", false, again, t0 + std::chrono::seconds(1));
    CHECK(res.session_present);
    REQUIRE(res.replay.size() == 2);
    CHECK(res.replay[0]->payload == "1");
    b.detach("p", again.get(), t0 + std::chrono::seconds(1));
    b.expire(t0 + std::chrono::seconds(20));
    CHECK(b.counts().sessions == 0);
}

TEST_CASE("broker: a trusted observer sees matching messages without a session, and stops at unobserve") {
    broker b;
    std::vector<std::string> seen;
    const auto id = b.observe("wv/+/1/#", [&](const message_ptr& m) { seen.push_back(m->topic); });
    // No session, no subscription: nobody else receives these, the observer still does.
    CHECK(b.publish(msg("wv/AK1/1/samp/p1", "r")) == 0);
    b.publish(msg("wv/AK1/1/reportend/p1", "will"));
    b.publish(msg("wv/AK1/2/samp/p1", "other"));  // not under the filter
    b.publish(msg("$aws/events/presence/connected/AK1", "{}"));
    CHECK(seen == std::vector<std::string>{"wv/AK1/1/samp/p1", "wv/AK1/1/reportend/p1"});
    // It is no session: a client with any id cannot take it over or kick it.
    auto r = std::make_shared<recorder>();
    b.attach("wvsimverify", true, r, t0);
    b.publish(msg("wv/AK2/1/samp/p1", "r"));
    CHECK(seen.size() == 3);
    b.unobserve(id);
    b.publish(msg("wv/AK3/1/samp/p1", "r"));
    CHECK(seen.size() == 3);
    CHECK(b.counts().sessions == 1);
}
