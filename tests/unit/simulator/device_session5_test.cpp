// wvsim's device session at MQTT 5 (--mqtt 5) against a scripted broker on virtual time: the
// CONNECT's Session Expiry and User Properties per device, a CONNACK reason code with its reason
// string as the connect outcome, the report topic's Topic Alias, a PUBACK 0x87 as a refused
// report, the server's DISCONNECT as the session's end; and the reason-code buckets' words.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "device.hpp"
#include "device_session.hpp"
#include "mqtt/mqtt.hpp"
#include "payload/report_profile.hpp"
#include "worker.hpp"

namespace {

using namespace std::chrono_literals;
namespace mqtt = wv::mqtt;
using wv::sim::clock;
using wv::sim::outcome;

wv::sim::engine_settings settings5(bool topic_alias = true) {
    wv::sim::engine_settings s;
    s.protocol = mqtt::protocol_level::v5;
    s.session_expiry_s = 600;
    s.user_properties.push_back({wv::sim::field_template("site", "name"), wv::sim::field_template("lab-{n:2}", "value")});
    s.topic_alias = topic_alias;
    return s;
}

struct fleet5 {
    explicit fleet5(wv::sim::engine_settings s)
        : settings(std::move(s)),
          tt(wv::sim::load_shape{.devices = 1, .interval = wv::sim::run_time(1.0), .duration = wv::sim::run_time(30.0)}),
          w(settings, tt, stats, wv::payload::default_profile(), clock::now()) {}
    wv::sim::engine_settings settings;
    wv::sim::timetable tt;
    wv::sim::fleet_stats stats;
    wv::sim::worker w;
};

struct script5 {
    explicit script5(fleet5& f)
        : f(f), id{.index = 7, .akid = "AKID7", .username = "u", .password = "pw"},
          d(f.w.io.get_executor(), 0, id, "wv/AKID7/1/samp/p1", "wv/AKID7/1/reportend/p1"), s(f.w, d), now(f.w.start) {}
    fleet5& f;
    wv::sim::device_identity id;
    wv::sim::device d;
    wv::sim::device_session s;
    wv::net::effects fx;
    clock::time_point now;

    // The packets queued since the last call, decoded at 5; `raw` keeps their bytes.
    std::vector<mqtt::packet> sent(mqtt::byte_buffer* raw = nullptr) {
        std::vector<mqtt::packet> out;
        mqtt::stream_decoder dec({}, mqtt::protocol_level::v5);
        dec.feed(fx.send);
        for (;;) {
            auto r = dec.next();
            auto* fr = std::get_if<mqtt::frame>(&r);
            if (!fr) break;
            out.push_back(mqtt::decode_any(*fr, mqtt::protocol_level::v5).value());
        }
        if (raw) *raw = fx.send;
        fx.send.clear();
        return out;
    }
    void broker_sends(const mqtt::byte_buffer& b) { s.on_bytes(b, now, fx); }
    void advance(clock::duration by) {
        const auto until = now + by;
        for (;;) {
            const auto due = s.next_deadline();
            if (!due || *due > until || fx.closing()) break;
            now = std::max(now, *due);
            s.on_deadline(now, fx);
        }
        now = until;
    }
    void connect(std::uint16_t alias_maximum) {
        s.begin(now, fx);
        sent();
        mqtt::property_builder props;
        if (alias_maximum) props.add(mqtt::property_id::topic_alias_maximum, alias_maximum);
        broker_sends(mqtt::encode_to_bytes(mqtt::connack{.properties = props.view()}, mqtt::protocol_level::v5));
        REQUIRE(s.connect_outcome());
        REQUIRE(s.connect_outcome()->what == outcome::connected);
        s.start(now, fx);
    }
    void advance_past_report(std::uint64_t k) { advance(f.w.at(*f.tt.report_due(0, k)) + 1ms - now); }
    wv::sim::run_report report() const {
        wv::sim::run_report r;
        f.stats.fill(r);
        return r;
    }
};

std::vector<std::string> user_properties(const mqtt::properties& p) {
    std::vector<std::string> out;
    for (const auto& prop : p)
        if (prop.id == mqtt::property_id::user_property) out.push_back(std::string(prop.text) + "=" + std::string(prop.value));
    return out;
}

}  // namespace

TEST_CASE("MQTT 5 CONNECT: level 5, Session Expiry, the device's User Properties; CONNACK 0x87 is connack_refused") {
    fleet5 f(settings5());
    script5 t(f);
    t.s.begin(t.now, t.fx);
    const auto p = t.sent();
    REQUIRE(p.size() == 1);
    const auto& c = std::get<mqtt::connect>(p[0]);
    CHECK(c.protocol_level == 5);
    CHECK(c.properties.number(mqtt::property_id::session_expiry_interval) == 600u);
    CHECK(user_properties(c.properties) == std::vector<std::string>{"site=lab-07"});

    mqtt::property_builder props;
    props.add(mqtt::property_id::reason_string, "CONNACK:Client is not authenticated/authorized to send the message:x");
    t.broker_sends(mqtt::encode_to_bytes(mqtt::connack{.reason = mqtt::reason_code::not_authorized, .properties = props.view()},
                                         mqtt::protocol_level::v5));
    REQUIRE(t.s.connect_outcome());
    CHECK(t.s.connect_outcome()->bucket() ==
          "connack_refused:0x87:CONNACK:Client is not authenticated/authorized to send the message:x");
    CHECK(wv::sim::describe_bucket(t.s.connect_outcome()->bucket()) ==
          "MQTT 5 CONNACK refused 0x87 Not authorized: CONNACK:Client is not authenticated/authorized to send the message:x");
    CHECK(t.fx.end == wv::net::ending::close_now);
}

TEST_CASE("MQTT 5 reports: Topic Alias 1 set by the first, only the alias after; User Properties on each; "
          "PUBACK 0x87 is a refused report, not an acked one") {
    fleet5 f(settings5());
    script5 t(f);
    t.connect(10);
    t.advance_past_report(1);
    t.advance_past_report(2);
    mqtt::byte_buffer raw;
    const auto p = t.sent(&raw);
    REQUIRE(p.size() == 2);
    const auto& r1 = std::get<mqtt::publish>(p[0]);
    const auto& r2 = std::get<mqtt::publish>(p[1]);
    CHECK(r1.topic == "wv/AKID7/1/samp/p1");
    CHECK(r1.properties.number(mqtt::property_id::topic_alias) == 1u);
    CHECK(r2.topic.empty());
    CHECK(r2.properties.number(mqtt::property_id::topic_alias) == 1u);
    CHECK(user_properties(r1.properties) == std::vector<std::string>{"site=lab-07"});
    CHECK(user_properties(r2.properties) == std::vector<std::string>{"site=lab-07"});

    mqtt::property_builder why;
    why.add(mqtt::property_id::reason_string, "policy");
    t.broker_sends(mqtt::encode_to_bytes(
        mqtt::puback{.packet_id = r1.packet_id, .reason = mqtt::reason_code::not_authorized, .properties = why.view()},
        mqtt::protocol_level::v5));
    t.broker_sends(mqtt::encode_to_bytes(mqtt::puback{.packet_id = r2.packet_id}, mqtt::protocol_level::v5));
    CHECK(t.s.unacked() == 0);
    CHECK(!t.fx.closing());  // a denial at 5 is an answer, the session goes on
    const auto r = t.report();
    CHECK(r.reports_acked == 1);
    CHECK(r.refused == std::map<std::string, std::uint64_t>{{"puback_refused:0x87:policy", 1}});
    CHECK(r.latency.at("puback").count() == 1);
}

TEST_CASE("MQTT 5 reports: the topic every time with --topic-alias off, or when the server allows no alias") {
    for (const bool alias_flag : {false, true}) {
        fleet5 f(settings5(alias_flag));
        script5 t(f);
        t.connect(alias_flag ? 0 : 10);  // on, but the CONNACK announces no Topic Alias Maximum
        t.advance_past_report(1);
        t.advance_past_report(2);
        const auto p = t.sent();
        REQUIRE(p.size() == 2);
        for (const auto& pk : p) {
            CHECK(std::get<mqtt::publish>(pk).topic == "wv/AKID7/1/samp/p1");
            CHECK(!std::get<mqtt::publish>(pk).properties.contains(mqtt::property_id::topic_alias));
        }
    }
}

TEST_CASE("MQTT 5: the server's DISCONNECT ends the session as server_disconnect with its reason code and string") {
    fleet5 f(settings5());
    script5 t(f);
    t.connect(10);
    mqtt::property_builder why;
    why.add(mqtt::property_id::reason_string, "another connection");
    t.broker_sends(mqtt::encode_to_bytes(mqtt::disconnect{.reason = mqtt::reason_code::session_taken_over, .properties = why.view()},
                                         mqtt::protocol_level::v5));
    CHECK(t.fx.closing());
    CHECK(t.d.session_end == outcome::server_disconnect);
    CHECK(t.s.end_detail() == "0x8E:another connection");
    CHECK(wv::sim::describe_bucket("server_disconnect:0x8E:another connection") ==
          "MQTT 5 DISCONNECT from the server 0x8E Session taken over: another connection");
}

TEST_CASE("reason-code buckets: at most 10 reason strings per code, the rest counted together and said so") {
    wv::sim::fleet_stats st;
    for (int i = 0; i < 12; ++i) st.count(outcome::connack_refused, wv::sim::reason_detail(0x87, "denied:" + std::to_string(i)));
    st.count(outcome::connack_refused, wv::sim::reason_detail(0x87, ""));
    st.count(outcome::connack_refused, wv::sim::reason_detail(0x86, "bad\npassword"));
    wv::sim::run_report r;
    st.fill(r);
    CHECK(r.connect_outcomes.size() == 13);  // 10 + "other" for 0x87, the one without a string, 0x86
    CHECK(r.connect_outcomes.at("connack_refused:0x87:(other reason strings)") == 2);
    CHECK(r.connect_outcomes.at("connack_refused:0x87") == 1);
    CHECK(r.connect_outcomes.at("connack_refused:0x86:bad password") == 1);  // one line whatever the server sent
    CHECK(wv::sim::describe_bucket("puback_refused:0x97") == "MQTT 5 PUBACK refused the report 0x97 Quota exceeded");
}
