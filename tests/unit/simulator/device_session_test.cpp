// wvsim's device session (device_session.hpp) on virtual time against a scripted broker: the
// CONNECT it sends, reports on the timetable with an 8-deep QoS 1 window, PUBACK latency and
// counters, the clean stop (ReportEnd + DISCONNECT after the acks), --kill's reset, the ack
// timeout, and the outcome when the server closes after a publish. The script applies effects
// and deadlines the way net::driver does.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "device.hpp"
#include "device_session.hpp"
#include "mqtt/mqtt.hpp"
#include "payload/report_profile.hpp"
#include "tls/tls_errc.hpp"
#include "worker.hpp"

namespace {

using namespace std::chrono_literals;
namespace mqtt = wv::mqtt;
using wv::sim::clock;
using wv::sim::outcome;

struct fleet {
    explicit fleet(wv::sim::load_shape shape, wv::sim::engine_settings s = {})
        : settings(std::move(s)), tt(shape), w(settings, tt, stats, wv::payload::default_profile(), clock::now()) {}
    wv::sim::engine_settings settings;
    wv::sim::timetable tt;
    wv::sim::fleet_stats stats;
    wv::sim::worker w;
};

// One device and its session; the broker's side is scripted.
struct script {
    explicit script(fleet& f)
        : f(f), id{.index = 0, .akid = "AKID0", .username = "u", .password = "pw"},
          d(f.w.io.get_executor(), 0, id, "wv/AKID0/1/samp/p1", "wv/AKID0/1/reportend/p1"), s(f.w, d), now(f.w.start) {}
    fleet& f;
    wv::sim::device_identity id;
    wv::sim::device d;
    wv::sim::device_session s;
    wv::net::effects fx;
    clock::time_point now;

    // Packets the device queued since the last call, decoded.
    std::vector<mqtt::packet> sent() {
        std::vector<mqtt::packet> out;
        mqtt::stream_decoder dec;
        dec.feed(fx.send);
        for (;;) {
            auto r = dec.next();
            auto* fr = std::get_if<mqtt::frame>(&r);
            if (!fr) break;
            out.push_back(mqtt::decode_any(*fr).value());
        }
        fx.send.clear();
        return out;
    }
    void broker_sends(const mqtt::byte_buffer& b) { s.on_bytes(b, now, fx); }
    void advance(clock::duration by) {  // as the driver: on_deadline once each deadline is due
        const auto until = now + by;
        for (;;) {
            const auto due = s.next_deadline();
            if (!due || *due > until || fx.closing()) break;
            now = std::max(now, *due);
            s.on_deadline(now, fx);
        }
        now = until;
    }
    void connect() {
        s.begin(now, fx);
        sent();
        broker_sends(mqtt::encode_to_bytes(mqtt::connack{}));
        REQUIRE(s.connect_outcome());
        REQUIRE(s.connect_outcome()->what == outcome::connected);
        s.start(now, fx);
    }
    // Just past report k's due time (the timetable gives each device a random phase).
    void advance_past_report(std::uint64_t k) { advance(f.w.at(*f.tt.report_due(0, k)) + 1ms - now); }
    static std::uint16_t id_of(const mqtt::packet& p) { return std::get<mqtt::publish>(p).packet_id; }
    void puback(std::uint16_t id) { broker_sends(mqtt::encode_to_bytes(mqtt::puback{.packet_id = id})); }
};

wv::sim::load_shape shape(double duration_s = 30) {
    return {.devices = 1, .interval = wv::sim::run_time(1.0), .duration = wv::sim::run_time(duration_s)};
}

}  // namespace

TEST_CASE("CONNECT carries the identity and the ReportEnd(TERMINATED) will; CONNACK 4 is its outcome") {
    fleet f(shape());
    script t(f);
    t.s.begin(t.now, t.fx);
    const auto p = t.sent();
    REQUIRE(p.size() == 1);
    const auto& c = std::get<mqtt::connect>(p[0]);
    CHECK(c.client_id == "AKID0");
    CHECK(c.user_name == "u");
    REQUIRE(c.will);
    CHECK(c.will->topic == "wv/AKID0/1/reportend/p1");
    CHECK(c.will->qos == mqtt::qos::at_least_once);
    CHECK(!t.s.connect_outcome());
    t.broker_sends(mqtt::byte_buffer{std::byte{0x20}, std::byte{0x02}, std::byte{0x00}, std::byte{0x04}});
    REQUIRE(t.s.connect_outcome());
    CHECK(t.s.connect_outcome()->what == outcome::connack_bad_credentials);
    CHECK(t.fx.end == wv::net::ending::close_now);
}

TEST_CASE("no CONNACK within the connect timeout: connack_timeout") {
    fleet f(shape(), {.connect_timeout = 2s});
    script t(f);
    t.s.begin(t.now, t.fx);
    t.advance(1999ms);
    CHECK(!t.s.connect_outcome());
    t.advance(1ms);
    REQUIRE(t.s.connect_outcome());
    CHECK(t.s.connect_outcome()->what == outcome::connack_timeout);
}

TEST_CASE("reports on schedule; the 9th waits for a PUBACK; latency counts from the due time") {
    fleet f(shape());
    script t(f);
    t.connect();
    t.advance(8s);  // 8 reports came due, none acknowledged
    auto p = t.sent();
    CHECK(p.size() == 8);
    CHECK(t.s.unacked() == 8);
    t.advance(2s);  // the window is full: nothing more goes out
    CHECK(t.sent().empty());
    t.puback(t.id_of(p[0]));  // one slot: the overdue report goes out at once
    p = t.sent();
    REQUIRE(p.size() == 1);
    CHECK(std::get<mqtt::publish>(p[0]).topic == "wv/AKID0/1/samp/p1");
    CHECK(f.stats.sent == 9);
    CHECK(f.stats.acked == 1);
    CHECK(f.stats.puback.snapshot().count() == 1);
}

TEST_CASE("clean stop: waits for the acks in flight, then ReportEnd(CLOSED) + DISCONNECT and close_notify") {
    fleet f(shape());
    script t(f);
    t.connect();
    t.advance_past_report(1);
    const auto p = t.sent();
    REQUIRE(p.size() == 1);
    t.d.stop_requested = true;
    t.s.poke(t.now, t.fx);
    CHECK(t.sent().empty());  // the report's PUBACK first
    t.puback(t.id_of(p[0]));
    const auto bye = t.sent();
    REQUIRE(bye.size() == 2);
    CHECK(std::get<mqtt::publish>(bye[0]).topic == "wv/AKID0/1/reportend/p1");
    CHECK(std::holds_alternative<mqtt::disconnect>(bye[1]));
    CHECK(t.fx.end == wv::net::ending::shutdown_after_flush);
    CHECK(t.d.session_end == outcome::clean_stop);
    CHECK(f.stats.report_ends == 1);
}

TEST_CASE("the end of the run stops the device; a PUBACK that never comes is keep_alive_timeout") {
    {
        fleet f(shape(3));
        script t(f);
        t.connect();
        t.advance(3s);
        for (const auto& p : t.sent())
            if (std::holds_alternative<mqtt::publish>(p)) t.puback(t.id_of(p));
        t.advance(1s);
        CHECK(t.fx.end == wv::net::ending::shutdown_after_flush);
        CHECK(t.d.session_end == outcome::clean_stop);
    }
    {
        fleet f(shape(), {.ack_timeout = 5s});
        script t(f);
        t.connect();
        t.advance_past_report(1);
        CHECK(t.sent().size() == 1);
        t.advance(5s);
        CHECK(t.fx.end == wv::net::ending::close_now);
        CHECK(t.d.session_end == outcome::keep_alive_timeout);
    }
}

TEST_CASE("the server closing right after a publish is disconnected_after_publish (AWS's policy deny)") {
    fleet f(shape());
    script t(f);
    t.connect();
    t.advance_past_report(1);
    CHECK(t.sent().size() == 1);
    t.s.on_transport_closed(wv::tls::tls_errc::closed, t.now);
    CHECK(t.d.session_end == outcome::disconnected_after_publish);
    CHECK(t.s.unacked() == 1);
}
