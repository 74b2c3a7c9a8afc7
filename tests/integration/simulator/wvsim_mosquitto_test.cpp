// wvsim against a real mosquitto over TLS with a password file.
#include <doctest/doctest.h>

#include <csignal>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "payload/report_end.hpp"
#include "payload/samples_decoder.hpp"
#include "sim_helpers.hpp"
#include "support/ports.hpp"
#include "util/hex.hpp"

using namespace wv;
using namespace std::chrono_literals;

namespace {
std::map<std::string, std::string> fleet_users(int n) {
    std::map<std::string, std::string> u;
    for (int i = 0; i < n; ++i) u["dev" + std::to_string(i)] = "pw" + std::to_string(i);
    u["watcher"] = "watchpw";
    return u;
}

std::vector<std::string> base_args(std::uint16_t port, const simtest::ca_files& ca) {
    return {"--host", "localhost", "--port", std::to_string(port), "--cafile", ca.ca.string(), "--akid", "AKID{n}",
            "--username", "dev{n}", "--password", "pw{n}", "--authorizer", ""};
}

// The TEMP values of every report, keyed by (AKID, report_id), as a fresh mosquitto_sub saw them
// during one wvsim run. Timestamps are left out: they are the device's clock, not the seed's.
using values_map = std::map<std::pair<std::string, std::int64_t>, std::vector<std::uint64_t>>;

values_map capture_values(test::mosquitto_broker& b, const simtest::ca_files& ca, const test::temp_dir& dir,
                          const std::string& name, std::vector<std::string> args, std::size_t expected) {
    test::child_process sub({WV_MOSQUITTO_SUB, "-h", "localhost", "-p", std::to_string(b.port()), "--cafile",
                             ca.ca.string(), "-u", "watcher", "-P", "watchpw", "-i", name, "-q", "1", "-t",
                             "wv/+/1/samp/p1", "-F", "%t %x"});
    REQUIRE_MESSAGE(simtest::wait_for_log(b, "Sending SUBACK to " + name + "\n", 10s), b.log());
    const auto s = simtest::run_wvsim(dir, name, std::move(args));
    INFO(s.r.err);
    REQUIRE(s.r.exit_code == 0);
    CHECK(s.report["verify"]["ok"] == true);
    values_map out;
    const auto end = std::chrono::steady_clock::now() + 10s;
    while (out.size() < expected && std::chrono::steady_clock::now() < end) {
        out.clear();
        std::istringstream lines(sub.out());
        std::string topic, hex;
        while (lines >> topic >> hex) {
            const auto bytes = util::hex_decode(hex);
            REQUIRE(bytes);
            auto batch = payload::decode_samples_batch(
                std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()), {.strict = true});
            REQUIRE(batch);
            std::vector<std::uint64_t> v;
            for (const auto& m : batch->samples_batch)
                for (const auto& x : std::get<payload::periodic_samples>(m.samples).data)
                    v.push_back(std::get<std::uint64_t>(x));
            out[{topic.substr(3, topic.find('/', 3) - 3), batch->report_id}] = v;
        }
        if (out.size() < expected) std::this_thread::sleep_for(50ms);
    }
    CHECK(out.size() == expected);
    return out;
}
}  // namespace

TEST_CASE("sample values differ between devices and repeat with the same --seed") {
    if (!test::have_mosquitto()) return;
    test::temp_dir dir;
    const auto ca = simtest::make_ca(dir / "ca");
    auto broker = simtest::tls_mosquitto(ca, fleet_users(4));
    auto args = base_args(broker->port(), ca);
    args.insert(args.end(), {"--devices", "4", "--messages", "2", "--interval", "0.2", "--verify",
                             "--verify-username", "watcher", "--verify-password", "watchpw"});
    auto with_seed = [&](const char* seed) {
        auto a = args;
        a.insert(a.end(), {"--seed", seed});
        return a;
    };
    const auto first = capture_values(*broker, ca, dir, "seed7a", with_seed("7"), 8);
    const auto again = capture_values(*broker, ca, dir, "seed7b", with_seed("7"), 8);
    const auto other = capture_values(*broker, ca, dir, "seed8", with_seed("8"), 8);
    REQUIRE(first.size() == 8);
    // Every device's first report carries values of its own (they used to be device 0's).
    std::set<std::vector<std::uint64_t>> firsts;
    for (int n = 0; n < 4; ++n) firsts.insert(first.at({"AKID" + std::to_string(n), 1}));
    CHECK(firsts.size() == 4);
    CHECK(first.at({"AKID0", 1}) != first.at({"AKID0", 2}));
    CHECK(first == again);   // the same seed repeats every value
    CHECK(first != other);   // another seed gives other values
}

TEST_CASE("200 devices against mosquitto: every report decodes, report ids complete per device, wills arrive") {
    if (!test::have_mosquitto()) return;
    test::temp_dir dir;
    const auto ca = simtest::make_ca(dir / "ca");
    auto broker = simtest::tls_mosquitto(ca, fleet_users(200));
    const auto port = std::to_string(broker->port());
    test::child_process sub({WV_MOSQUITTO_SUB, "-h", "localhost", "-p", port, "--cafile", ca.ca.string(), "-u",
                             "watcher", "-P", "watchpw", "-i", "capture", "-q", "1", "-t", "wv/#", "-F", "%t %x"});
    REQUIRE_MESSAGE(simtest::wait_for_log(*broker, "Sending SUBACK to capture", 10s), broker->log());

    auto args = base_args(broker->port(), ca);
    args.insert(args.end(), {"--devices", "200", "--interval", "1", "--duration", "4", "--kill", "0.1",
                             "--verify", "--verify-username", "watcher", "--verify-password", "watchpw"});
    const auto s = simtest::run_wvsim(dir, "fleet", args);
    INFO(s.r.out, s.r.err);
    REQUIRE(s.r.exit_code == 0);
    const auto& rep = s.report;
    CHECK(simtest::outcome_count(rep, "connected") == 200);
    const auto killed = rep["devices_killed"].get<std::uint64_t>();
    CHECK(killed > 5);
    CHECK(killed < 45);
    const auto acked = rep["reports"]["acked"].get<std::uint64_t>();
    // A device killed between a report and its PUBACK never gets that ack: counted lost, at most
    // its 8-report in-flight window; devices that stop cleanly wait for theirs.
    const auto lost = rep["reports"]["lost"].get<std::uint64_t>();
    CHECK(acked + lost == rep["reports"]["sent"].get<std::uint64_t>());
    CHECK(lost <= killed * 8);
    CHECK(acked > 500);
    CHECK(rep["verify"]["ok"] == true);
    CHECK(rep["verify"]["wills_received"] == killed);

    // mosquitto_sub saw the same: poll its output until every acked report is there.
    std::map<std::string, std::set<std::int64_t>> ids;
    std::size_t wills = 0, closed = 0, undecodable = 0, retained = 0;
    const auto end = std::chrono::steady_clock::now() + 10s;
    for (;;) {
        ids.clear();
        wills = closed = undecodable = 0;
        std::istringstream lines(sub.out());
        std::string topic, hex;
        while (lines >> topic >> hex) {
            const auto bytes = util::hex_decode(hex);
            REQUIRE(bytes);
            const auto akid = topic.substr(3, topic.find('/', 3) - 3);
            if (topic.find("/1/samp/p1") != std::string::npos) {
                auto b = payload::decode_samples_batch(std::string_view(
                    reinterpret_cast<const char*>(bytes->data()), bytes->size()), {.strict = true});
                if (!b) { ++undecodable; continue; }
                CHECK(b->samples_batch.size() == 3);
                ids[akid].insert(b->report_id);
            } else if (topic.find("/1/reportend/p1") != std::string::npos) {
                auto e = payload::decode_report_end(std::span<const std::byte>(
                    reinterpret_cast<const std::byte*>(bytes->data()), bytes->size()));
                REQUIRE(e);
                (e->reason == 1 ? wills : closed)++;
            }
        }
        std::size_t total = 0;
        for (const auto& [k, v] : ids) total += v.size();
        // Wait for the ReportEnd(CLOSED) lines too: mosquitto_sub may flush them after the reports.
        if ((total >= acked && wills >= killed && closed >= 200 - killed) || std::chrono::steady_clock::now() > end)
            break;
        std::this_thread::sleep_for(50ms);
    }
    CHECK(undecodable == 0);
    CHECK(retained == 0);
    CHECK(wills == killed);
    CHECK(closed == 200 - killed);  // ReportEnd(CLOSED) from every clean stop
    CHECK(ids.size() == 200);
    for (const auto& [akid, set] : ids) {
        // Complete: 1..max with no gap (a set has no duplicates; QoS 1 redeliveries fold in).
        CHECK_MESSAGE(*set.begin() == 1, akid);
        CHECK_MESSAGE(static_cast<std::size_t>(*set.rbegin()) == set.size(), akid);
    }
}

TEST_CASE("--engine paho agrees with the default engine") {
    if (!test::have_mosquitto()) return;
    test::temp_dir dir;
    const auto ca = simtest::make_ca(dir / "ca");
    auto broker = simtest::tls_mosquitto(ca, fleet_users(10));
    auto args = base_args(broker->port(), ca);
    args.insert(args.end(), {"--devices", "10", "--messages", "3", "--interval", "0.5"});
    const auto a = simtest::run_wvsim(dir, "asio", args);
    args.insert(args.end(), {"--engine", "paho"});
    const auto p = simtest::run_wvsim(dir, "paho", args);
    INFO(a.r.err, p.r.err);
    REQUIRE(a.r.exit_code == 0);
    REQUIRE(p.r.exit_code == 0);
    CHECK(a.report["connect_outcomes"] == p.report["connect_outcomes"]);
    CHECK(a.report["reports"]["acked"] == 30);
    CHECK(p.report["reports"]["acked"] == 30);
    CHECK(p.report["engine"] == "paho");
    CHECK(a.report["session_ends"] == p.report["session_ends"]);
}

TEST_CASE("--engine paho: --kill drops connections without DISCONNECT, and as many wills fire as with the default engine") {
    if (!test::have_mosquitto()) return;
    test::temp_dir dir;
    const auto ca = simtest::make_ca(dir / "ca");
    auto broker = simtest::tls_mosquitto(ca, fleet_users(20));
    auto args = base_args(broker->port(), ca);
    args.insert(args.end(), {"--devices", "20", "--duration", "4", "--interval", "0.5", "--kill", "0.3", "--verify",
                             "--verify-username", "watcher", "--verify-password", "watchpw"});
    const auto a = simtest::run_wvsim(dir, "kill-asio", args);
    args.insert(args.end(), {"--engine", "paho"});
    const auto p = simtest::run_wvsim(dir, "kill-paho", args);
    INFO(a.r.err, p.r.err);
    REQUIRE(a.r.exit_code == 0);
    REQUIRE(p.r.exit_code == 0);
    const auto killed = a.report["devices_killed"].get<std::uint64_t>();
    CHECK(killed > 0);
    CHECK(p.report["devices_killed"] == killed);
    CHECK(a.report["verify"]["wills_received"] == killed);
    CHECK(p.report["verify"]["wills_received"] == killed);
    CHECK(p.report["session_ends"]["killed"] == killed);
    CHECK(p.report["session_ends"] == a.report["session_ends"]);
    // Paho hides its TCP and TLS steps: absent from the report, not 0.
    CHECK_FALSE(p.report["latency_us"].contains("tls_handshake"));
    CHECK(a.report["latency_us"]["tls_handshake"]["count"] == 20);
}

TEST_CASE("--engine paho: --churn reconnects each device cleanly, every report still arrives") {
    if (!test::have_mosquitto()) return;
    test::temp_dir dir;
    const auto ca = simtest::make_ca(dir / "ca");
    auto broker = simtest::tls_mosquitto(ca, fleet_users(5));
    auto args = base_args(broker->port(), ca);
    args.insert(args.end(), {"--devices", "5", "--duration", "3.5", "--interval", "0.5", "--churn", "1", "--engine",
                             "paho", "--verify", "--verify-client-id", "churnwatch", "--verify-username", "watcher",
                             "--verify-password", "watchpw"});
    const auto p = simtest::run_wvsim(dir, "churn-paho", args);
    INFO(p.r.out, p.r.err);
    REQUIRE(p.r.exit_code == 0);
    const auto churned = p.report["session_ends"]["churned"].get<std::uint64_t>();
    CHECK(churned >= 5);  // each device reconnects at least twice in 3.5 s; near the end a stop may win
    CHECK(simtest::outcome_count(p.report, "connected") == 5 + churned);
    CHECK(p.report["session_ends"]["clean_stop"] == 5);
    CHECK(p.report["verify"]["ok"] == true);
    CHECK(p.report["verify"]["report_ends_closed"].get<std::uint64_t>() == 5 + churned);
    CHECK(p.report["reports"]["unsent"].empty());  // Paho's reconnects used to come 1-3 s late
    CHECK(broker->log().find(" as churnwatch ") != std::string::npos);  // --verify-client-id
}

TEST_CASE("a stalled server: reports wait for their PUBACKs instead of being dropped, and count as late") {
    if (!test::have_mosquitto()) return;
    test::temp_dir dir;
    const auto ca = simtest::make_ca(dir / "ca");
    auto broker = simtest::tls_mosquitto(ca, fleet_users(3));
    auto args = base_args(broker->port(), ca);
    const auto json = dir / "stall.json";
    args.insert(args.begin(), WVSIM_PATH);
    args.insert(args.end(), {"--devices", "3", "--interval", "0.1", "--jitter", "0", "--duration", "4", "--verify",
                             "--verify-username", "watcher", "--verify-password", "watchpw", "--quiet", "--json",
                             json.string()});
    test::child_process sim(args);
    for (int n = 0; n < 3; ++n)
        REQUIRE_MESSAGE(simtest::wait_for_log(*broker, " as AKID" + std::to_string(n) + " ", 20s), broker->log());
    // 2 s without an answer: 20 reports per device come due, the 8-report window fills.
    broker->process().signal(SIGSTOP);
    std::this_thread::sleep_for(2s);  // the stall under test, not a wait for readiness
    broker->process().signal(SIGCONT);
    const auto code = sim.wait(60s);
    INFO(sim.err());
    REQUIRE(code);
    CHECK(*code == 0);
    const auto rep = nlohmann::json::parse(test::read_file(json));
    const auto& r = rep["reports"];
    CHECK(r["unsent"].empty());
    CHECK(r["skipped"] == 0);
    CHECK(r["sent"] == r["due"]);  // none dropped for a full window (they used to be skipped)
    CHECK(r["acked"] == r["sent"]);
    CHECK(r["late"].get<std::uint64_t>() > 0);
    CHECK(rep["latency_us"]["puback"]["max"].get<std::uint64_t>() > 1'000'000);  // the stall shows as latency
    CHECK(rep["verify"]["ok"] == true);
}

TEST_CASE("taxonomy against mosquitto: closed port, wrong CA, bad password each land in their bucket") {
    if (!test::have_mosquitto()) return;
    test::temp_dir dir;
    const auto ca = simtest::make_ca(dir / "ca");
    const auto other = simtest::make_ca(dir / "other-ca");
    auto broker = simtest::tls_mosquitto(ca, fleet_users(3));

    SUBCASE("closed port") {
        const auto port = test::free_tcp_port();  // nothing listens there
        auto args = base_args(port, ca);
        args.insert(args.end(), {"--devices", "3", "--duration", "2"});
        const auto s = simtest::run_wvsim(dir, "closed", args);
        CHECK(s.r.exit_code == 1);  // no device connected
        CHECK(simtest::outcome_count(s.report, "tcp_refused") == 3);
    }
    SUBCASE("wrong CA") {
        auto args = base_args(broker->port(), other);
        args.insert(args.end(), {"--devices", "3", "--duration", "2"});
        const auto s = simtest::run_wvsim(dir, "wrong-ca", args);
        CHECK(s.r.exit_code == 1);
        CHECK(simtest::outcome_count(s.report, "tls_cert_verify_failed") == 3);
    }
    SUBCASE("bad password") {
        auto args = base_args(broker->port(), ca);
        args.insert(args.end(), {"--devices", "3", "--duration", "2", "--password", "wrong{n}"});
        const auto s = simtest::run_wvsim(dir, "bad-pw", args);
        CHECK(s.r.exit_code == 1);
        // mosquitto answers a wrong password with CONNACK 5 under MQTT 3.1.1.
        CHECK(simtest::outcome_count(s.report, "connack_not_authorized") +
                  simtest::outcome_count(s.report, "connack_bad_credentials") == 3);
    }
}
