// wvsim's embedded gateway run from the user's own wvgate YAML, with real python handlers as the
// user has them: Ayyeka's authorizer (config/authorizers/ayyeka_simple.py) and decoder Lambdas
// under a `validate` rule (issue 12 items 2, 5, 6 and 11).
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <sstream>

#include "../rules_engine/reference_decoder_py.hpp"
#include "gateway/gateway.hpp"
#include "sim_helpers.hpp"

using namespace wv;

namespace {

const std::filesystem::path source_dir = WV_SOURCE_DIR_PATH;

// A gateway YAML: one listener, the given authorizer block and extra top-level keys.
std::filesystem::path gateway_yaml(const test::temp_dir& dir, const std::string& authorizer,
                                   const std::string& extra = "", std::uint16_t port = 0) {
    std::ostringstream y;
    y << "endpoint_host: localhost\n"
      << "log: {level: error}\n"
      << "listeners:\n  - {name: sim, kind: aws-443, address: 127.0.0.1, port: " << port << "}\n"
      << "default_authorizer: wavelet\n"  // the name wvsim's devices give by default
      << "authorizers:\n  - name: wavelet\n" << authorizer << extra;
    return dir.write("gw.yaml", y.str());
}

// The static backend with one login for the whole fleet (own topics), and the flags giving it.
const std::vector<std::string> fleet_login{"--username", "wavelet", "--password", "changeme"};
std::vector<std::string> with_login(std::vector<std::string> args) {
    args.insert(args.end(), fleet_login.begin(), fleet_login.end());
    return args;
}
std::string static_any(const test::temp_dir&) {
    return "    backend: static\n"
           "    default_policies:\n      - '" + gate::own_topics_policy("wv") + "'\n"
           "    credentials:\n      - {username: wavelet, password: changeme}\n";
}

// Ayyeka's rule, with a validate action whose decoder is `decoder` (a python file in `dir`).
std::string validate_rule(const std::string& decoder, const std::string& bug = "") {
    return "rules:\n"
           "  - name: wavelet_decoder\n"
           "    sql: \"SELECT clientid() AS client_id, topic() AS topic, encode(*, 'base64') AS data, "
           "timestamp() AS timestamp FROM 'wv/#'\"\n"
           "    sql_version: '2016-03-23'\n"
           "    actions:\n"
           "      - validate:\n"
           "          decoder: {backend: handler, handler: 'python:" + decoder + "', workers: 2, "
           "environment: {BUG: '" + bug + "'}}\n";
}

std::string run_text(const simtest::sim_run& s) { return s.r.out + "\n--- stderr ---\n" + s.r.err; }

}  // namespace

TEST_CASE("item 2: a validate rule that mismatches fails the run, with its counts by kind in the summary and JSON") {
    test::temp_dir dir;
    dir.write("decoder.py", std::string(rules_engine_test::plain_python_decoder));
    SUBCASE("a decoder that drops a field: exit 1, the counts by kind") {
        const auto gw = gateway_yaml(dir, static_any(dir), validate_rule("decoder.py", "drop_field"));
        const auto s = simtest::run_wvsim(dir, "mismatch", with_login({"--gateway-config", gw.string(), "--devices", "4",
                                                            "--duration", "2", "--interval", "0.5"}));
        INFO(run_text(s));
        CHECK(s.r.exit_code == 1);
        REQUIRE(s.report.contains("rules"));
        const auto& acts = s.report["rules"]["actions"];
        REQUIRE(acts.size() == 1);
        const auto& v = acts[0]["validation"];
        const auto acked = s.report["reports"]["acked"].get<std::uint64_t>();
        CHECK(acked > 4);
        // Every report and every ReportEnd went through the rule; each report is a mismatch
        // (ReportEnds are ignored by both decoders: matched).
        CHECK(v["validated"].get<std::uint64_t>() >= acked);
        CHECK(v["mismatched"].get<std::uint64_t>() == acked);
        CHECK(v["mismatched_by_kind"]["missing_field"].get<std::uint64_t>() == acked);
        CHECK(s.report["rules"]["ok"] == false);
        CHECK(s.r.out.find("Rules (embedded gateway):") != std::string::npos);
        CHECK(s.r.out.find("mismatched by kind: missing_field " + std::to_string(acked)) != std::string::npos);
        CHECK(s.r.out.find("Result: FAILED: rules: rule 'wavelet_decoder' validate") != std::string::npos);
        CHECK(s.r.out.find(std::to_string(acked) + " mismatched (missing_field " + std::to_string(acked) + ")") ==
              std::string::npos);  // the line says "N of M mismatched"
        CHECK(s.r.out.find(" mismatched (missing_field " + std::to_string(acked) + ")") != std::string::npos);

        // `wvsim merge` keeps the rules and the verdict.
        const auto m = test::run({WVSIM_PATH, "merge", (dir / "mismatch.json").string()});
        CHECK(m.exit_code == 1);
        CHECK(m.out.find("Rules (embedded gateway):") != std::string::npos);
    }
    SUBCASE("a decoder that raises: errors fail the run too") {
        const auto gw = gateway_yaml(dir, static_any(dir), validate_rule("decoder.py", "raise"));
        const auto s = simtest::run_wvsim(dir, "raise", with_login({"--gateway-config", gw.string(), "--devices", "2",
                                                         "--duration", "2", "--interval", "0.5"}));
        INFO(run_text(s));
        CHECK(s.r.exit_code == 1);
        REQUIRE(s.report.contains("rules"));
        CHECK(s.report["rules"]["actions"][0]["validation"]["errors"].get<std::uint64_t>() > 0);
        CHECK(s.r.out.find("Result: FAILED: rules:") != std::string::npos);
    }
    SUBCASE("a correct decoder: the same run is OK, and the summary says so") {
        const auto gw = gateway_yaml(dir, static_any(dir), validate_rule("decoder.py"));
        const auto s = simtest::run_wvsim(dir, "good", with_login({"--gateway-config", gw.string(), "--devices", "2",
                                                        "--duration", "2", "--interval", "0.5"}));
        INFO(run_text(s));
        CHECK(s.r.exit_code == 0);
        REQUIRE(s.report.contains("rules"));
        const auto& v = s.report["rules"]["actions"][0]["validation"];
        CHECK(v["mismatched"] == 0);
        CHECK(v["matched"].get<std::uint64_t>() >= s.report["reports"]["acked"].get<std::uint64_t>());
        CHECK(s.report["rules"]["ok"] == true);
    }
}

TEST_CASE("item 5: --verify with Ayyeka's authorizer in the embedded gateway observes inside it, no login") {
    test::temp_dir dir;
    // Ayyeka's simple authorizer, unchanged: principalId is the client id, and it grants no
    // subscribe at all. Its policies name eu-central-1, so the gateway is told it is there.
    const auto gw = gateway_yaml(dir,
                                 "    backend: handler\n"
                                 "    handler: 'python:" + (source_dir / "config/authorizers/ayyeka_simple.py").string() +
                                     "'\n    workers: 2\n",
                                 "region: eu-central-1\n");
    const auto s = simtest::run_wvsim(dir, "verify", {"--gateway-config", gw.string(), "--devices", "6",
                                                      "--duration", "3", "--interval", "0.5", "--kill", "0.4",
                                                      "--username", "TestUserName", "--password", "TestPassword", "--verify"});
    INFO(run_text(s));
    CHECK(s.r.exit_code == 0);
    CHECK(simtest::outcome_count(s.report, "connected") == 6);
    REQUIRE(s.report.contains("verify"));
    CHECK(s.report["verify"]["ok"] == true);
    // A device killed between its PUBLISH and the PUBACK leaves a report the broker took but the
    // device never saw acknowledged: received lies between acked and sent.
    const auto received = s.report["verify"]["reports_received"].get<std::uint64_t>();
    CHECK(received >= s.report["reports"]["acked"].get<std::uint64_t>());
    CHECK(received <= s.report["reports"]["sent"].get<std::uint64_t>());
    CHECK(s.report["verify"]["wills_received"] == s.report["devices_killed"]);
    // The verifier is nobody the authorizer saw: one call per device login, none for it.
    CHECK(s.report["gateway"]["authorizer_calls"] == 6);

    // With --host the verifier's client id is the user's to choose; without, it is refused.
    const auto bad = test::run({WVSIM_PATH, "--verify-client-id", "watcher", "--devices", "1", "--duration", "1"});
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("--verify-client-id is for --verify with --host") != std::string::npos);
}

TEST_CASE("item 6: --churn against the gateway's 1 CONNECT/s per client id: reconnects keep 1 s apart") {
    test::temp_dir dir;
    // The built-in gateway enforces AWS's quota; a churn every 0.4 s asks for faster reconnects.
    const auto s = simtest::run_wvsim(dir, "churn", {"--devices", "8", "--duration", "4", "--interval", "0.5",
                                                     "--churn", "0.4", "--verify"});
    INFO(run_text(s));
    CHECK(s.r.exit_code == 0);
    CHECK(simtest::outcome_count(s.report, "throttled") == 0);
    CHECK(simtest::outcome_count(s.report, "closed_without_connack") == 0);
    CHECK(s.report["gateway"]["connects_throttled"] == 0);
    const auto churned = s.report["session_ends"]["churned"].get<std::uint64_t>();
    CHECK(churned >= 8);  // every device reconnected at least once
    CHECK(simtest::outcome_count(s.report, "connected") == 8 + churned);
    CHECK(s.report["reports"]["skipped"] == 0);
    CHECK(s.report["devices_down_at_end"] == 0);
    CHECK(s.report["verify"]["ok"] == true);
}

TEST_CASE("item 6: a refused reconnect retries with backoff; without retries the device is down and the run fails") {
    test::temp_dir dir;
    // An authorizer that refuses the second login of every client id, and only that one.
    dir.write("second_login_refused.py",
              "seen = {}\n"
              "POLICY = '{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iot:*\","
              "\"Resource\":\"*\"}]}'\n"
              "def lambda_handler(event, context):\n"
              "    cid = event['protocolData']['mqtt']['clientId']\n"
              "    n = seen.get(cid, 0)\n"
              "    seen[cid] = n + 1\n"
              "    return {'isAuthenticated': n != 1, 'principalId': cid, 'policyDocuments': [POLICY],\n"
              "            'disconnectAfterInSeconds': 3600, 'refreshAfterInSeconds': 300}\n");
    const auto gw = gateway_yaml(dir, "    backend: handler\n    handler: 'python:second_login_refused.py'\n"
                                      "    workers: 1\n");
    // 8 s: the python authorizer's worker starts on the first login, 3 s at load 8 (ctest -j):
    // churn at 2.5 s after that, the refused login and the retry must still fit in the run.
    const std::vector<std::string> common{"--gateway-config", gw.string(), "--devices", "3", "--duration", "8",
                                          "--interval", "0.5", "--churn", "2.5"};
    SUBCASE("with backoff: every device comes back") {
        auto args = common;
        args.insert(args.end(), {"--retry-backoff", "0.2,0.5"});
        const auto s = simtest::run_wvsim(dir, "retry", args);
        INFO(run_text(s));
        CHECK(s.r.exit_code == 0);
        CHECK(simtest::outcome_count(s.report, "closed_without_connack") == 3);  // each device's second login
        CHECK(simtest::outcome_count(s.report, "connected") >= 6);
        CHECK(s.report["devices_down_at_end"] == 0);
        CHECK(s.report["reports"]["unsent"].empty());
    }
    SUBCASE("--retry-backoff off: the devices stay down, and the run says so") {
        auto args = common;
        args.insert(args.end(), {"--retry-backoff", "off"});
        const auto s = simtest::run_wvsim(dir, "noretry", args);
        INFO(run_text(s));
        CHECK(s.r.exit_code == 1);
        CHECK(s.report["devices_down_at_end"] == 3);
        CHECK(s.report["reports"]["unsent"]["connection_lost"].get<std::uint64_t>() > 0);
        CHECK(s.r.out.find("Result: FAILED: 3 of 3 devices were down at the end") != std::string::npos);
    }
}

TEST_CASE("item 6: a throttled CONNECT is its own outcome at the embedded gateway") {
    test::temp_dir dir;
    // Two rows sharing one client id connect at once: the gateway admits one CONNECT per second.
    const auto csv = dir.write("devices.csv",
                               "akid,username,password,authorizer,expected\n"
                               "SHARED1,wavelet,changeme,wavelet,allow\n"
                               "SHARED1,wavelet,changeme,wavelet,allow\n");
    const auto gw = gateway_yaml(dir, static_any(dir));
    const auto s = simtest::run_wvsim(dir, "throttle", {"--gateway-config", gw.string(), "--credentials",
                                                        csv.string(), "--duration", "1.5"});
    INFO(run_text(s));
    CHECK(s.r.exit_code == 1);
    CHECK(simtest::outcome_count(s.report, "throttled") == 1);
    CHECK(simtest::outcome_count(s.report, "closed_without_connack") == 0);
    CHECK(s.r.out.find("throttled: a 2nd CONNECT within 1 s") != std::string::npos);
}

TEST_CASE("item 11: the embedded gateway under wvsim: quiet, any free port, a bad config exits 2") {
    test::temp_dir dir;
    SUBCASE("a config naming busy ports and info logging: wvsim still runs, on free ports, at warn") {
        // Hold a port, as a wvgate already running from the same file would.
        boost::asio::io_context io;
        boost::asio::ip::tcp::acceptor busy(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
        const auto port = busy.local_endpoint().port();
        auto gw = gateway_yaml(dir, static_any(dir), "metrics: {port: " + std::to_string(port) + "}\n", port);
        std::string text = test::read_file(gw);
        text.replace(text.find("level: error"), 12, "level: info");
        gw = dir.write("gw.yaml", text);
        const auto s = simtest::run_wvsim(dir, "ports", with_login({"--gateway-config", gw.string(), "--devices", "3",
                                                         "--duration", "1.5"}));
        INFO(run_text(s));
        CHECK(s.r.exit_code == 0);
        CHECK(s.r.err.find("\"eventType\":\"Connect\"") == std::string::npos);  // info lines stay off
        CHECK(s.r.err.find("the embedded gateway logs at warn (the config says info") != std::string::npos);
        CHECK(s.r.err.find("embedded wvgate metrics on http://127.0.0.1:") != std::string::npos);
        CHECK(s.r.err.find("127.0.0.1:" + std::to_string(port) + "/metrics") == std::string::npos);
        // Asked for, the info lines come.
        const auto loud = simtest::run_wvsim(dir, "loud", with_login({"--gateway-config", gw.string(), "--devices", "1",
                                                           "--duration", "1", "--gateway-log-level", "info"}));
        CHECK(loud.r.exit_code == 0);
        CHECK(loud.r.err.find("\"eventType\":\"Connect\"") != std::string::npos);
    }
    SUBCASE("an unknown key: exit 2 with file:line, nothing ran") {
        const auto gw = gateway_yaml(dir, static_any(dir), "no_such_key: 1\n");
        const auto s = simtest::run_wvsim(dir, "bad", {"--gateway-config", gw.string(), "--devices", "1"});
        CHECK(s.r.exit_code == 2);
        CHECK(s.r.err.find(gw.string() + ":") != std::string::npos);
        CHECK(s.r.err.find("no_such_key") != std::string::npos);
        CHECK(s.report.is_null());
    }
    SUBCASE("a rule whose SQL does not compile: exit 2") {
        const auto gw = gateway_yaml(dir, static_any(dir),
                                     "rules:\n  - name: r\n    sql: \"SELECT FROM WHERE\"\n    actions:\n"
                                     "      - file: {path: out.jsonl}\n");
        const auto s = simtest::run_wvsim(dir, "badsql", {"--gateway-config", gw.string(), "--devices", "1"});
        CHECK(s.r.exit_code == 2);
        CHECK(s.r.err.find("gw.yaml:15: rules[0].sql: column 8") != std::string::npos);
    }
}
