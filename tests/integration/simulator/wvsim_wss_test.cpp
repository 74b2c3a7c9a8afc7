// wvsim --transport wss: MQTT over WebSocket against the embedded gateway (the same fleet,
// reports and verification as MQTT over TLS), a refused upgrade as its own outcome bucket with
// its HTTP status, and the flags that do not combine with it.
#include <doctest/doctest.h>

#include "sim_helpers.hpp"

using namespace wv;

TEST_CASE("wvsim --transport wss: the fleet connects, reports and verifies over WebSocket") {
    test::temp_dir dir;
    const auto s = simtest::run_wvsim(dir, "wss", {"--transport", "wss", "--devices", "30", "--duration", "3",
                                                   "--kill", "0.1", "--verify"});
    INFO(s.r.err);
    REQUIRE(s.r.exit_code == 0);
    CHECK(simtest::outcome_count(s.report, "connected") == 30);
    CHECK(s.report["transport"] == "wss");
    CHECK(s.report["verify"]["ok"] == true);
    CHECK(s.report["reports"]["acked"].get<int>() > 30);
    CHECK(s.r.out.find("MQTT over WebSocket") != std::string::npos);
}

TEST_CASE("wvsim --transport wss: an upgrade the server refuses is counted with its HTTP status") {
    test::temp_dir dir;
    // The gateway serves WebSocket at /mqtt only: another path is 404, before any MQTT.
    const auto s = simtest::run_wvsim(dir, "refused", {"--transport", "wss", "--ws-path", "/elsewhere", "--devices",
                                                       "5", "--duration", "2"});
    INFO(s.r.err);
    CHECK(s.r.exit_code != 0);  // nobody connected: the run did not hold
    CHECK(simtest::outcome_count(s.report, "ws_upgrade_refused:404") == 5);
    CHECK(simtest::outcome_count(s.report, "connected") == 0);
}

TEST_CASE("wvsim --transport wss: flags that do not go with it are refused with exit 2") {
    test::temp_dir dir;
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"--transport", "wss", "--engine", "paho"},
             {"--transport", "wss", "--ws-path", "mqtt"},
             {"--ws-path", "/mqtt"}}) {
        const auto s = simtest::run_wvsim(dir, "bad", args);
        CHECK(s.r.exit_code == 2);
    }
}

namespace {

// The embedded wvgate with `iam:` keys (what a SigV4 upgrade is verified against): a long-term
// key and a temporary one whose requests must carry its session token.
std::filesystem::path sigv4_gateway_config(const test::temp_dir& dir) {
    dir.write("sigv4-gw.yaml",
              "listeners: [{name: aws-443, kind: aws-443, port: 0}]\n"
              "region: eu-west-1\n"
              "iam:\n"
              "  - access_key_id: AKIDWVSIMSIGV4TEST1\n"
              "    secret_access_key: 'wvsim/Secret+Key1'\n"
              "    principal: arn:aws:iam::123456789012:user/fleet\n"
              "    policy: {Version: '2012-10-17', Statement: [{Effect: Allow, Action: 'iot:*', Resource: '*'}]}\n"
              "  - access_key_id: ASIAWVSIMTEMPKEY01\n"
              "    secret_access_key: tmpSecret\n"
              "    session_token: 'FwoGZXIvYXdzEXAMPLE/token+='\n"
              "    policy: {Version: '2012-10-17', Statement: [{Effect: Allow, Action: 'iot:*', Resource: '*'}]}\n");
    return dir / "sigv4-gw.yaml";
}

// A fleet of 10 devices for 3 s over wss with SigV4-presigned upgrades against sigv4_gateway_config.
simtest::sim_run sigv4_fleet(const test::temp_dir& dir, const std::string& gw, const std::string& name,
                             std::vector<std::string> keys) {
    std::vector<std::string> args{"--transport", "wss",    "--auth",   "sigv4",      "--gateway-config", gw,
                                  "--region",    "eu-west-1", "--devices", "10", "--duration", "3"};
    args.insert(args.end(), keys.begin(), keys.end());
    return simtest::run_wvsim(dir, name, args);
}

}  // namespace

// Four cases (accepted keys, then each refusal), not one: five fleets one after another took 40 s,
// the longest test of the suite; side by side under ctest -j the longest takes 11.
TEST_CASE("wvsim --transport wss --auth sigv4: presigned upgrades against wvgate's iam: keys, with and without a "
          "session token") {
    test::temp_dir dir;
    const auto gw = sigv4_gateway_config(dir).string();
    auto fleet = [&](const std::string& name, std::vector<std::string> keys) {
        return sigv4_fleet(dir, gw, name, std::move(keys));
    };
    auto s = fleet("allowed", {"--access-key-id", "AKIDWVSIMSIGV4TEST1", "--secret-access-key", "wvsim/Secret+Key1",
                               "--verify"});
    INFO(s.r.err);
    CHECK(s.r.exit_code == 0);
    CHECK(simtest::outcome_count(s.report, "connected") == 10);
    CHECK(s.report["verify"]["ok"] == true);
    CHECK(s.report["gateway"]["authorizer_calls"] == 0);  // SigV4 decided at the upgrade, no authorizer
    // The report keeps the command line, the secret masked.
    CHECK(s.report["command_line"].get<std::string>().find("wvsim/Secret+Key1") == std::string::npos);
    CHECK(s.report["command_line"].get<std::string>().find("--secret-access-key '****'") != std::string::npos);
    // Temporary credentials: the token appended to the presigned URL, unsigned, as AWS's SDKs do.
    s = fleet("token", {"--access-key-id", "ASIAWVSIMTEMPKEY01", "--secret-access-key", "tmpSecret", "--session-token",
                        "FwoGZXIvYXdzEXAMPLE/token+="});
    INFO(s.r.err);
    CHECK(s.r.exit_code == 0);
    CHECK(simtest::outcome_count(s.report, "connected") == 10);
}

// A refused fleet runs about 11 s whatever its --duration: one case each, side by side.
TEST_CASE("wvsim --transport wss --auth sigv4: a wrong secret is refused with 403") {
    test::temp_dir dir;
    const auto s = sigv4_fleet(dir, sigv4_gateway_config(dir).string(), "wrong-secret",
                               {"--access-key-id", "AKIDWVSIMSIGV4TEST1", "--secret-access-key", "not-the-secret"});
    CHECK(s.r.exit_code != 0);
    CHECK(simtest::outcome_count(s.report, "ws_upgrade_refused:403") == 10);
    CHECK(simtest::outcome_count(s.report, "connected") == 0);
}

TEST_CASE("wvsim --transport wss --auth sigv4: a wrong session token is refused with 403") {
    test::temp_dir dir;
    const auto s = sigv4_fleet(dir, sigv4_gateway_config(dir).string(), "wrong-token",
                               {"--access-key-id", "ASIAWVSIMTEMPKEY01", "--secret-access-key", "tmpSecret",
                                "--session-token", "another-token"});
    CHECK(simtest::outcome_count(s.report, "ws_upgrade_refused:403") == 10);
}

TEST_CASE("wvsim --transport wss --auth sigv4: a wrong region is refused with 403") {
    test::temp_dir dir;
    const auto s = sigv4_fleet(dir, sigv4_gateway_config(dir).string(), "wrong-region",
                               {"--access-key-id", "AKIDWVSIMSIGV4TEST1", "--secret-access-key", "wvsim/Secret+Key1",
                                "--region", "us-east-1"});
    CHECK(simtest::outcome_count(s.report, "ws_upgrade_refused:403") == 10);
}

TEST_CASE("wvsim --auth sigv4: flags that do not go with it are refused with exit 2") {
    test::temp_dir dir;
    const auto gw = sigv4_gateway_config(dir).string();
    const std::vector<std::string> keys{"--access-key-id", "AK", "--secret-access-key", "SK"};
    auto with_keys = [&](std::vector<std::string> a) {
        a.insert(a.end(), keys.begin(), keys.end());
        return a;
    };
    for (const auto& args : std::vector<std::vector<std::string>>{
             with_keys({"--auth", "sigv4", "--gateway-config", gw}),                        // not wss
             with_keys({"--auth", "sigv4", "--transport", "wss"}),                          // embedded gateway, no iam:
             with_keys({"--auth", "sigv4", "--transport", "wss", "--gateway-config", gw, "--ws-path", "/mqtt?a=b"}),
             {"--auth", "sigv4", "--transport", "wss", "--gateway-config", gw, "--access-key-id", "AK"},  // no secret
             with_keys({"--transport", "wss"})}) {                                          // keys without sigv4
        const auto s = simtest::run_wvsim(dir, "bad", args);
        INFO(s.r.err);
        CHECK(s.r.exit_code == 2);
    }
}

TEST_CASE("wvsim --transport wss: an authorizer denial at CONNECT lands in the same bucket as over TLS") {
    test::temp_dir dir;
    // `deny` rows: the embedded gateway's static authorizer answers isAuthenticated false.
    const auto csv = dir.write("fleet.csv",
                               "akid,username,password,authorizer,expected\n"
                               "AAAA000000000001,u1,secret-1,wavelet,allow\n"
                               "AAAA000000000002,u2,secret-2,wavelet,allow\n"
                               "AAAA000000000003,u3,secret-3,wavelet,deny\n");
    const auto s = simtest::run_wvsim(dir, "wss-deny", {"--transport", "wss", "--credentials", csv.string(),
                                                        "--duration", "2"});
    INFO(s.r.err);
    REQUIRE(s.report.is_object());
    CHECK(s.r.exit_code == 0);  // the denial was expected
    CHECK(simtest::outcome_count(s.report, "connected") == 2);
    CHECK(simtest::outcome_count(s.report, "closed_without_connack") == 1);
    CHECK(s.report["expectations"]["met"] == 3);
}
