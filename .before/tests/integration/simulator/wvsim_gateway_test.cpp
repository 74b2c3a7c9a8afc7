// wvsim against its embedded wvgate: the README's main command, expected-vs-actual from a
// credentials file, and the failure classes the gateway provokes (ALPN refused, policy deny).
#include <doctest/doctest.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "gateway/gateway.hpp"
#include "sim_helpers.hpp"

using namespace wv;

TEST_CASE("the main command: the embedded gateway, a fleet, a report with plots") {
    test::temp_dir dir;
    const auto html = dir / "report.html";
    const auto s = simtest::run_wvsim(dir, "main", {"--devices", "40", "--duration", "3", "--kill", "0.1", "--verify",
                                                    "--html", html.string()});
    INFO(s.r.err);
    REQUIRE(s.r.exit_code == 0);
    CHECK(simtest::outcome_count(s.report, "connected") == 40);
    CHECK(s.report["embedded_gateway"] == true);
    CHECK(s.report["verify"]["ok"] == true);
    CHECK(s.report["reports"]["acked"].get<int>() > 40);
    CHECK(s.report["latency_us"]["connack"]["count"] == 40);
    CHECK(s.r.out.find("Latency") != std::string::npos);
    const auto page = test::read_file(html);
    CHECK(page.find("<svg") != std::string::npos);
    CHECK(page.find("Connected devices") != std::string::npos);
}

TEST_CASE("credentials file mixing good and bad passwords: outcome counts and expected-vs-actual are exact") {
    test::temp_dir dir;
    // The gateway knows D1, D2, D3, D4, D5 with these passwords; D6 it does not know at all.
    std::ostringstream gw;
    gw << "endpoint_host: localhost\n"
       << "log: {level: off}\n"
       << "listeners:\n  - {name: sim, kind: aws-443, address: 127.0.0.1, port: 0}\n"
       << "default_authorizer: auth\n"
       << "authorizers:\n  - name: auth\n    backend: static\n"
       << "    default_policies:\n      - '" << gate::own_topics_policy("wv") << "'\n"
       << "    credentials:\n";
    for (int i = 1; i <= 5; ++i) gw << "      - {username: u" << i << ", password: good" << i << "}\n";
    const auto gw_file = dir.write("gw.yaml", gw.str());
    const auto csv = dir.write("devices.csv",
                               "akid,username,password,authorizer,expected\n"
                               "D1,u1,good1,auth,allow\n"
                               "D2,u2,good2,auth,allow\n"
                               "D3,u3,WRONG,auth,deny\n"
                               "D4,u4,WRONG,auth,allow\n"   // expected in, kept out: a mismatch
                               "D5,u5,good5,auth,deny\n"    // expected out, let in: a finding
                               "D6,nobody,x,auth,deny\n");
    const auto s = simtest::run_wvsim(dir, "creds", {"--credentials", csv.string(), "--gateway-config",
                                                     gw_file.string(), "--duration", "2"});
    INFO(s.r.err);
    CHECK(s.r.exit_code == 1);  // expectations failed
    REQUIRE(s.report.is_object());
    CHECK(simtest::outcome_count(s.report, "connected") == 3);
    CHECK(simtest::outcome_count(s.report, "closed_without_connack") == 3);
    CHECK(s.report["expectations"]["checked"] == 6);
    CHECK(s.report["expectations"]["met"] == 4);
    const auto& mm = s.report["expectations"]["mismatches"];
    REQUIRE(mm.size() == 2);
    CHECK(mm[0] == nlohmann::json{{"akid", "D4"}, {"expected", "allow"}, {"actual", "closed_without_connack"}});
    CHECK(mm[1] == nlohmann::json{{"akid", "D5"}, {"expected", "deny"}, {"actual", "connected"}});
    CHECK(s.r.out.find("the authorizer let a deny device in") != std::string::npos);
}

TEST_CASE("taxonomy at the gateway: ALPN refused, denied topic") {
    test::temp_dir dir;
    SUBCASE("no acceptable ALPN: the port-443 listener refuses the handshake") {
        const auto s = simtest::run_wvsim(dir, "alpn", {"--devices", "3", "--duration", "2", "--alpn", "h2"});
        CHECK(s.r.exit_code == 1);
        CHECK(simtest::outcome_count(s.report, "tls_alpn_rejected") == 3);
    }
    SUBCASE("a publish outside the policy: disconnected after publish") {
        const auto s = simtest::run_wvsim(dir, "deny", {"--devices", "3", "--duration", "3", "--interval", "0.5",
                                                        "--topic", "other/{akid}/samp"});
        CHECK(simtest::outcome_count(s.report, "connected") == 3);
        CHECK(s.report["session_ends"]["disconnected_after_publish"] == 3);
    }
}

TEST_CASE("two shards and `wvsim merge`: one fleet, per-second histograms merged, the exit code of the whole") {
    test::temp_dir dir;
    std::vector<std::unique_ptr<test::child_process>> shards;
    for (int i = 0; i < 2; ++i)
        shards.push_back(std::make_unique<test::child_process>(std::vector<std::string>{
            WVSIM_PATH, "--devices", "20", "--duration", "3", "--interval", "0.5", "--shard", std::to_string(i) + "/2",
            "--quiet", "--json", (dir / ("shard-" + std::to_string(i) + ".json")).string()}));
    for (auto& s : shards) {
        const auto code = s->wait(std::chrono::seconds(60));
        INFO(s->err());
        REQUIRE(code);
        CHECK(*code == 0);
    }
    const auto merged = dir / "fleet.json";
    const auto m = test::run({WVSIM_PATH, "merge", (dir / "shard-0.json").string(), (dir / "shard-1.json").string(),
                              "--json", merged.string()});
    INFO(m.err);
    CHECK(m.exit_code == 0);
    CHECK(m.out.find("2 shards merged") != std::string::npos);
    CHECK(m.out.find("Result: OK (exit 0)") != std::string::npos);
    const auto j = nlohmann::json::parse(test::read_file(merged));
    CHECK(j["format"] == 2);
    CHECK(j["devices"] == 20);
    CHECK(simtest::outcome_count(j, "connected") == 20);
    // Every CONNACK of either shard is in exactly one second's merged histogram.
    std::uint64_t connacks = 0, pubacks = 0;
    for (const auto& row : j["timeline_latency"]) {
        connacks += row[0][0].get<std::uint64_t>();
        pubacks += row[1][0].get<std::uint64_t>();
    }
    CHECK(connacks == 20);
    CHECK(pubacks == j["reports"]["acked"].get<std::uint64_t>());
    // A merge input that is not a report: exit 2, naming the file.
    const auto bad = dir.write("bad.json", "{\"tool\": \"other\"}");
    const auto b = test::run({WVSIM_PATH, "merge", bad.string()});
    CHECK(b.exit_code == 2);
    CHECK(b.err.find("bad.json") != std::string::npos);
}

TEST_CASE("--engine paho against the embedded gateway: it trusts the gateway's CA, and its kills fire wills") {
    test::temp_dir dir;
    const auto s = simtest::run_wvsim(dir, "paho-gw", {"--engine", "paho", "--devices", "20", "--duration", "4",
                                                       "--interval", "0.5", "--kill", "0.3", "--verify"});
    INFO(s.r.err);
    REQUIRE(s.r.exit_code == 0);
    CHECK(simtest::outcome_count(s.report, "connected") == 20);
    const auto killed = s.report["devices_killed"].get<std::uint64_t>();
    CHECK(killed > 0);
    CHECK(s.report["verify"]["ok"] == true);
    CHECK(s.report["verify"]["wills_received"] == killed);
    CHECK(s.r.err.find("CONNECTION_LOST") == std::string::npos);  // the gateway's log stays quiet
}

TEST_CASE("Ayyeka's authorizer on a us-east-1 gateway: --devices takes the first rows; the region mismatch said once") {
    test::temp_dir dir;
    const std::string authorizers = std::string(WV_SOURCE_DIR_PATH) + "/config/authorizers/";
    const auto gw_file = dir.write("gw.yaml", "endpoint_host: localhost\n"
                                              "region: us-east-1\n"
                                              "account: \"123456789012\"\n"
                                              "log: {level: off}\n"
                                              "listeners:\n  - {name: sim, kind: aws-443, address: 127.0.0.1, port: 0}\n"
                                              "default_authorizer: wavelet\n"
                                              "authorizers:\n"
                                              "  - name: wavelet\n"
                                              "    backend: handler\n"
                                              "    handler: python:" + authorizers + "ayyeka_simple.py\n"
                                              "    workers: 1\n");
    const auto fleet = authorizers + "simple_fleet.csv";  // 3 rows sharing one user name; rows 1-2 allow
    const auto s = simtest::run_wvsim(dir, "region", {"--credentials", fleet, "--devices", "2", "--gateway-config",
                                                      gw_file.string(), "--duration", "2"});
    INFO(s.r.out);
    INFO(s.r.err);
    CHECK(s.r.exit_code == 1);  // both devices expected in, both refused
    REQUIRE(s.report.is_object());
    CHECK(s.report["devices"] == 2);
    CHECK(simtest::outcome_count(s.report, "closed_without_connack") == 2);
    CHECK(s.r.err.find("wvsim: --devices 2: running the first 2 of the 3 devices in " + fleet) != std::string::npos);
    // Said once, in words, with the fix, in the summary and the JSON.
    const std::string says = "the authorizer's policies name region eu-central-1";
    std::size_t n = 0;
    for (auto p = s.r.out.find(says); p != std::string::npos; p = s.r.out.find(says, p + 1)) ++n;
    CHECK(n == 1);
    CHECK(s.r.out.find("Fix: set `region: eu-central-1` in the gateway config") != std::string::npos);
    CHECK(s.report["gateway"]["scope_mismatch"].get<std::string>().find(says) == 0);

    // More devices than rows: refused before anything runs.
    const auto too_many = simtest::run_wvsim(dir, "too_many", {"--credentials", fleet, "--devices", "9", "--duration", "1"});
    CHECK(too_many.r.exit_code == 2);
    CHECK(too_many.r.err.find("--devices 9 but " + fleet + " has 3 device rows: give --devices 3 or fewer") !=
          std::string::npos);
}
