// The MQTT session mechanics on their own (no AWS rules, no broker): framing, keep-alive,
// packet ids, the QoS 1 window, replay pacing, what a persistent session keeps. Virtual time.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "gateway/mqtt_session.hpp"
#include "mqtt/mqtt.hpp"

using namespace std::chrono_literals;
using wv::gate::message;
using wv::gate::message_ptr;
using wv::gate::mqtt_session;

namespace {

struct session_fixture {
    wv::gate::limits_config limits;
    wv::gate::counters stats;
    wv::gate::effects out;
    mqtt_session s{limits, stats, out};
    mqtt_session::time_point t0{std::chrono::hours(1000)};

    // The PUBLISHes sent since the last call: (packet id, payload).
    std::vector<std::pair<std::uint16_t, std::string>> sent_publishes() {
        std::vector<std::pair<std::uint16_t, std::string>> r;
        for (auto& e : out) {
            const auto& b = std::get<wv::gate::send_bytes>(e).bytes;
            const auto f = std::get<wv::mqtt::frame>(wv::mqtt::read_frame(b));
            REQUIRE(f.consumed == b.size());  // one packet per send_bytes
            const auto p = std::get<wv::mqtt::publish>(wv::mqtt::decode_any(f).value());
            r.emplace_back(p.packet_id, std::string(wv::mqtt::as_chars(p.payload)));
        }
        out.clear();
        return r;
    }
};

message_ptr stored_msg(const std::string& payload, std::uint8_t qos = 1) {
    return std::make_shared<message>(message{"t/x", payload, qos, false, "pub", {}, {}});
}

std::vector<std::string> payloads(const std::vector<message_ptr>& ms) {
    std::vector<std::string> r;
    for (const auto& m : ms) r.push_back(m->payload);
    return r;
}

}  // namespace

TEST_CASE("framing: whole packets out of a byte stream, a partial one waits, the limit is a framing error") {
    session_fixture f;
    auto bytes = wv::mqtt::encode_to_bytes(wv::mqtt::pingreq{});
    const auto pub = wv::mqtt::encode_to_bytes(wv::mqtt::publish{.topic = "t/x", .payload = {}, .qos = wv::mqtt::qos::at_most_once});
    bytes.insert(bytes.end(), pub.begin(), pub.end());
    f.s.append_input(std::span<const std::byte>(bytes).first(bytes.size() - 1));  // the PUBLISH's last byte missing
    CHECK(std::get<wv::mqtt::frame>(f.s.next_frame()).type == wv::mqtt::packet_type::pingreq);
    CHECK(std::holds_alternative<wv::mqtt::need_more>(f.s.next_frame()));
    f.s.compact_input();
    CHECK(f.s.buffered_input() == pub.size() - 1);
    f.s.append_input(std::span<const std::byte>(bytes).last(1));
    CHECK(std::get<wv::mqtt::frame>(f.s.next_frame()).type == wv::mqtt::packet_type::publish);
    f.s.compact_input();
    CHECK(f.s.buffered_input() == 0);
    CHECK(f.stats.bytes_in == bytes.size());

    // A remaining length over the largest PUBLISH the limits allow: refused from the header.
    const std::vector<std::byte> huge{std::byte{0x30}, std::byte{0xff}, std::byte{0xff}, std::byte{0x7f}};
    f.s.append_input(huge);
    CHECK(std::holds_alternative<std::error_code>(f.s.next_frame()));
}

TEST_CASE("keep-alive: 1.5 x from the last packet received; 0 means no deadline") {
    session_fixture f;
    f.s.set_keep_alive(30s);
    f.s.packet_received(f.t0);
    CHECK(f.s.next_deadline() == f.t0 + 45s);
    CHECK_FALSE(f.s.keep_alive_expired(f.t0 + 44s));
    f.s.packet_received(f.t0 + 40s);  // any packet moves it
    CHECK_FALSE(f.s.keep_alive_expired(f.t0 + 84s));
    CHECK(f.s.keep_alive_expired(f.t0 + 85s));

    session_fixture none;
    none.s.set_keep_alive(0s);
    none.s.packet_received(none.t0);
    CHECK_FALSE(none.s.next_deadline());
    CHECK_FALSE(none.s.keep_alive_expired(none.t0 + 100h));
}

TEST_CASE("packet ids: increasing from 1, wrapping past 65535 without 0 or an id still in flight") {
    session_fixture f;
    f.limits.max_inflight_qos1 = 70'000;
    CHECK(f.s.publish(stored_msg("first"), 1, false));  // id 1, never acknowledged
    CHECK(f.sent_publishes() == std::vector<std::pair<std::uint16_t, std::string>>{{1, "first"}});
    for (std::uint32_t id = 2; id <= 65535; ++id) {
        f.s.publish(stored_msg("x"), 1, false);
        f.s.acknowledge(static_cast<std::uint16_t>(id));
    }
    f.out.clear();
    f.s.publish(stored_msg("wrapped"), 1, false);
    CHECK(f.sent_publishes() == std::vector<std::pair<std::uint16_t, std::string>>{{2, "wrapped"}});
    // QoS 0 takes no id and no place in the window.
    f.s.publish(stored_msg("q0", 0), 0, false);
    CHECK(f.sent_publishes() == std::vector<std::pair<std::uint16_t, std::string>>{{0, "q0"}});
    CHECK(f.s.inflight() == 2);
}

TEST_CASE("QoS 1 window: past it deliveries wait in order, a PUBACK lets the oldest in, the wait is bounded") {
    session_fixture f;
    f.limits.max_inflight_qos1 = 2;
    f.limits.max_outbox_bytes = 2 * (64 + 3 + 1);  // two waiting one-byte messages on "t/x"
    for (const auto* p : {"a", "b", "c", "d", "e"}) f.s.publish(stored_msg(p), 1, false);
    CHECK(f.sent_publishes() == std::vector<std::pair<std::uint16_t, std::string>>{{1, "a"}, {2, "b"}});
    CHECK(f.stats.messages_dropped == 1);  // "e": no room behind the window
    f.s.acknowledge(7);                    // not in flight: nothing moves
    CHECK(f.sent_publishes().empty());
    f.s.acknowledge(2);
    CHECK(f.sent_publishes() == std::vector<std::pair<std::uint16_t, std::string>>{{3, "c"}});
    // A QoS 0 message is not held behind the window.
    f.s.publish(stored_msg("z", 0), 0, false);
    CHECK(f.sent_publishes() == std::vector<std::pair<std::uint16_t, std::string>>{{0, "z"}});
    // What a persistent session keeps: in flight oldest first, then waiting.
    CHECK(f.s.has_undelivered());
    CHECK(payloads(f.s.unacked()) == std::vector<std::string>{"a", "c", "d"});
    f.s.clear();
    CHECK_FALSE(f.s.has_undelivered());
    CHECK(f.s.inflight() == 0);
}

TEST_CASE("replay: the first stored message at once, then one per 1/rate; rate 0 all at once") {
    session_fixture f;
    f.limits.session_replay_per_s = 10;
    f.s.start_replay({stored_msg("0"), stored_msg("1"), stored_msg("2")}, f.t0);
    CHECK(payloads(f.s.take_due_replay(f.t0)) == std::vector<std::string>{"0"});
    CHECK(f.s.next_deadline() == f.t0 + 100ms);
    CHECK(f.s.take_due_replay(f.t0 + 99ms).empty());
    CHECK(payloads(f.s.take_due_replay(f.t0 + 100ms)) == std::vector<std::string>{"1"});
    // Not replayed yet: kept by a persistent session.
    CHECK(payloads(f.s.unacked()) == std::vector<std::string>{"2"});
    CHECK(payloads(f.s.take_due_replay(f.t0 + 200ms)) == std::vector<std::string>{"2"});
    CHECK_FALSE(f.s.next_deadline());

    session_fixture all;
    all.limits.session_replay_per_s = 0;
    all.s.start_replay({stored_msg("0"), stored_msg("1"), stored_msg("2")}, all.t0);
    CHECK(payloads(all.s.take_due_replay(all.t0)) == std::vector<std::string>{"0", "1", "2"});
}

TEST_CASE("unacked(): in-flight messages oldest first across the packet id wrap") {
    session_fixture f;
    f.limits.max_inflight_qos1 = 70'000;
    for (std::uint32_t id = 1; id <= 65534; ++id) {
        f.s.publish(stored_msg("x"), 1, false);
        f.s.acknowledge(static_cast<std::uint16_t>(id));
    }
    f.s.publish(stored_msg("old"), 1, false);  // id 65535
    f.s.publish(stored_msg("new"), 1, false);  // id 1
    CHECK(payloads(f.s.unacked()) == std::vector<std::string>{"old", "new"});
}
