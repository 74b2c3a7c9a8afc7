// wvsim --mqtt 5 against mosquitto 2.0.11 as an MQTT 5 broker (TLS, password file, ACL), started
// by the test on 127.0.0.1: reports acked and delivered with their User Properties (seen by a
// mosquitto_sub -V 5), and mosquitto's reason codes in the outcome taxonomy: a bad password as a
// CONNACK reason code, an ACL denial as PUBACK 0x87 per report, a report over max_packet_size
// as the server's DISCONNECT 0x95; and the same buckets from --engine paho.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "sim_helpers.hpp"

using namespace wv;
using namespace std::chrono_literals;

namespace {

bool have_peers() {
    if (test::have_mosquitto()) return true;
    MESSAGE("SKIPPED: mosquitto is not installed (scripts/install-deps.sh installs it)");
    return false;
}

std::vector<std::string> args5(std::uint16_t port, const simtest::ca_files& ca) {
    return {"--host", "localhost", "--port", std::to_string(port), "--cafile", ca.ca.string(), "--akid", "AKID{n}",
            "--username", "dev{n}", "--password", "pw{n}", "--authorizer", "", "--mqtt", "5"};
}

}  // namespace

TEST_CASE("--mqtt 5 against mosquitto: every report acked and delivered, its User Properties seen by mosquitto_sub -V 5") {
    if (!have_peers()) return;
    test::temp_dir dir;
    const auto ca = simtest::make_ca(dir / "ca");
    std::map<std::string, std::string> users{{"watcher", "watchpw"}};
    for (int i = 0; i < 5; ++i) users["dev" + std::to_string(i)] = "pw" + std::to_string(i);
    auto b = simtest::tls_mosquitto(ca, users);

    test::child_process sub({WV_MOSQUITTO_SUB, "-V", "5", "-h", "localhost", "-p", std::to_string(b->port()), "--cafile",
                             ca.ca.string(), "-u", "watcher", "-P", "watchpw", "-i", "watch5", "-q", "1", "-t",
                             "wv/+/1/samp/p1", "-F", "%t %P"});
    REQUIRE_MESSAGE(simtest::wait_for_log(*b, "Sending SUBACK to watch5\n", 10s), b->log());
    auto args = args5(b->port(), ca);
    args.insert(args.end(), {"--devices", "5", "--messages", "3", "--session-expiry", "60", "--user-property",
                             "site=lab-{n:2}", "--user-property", "fw=2.1", "--verify", "--verify-username", "watcher",
                             "--verify-password", "watchpw"});
    const auto s = simtest::run_wvsim(dir, "ok5", args);
    INFO(s.r.err);
    INFO(b->log());
    CHECK(s.r.exit_code == 0);
    REQUIRE(s.report.is_object());
    CHECK(s.report["mqtt_version"] == "5");
    CHECK(s.report["topic_alias"] == true);
    CHECK(simtest::outcome_count(s.report, "connected") == 5);
    CHECK(s.report["reports"]["acked"] == 15);
    CHECK(s.report["verify"]["ok"] == true);
    // mosquitto saw a level-5 CONNECT from every device.
    CHECK(b->log().find("New client connected from 127.0.0.1") != std::string::npos);
    CHECK(b->log().find("as AKID3 (p5, c1, k60, u'dev3')") != std::string::npos);

    // Topic aliases resolved by the broker: each report arrives on its full topic, with the
    // device's own User Properties in the order given.
    std::string out;
    const auto end = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < end) {
        out = sub.out();
        if (std::count(out.begin(), out.end(), '\n') >= 15) break;
        std::this_thread::sleep_for(50ms);
    }
    std::istringstream lines(out);
    std::map<std::string, int> seen;
    for (std::string line; std::getline(lines, line);) ++seen[line];
    for (int i = 0; i < 5; ++i) {
        const auto n = std::to_string(i);
        CHECK_MESSAGE(seen["wv/AKID" + n + "/1/samp/p1 site:lab-0" + n + " fw:2.1"] == 3, out);
    }
}

TEST_CASE("--mqtt 5 against mosquitto: a bad password is connack_refused with the reason code, an ACL denial "
          "puback_refused 0x87 per report") {
    if (!have_peers()) return;
    test::temp_dir dir;
    const auto ca = simtest::make_ca(dir / "ca");
    // dev0 may publish its reports; dev1 only its ReportEnd; dev2's password is not pw2.
    auto b = simtest::tls_mosquitto(ca, {{"dev0", "pw0"}, {"dev1", "pw1"}, {"dev2", "other"}},
                     {"user dev0", "topic readwrite wv/#", "user dev1", "topic readwrite wv/AKID1/1/reportend/#"});
    auto args = args5(b->port(), ca);
    args.insert(args.end(), {"--devices", "3", "--messages", "2"});
    const auto s = simtest::run_wvsim(dir, "refused5", args);
    INFO(s.r.out);
    INFO(b->log());
    CHECK(s.r.exit_code == 1);
    REQUIRE(s.report.is_object());
    CHECK(simtest::outcome_count(s.report, "connected") == 2);
    const auto& co = s.report["connect_outcomes"];
    // mosquitto 2.0.11 answers a bad password at MQTT 5 with 0x87 Not authorized, not 0x86 (3.1.1:
    // CONNACK 5, not 4), and sends no reason string.
    CHECK_MESSAGE(co.value("connack_refused:0x87", 0) == 1, co.dump());
    CHECK(simtest::count_prefix(s.report["refused"], "puback_refused:0x87") == 2);
    CHECK(s.report["reports"]["acked"] == 2);  // dev0's; dev1's denied reports are not acked
    CHECK(s.r.out.find("MQTT 5 PUBACK refused the report 0x87 Not authorized") != std::string::npos);
    CHECK(s.r.out.find("MQTT 5 CONNACK refused 0x87 Not authorized") != std::string::npos);
    CHECK(s.r.out.find("| MQTT 5 (topic alias) |") != std::string::npos);
}

TEST_CASE("--mqtt 5 against mosquitto: a report over the Maximum Packet Size of its CONNACK is not sent, counted "
          "as refused; the session stays") {
    if (!have_peers()) return;
    test::temp_dir dir;
    const auto ca = simtest::make_ca(dir / "ca");
    // mosquitto's max_packet_size goes into its MQTT 5 CONNACK as Maximum Packet Size; the client
    // must not send a larger packet (5.0 3.2.2.3.6). The CONNECT (about 70 bytes) fits; a
    // default report (about 105) does not. (Before the client honoured it, mosquitto answered
    // each such report with DISCONNECT 0x95.)
    auto b = simtest::tls_mosquitto(ca, {{"dev0", "pw0"}}, {}, {"max_packet_size 90"});
    auto args = args5(b->port(), ca);
    args.insert(args.end(), {"--devices", "1", "--duration", "3"});
    const auto s = simtest::run_wvsim(dir, "too-large", args);
    INFO(s.r.out);
    INFO(b->log());
    CHECK(s.r.exit_code == 1);  // refused reports fail the run
    REQUIRE(s.report.is_object());
    CHECK(simtest::outcome_count(s.report, "connected") == 1);
    CHECK(simtest::count_prefix(s.report["refused"], "puback_refused:not sent: larger than the server's Maximum Packet Size") >= 2);
    CHECK(simtest::count_prefix(s.report["session_ends"], "server_disconnect") == 0);
    CHECK(s.report["reports"]["acked"] == 0);
}

TEST_CASE("--engine paho --mqtt 5 against mosquitto: the same buckets as wvsim's own engine") {
    if (!have_peers()) return;
    test::temp_dir dir;
    const auto ca = simtest::make_ca(dir / "ca");
    auto b = simtest::tls_mosquitto(ca, {{"dev0", "pw0"}, {"dev1", "pw1"}, {"dev2", "other"}},
                     {"user dev0", "topic readwrite wv/#", "user dev1", "topic readwrite wv/AKID1/1/reportend/#"});
    auto args = args5(b->port(), ca);
    args.insert(args.end(), {"--devices", "3", "--messages", "2", "--engine", "paho", "--session-expiry", "30",
                             "--user-property", "site=lab-{n:2}"});
    const auto s = simtest::run_wvsim(dir, "paho5", args);
    INFO(s.r.out);
    INFO(s.r.err);
    CHECK(s.r.exit_code == 1);
    REQUIRE(s.report.is_object());
    CHECK(s.report["engine"] == "paho");
    CHECK(s.report["mqtt_version"] == "5");
    CHECK(s.report["topic_alias"] == false);
    CHECK(simtest::outcome_count(s.report, "connected") == 2);
    const auto& co = s.report["connect_outcomes"];
    CHECK_MESSAGE(co.value("connack_refused:0x87", 0) == 1, co.dump());
    CHECK(simtest::count_prefix(s.report["refused"], "puback_refused:0x87") == 2);
    CHECK(s.report["reports"]["acked"] == 2);
    CHECK(s.report["reports"]["lost"] == 0);  // refused, not lost
    CHECK(b->log().find("as AKID0 (p5, c1, k60, u'dev0')") != std::string::npos);
}
