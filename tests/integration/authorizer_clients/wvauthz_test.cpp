// wvauthz as a user runs it: exit codes scripts can trust (0 connects, 1 denied, 3 invalid or
// error, 2 usage), JSON output, `test` against the shipped registry example, a short bench.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

using nlohmann::json;

namespace {

const std::string config_dir = std::string(WV_SOURCE_DIR_PATH) + "/config/authorizers/";

wv::test::run_result wvauthz(std::vector<std::string> args) {
    args.insert(args.begin(), WVAUTHZ_BIN);
    return wv::test::run(args, {}, std::chrono::seconds(60));
}

std::vector<std::string> simple(std::string password, std::string client_id = "2453AC035CBCBC9A") {
    return {"invoke", "--handler", "python:" + config_dir + "ayyeka_simple.py", "--iot-region", "eu-central-1",
            "--username", "TestUserName?x-amz-customauthorizer-name=wavelet", "--password", password,
            "--client-id", client_id, "--workers", "1"};
}

}  // namespace

TEST_CASE("invoke: 0 when the device would connect, 1 when denied by policy") {
    auto r = wvauthz(simple("TestPassword"));
    CHECK_MESSAGE(r.exit_code == 0, r.out, r.err);
    CHECK(r.out.find("device sees  CONNACK 0 (connection accepted)") != std::string::npos);
    CHECK(r.out.find("pass    principalId") != std::string::npos);
    CHECK(r.out.find("granted TestUserName") != std::string::npos);  // the function's own log line

    r = wvauthz(simple("wrong"));
    CHECK_MESSAGE(r.exit_code == 1, r.out, r.err);
    CHECK(r.out.find("explicit_deny") != std::string::npos);
}

TEST_CASE("invoke --json: the whole report as JSON") {
    auto args = simple("TestPassword");
    args.push_back("--json");
    const auto r = wvauthz(args);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const auto j = json::parse(r.out);
    CHECK(j["outcome"] == "allowed");
    CHECK(j["connect"]["decision"] == "allow");
    CHECK(j["event"]["protocolData"]["mqtt"]["password"] == "VGVzdFBhc3N3b3Jk");  // base64, as AWS sends it
    CHECK(j["validation"].size() == 9);
    CHECK(j["policy_statements"].size() == 2);
    CHECK(j["latency_ms"]["total"].get<double>() > 0);
}

TEST_CASE("invoke: 3 for an invalid reply and for a function that raises") {
    wv::test::temp_dir dir;
    const auto bad = dir.write("bad.py",
                               "def lambda_handler(event, context):\n"
                               "    if event['protocolData']['mqtt']['username'] == 'raise':\n"
                               "        raise RuntimeError('boom')\n"
                               "    return {'isAuthenticated': True, 'principalId': 'has-dash', 'policyDocuments': [],\n"
                               "            'disconnectAfterInSeconds': 10, 'refreshAfterInSeconds': 300}\n");
    auto r = wvauthz({"invoke", "--handler", "python:" + bad.string(), "--username", "u", "--password", "p",
                      "--client-id", "c", "--workers", "1"});
    CHECK_MESSAGE(r.exit_code == 3, r.out, r.err);
    CHECK(r.out.find("fail    principalId") != std::string::npos);
    CHECK(r.out.find("fail    disconnectAfterInSeconds") != std::string::npos);

    r = wvauthz({"invoke", "--handler", "python:" + bad.string(), "--username", "raise", "--workers", "1"});
    CHECK_MESSAGE(r.exit_code == 3, r.out, r.err);
    CHECK(r.out.find("function_error: RuntimeError: boom") != std::string::npos);
}

TEST_CASE("usage and config errors exit 2; --help exits 0") {
    CHECK(wvauthz({"--help"}).exit_code == 0);
    CHECK(wvauthz({"invoke", "--username", "u"}).exit_code == 2);                        // no backend
    CHECK(wvauthz({"invoke", "--static", "a:b", "--registry", "x.csv"}).exit_code == 2); // two backends
    CHECK(wvauthz({"invoke", "--bogus"}).exit_code == 2);
    CHECK(wvauthz({"invoke", "--handler", "python:/no/such.py"}).exit_code == 2);
    const auto r = wvauthz({"test", "--config", config_dir + "example.yaml", "--authorizer", "nope", "--credentials",
                            config_dir + "devices.csv"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("no authorizer named 'nope'") != std::string::npos);
}

TEST_CASE("test: the shipped registry example passes; a wrong expectation is a mismatch (exit 1)") {
    auto r = wvauthz({"test", "--config", config_dir + "example.yaml", "--authorizer", "registry-lookup", "--credentials",
                      config_dir + "devices.csv"});
    CHECK_MESSAGE(r.exit_code == 0, r.out, r.err);
    CHECK(r.out.find("mismatches  0") != std::string::npos);

    wv::test::temp_dir dir;
    const auto devices = dir.write("devices.csv",
                                   "username,password,client_id,expected,publish\n"
                                   "wavelet-0001,s3cret-0001,2453AC035CBCBC9A,deny,\n"
                                   "wavelet-0002,s3cret-0002,2453AC035CBCBC9B,allow,other/topic\n");
    r = wvauthz({"test", "--config", config_dir + "example.yaml", "--authorizer", "registry-lookup", "--credentials",
                 devices.string(), "--json"});
    CHECK_MESSAGE(r.exit_code == 1, r.out, r.err);
    const auto j = json::parse(r.out);
    REQUIRE(j["mismatches"].size() == 2);
    CHECK(j["mismatches"][0]["line"] == 2);
    CHECK(j["mismatches"][0]["check"] == "connect");
    CHECK(j["mismatches"][1]["check"] == "publish other/topic");
}

TEST_CASE("bench: a short open-loop run against the static backend, JSON") {
    const auto r = wvauthz({"bench", "--static", "dev1:pw1", "--rate", "200", "--duration", "0.5", "--username", "dev1",
                            "--password", "pw1", "--client-id", "dev1", "--json"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const auto j = json::parse(r.out);
    CHECK(j["sent"] == 100);
    CHECK(j["completed"] == 100);
    CHECK(j["outcomes"]["allowed"] == 100);
    CHECK(j["latency_ms"]["p99"].get<double>() >= j["latency_ms"]["p50"].get<double>());
}

// ---- Issue 12: one verdict for invoke, test and bench; region/account said once ----

namespace {

const std::string simple_handler = "python:" + config_dir + "ayyeka_simple.py";
const std::string simple_fleet = config_dir + "simple_fleet.csv";  // 2 allow rows, 1 wrong password

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("bench: Ayyeka's Deny statements count as denied_by_policy, as invoke says, in table, JSON and HTML") {
    // The table: nothing allowed when every call has the wrong password.
    auto r = wvauthz({"bench", "--handler", simple_handler, "--iot-region", "eu-central-1", "--workers", "1", "--username",
                      "TestUserName", "--password", "wrong", "--client-id", "2453AC035CBCBC9A", "--rate", "40", "--duration",
                      "0.5"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK_MESSAGE(r.out.find("outcomes      allowed 0, denied_by_policy 20, denied 0,") != std::string::npos, r.out);

    wv::test::temp_dir dir;
    const auto html = dir / "bench.html";
    // 30 calls over the three rows: 20 right passwords, 10 wrong ones answered with Deny statements.
    r = wvauthz({"bench", "--handler", simple_handler, "--iot-region", "eu-central-1", "--workers", "1", "--credentials",
                 simple_fleet, "--rate", "60", "--duration", "0.5", "--json", "--html", html.string()});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    auto j = json::parse(r.out);
    CHECK(j["completed"] == 30);
    CHECK(j["outcomes"]["allowed"] == 20);
    CHECK(j["outcomes"]["denied_by_policy"] == 10);
    CHECK(j["outcomes"]["denied"] == 0);
    CHECK_FALSE(j.contains("scope_mismatch"));
    CHECK(wv::test::read_file(html).find("<div class='v'>20 / 10 / 0</div><div class='l'>allowed / denied by policy / denied</div>") !=
          std::string::npos);

    // invoke on the same wrong-password input: the same word.
    r = wvauthz({"invoke", "--handler", simple_handler, "--iot-region", "eu-central-1", "--workers", "1", "--username",
                 "TestUserName", "--password", "wrong", "--client-id", "2453AC035CBCBC9C", "--json"});
    CHECK(r.exit_code == 1);
    CHECK(json::parse(r.out)["outcome"] == "denied_by_policy");

}

TEST_CASE("test: a handler that returns null is invalid_response, not an expected deny; --json lists every device") {
    wv::test::temp_dir dir;
    // Ayyeka-style answers, except that a password of 'crash' makes it return None (JSON null).
    const auto handler = dir.write("crashy.py",
                                   "import base64\n"
                                   "def lambda_handler(event, context):\n"
                                   "    mqtt = event['protocolData']['mqtt']\n"
                                   "    password = base64.b64decode(mqtt['password']).decode()\n"
                                   "    if password == 'crash':\n"
                                   "        return None\n"
                                   "    effect = 'Allow' if password == 'good' else 'Deny'\n"
                                   "    arn = 'arn:aws:iot:us-east-1:123456789012:client/' + mqtt['clientId']\n"
                                   "    return {'isAuthenticated': True, 'principalId': mqtt['clientId'],\n"
                                   "            'policyDocuments': [{'Version': '2012-10-17', 'Statement': [\n"
                                   "                {'Action': 'iot:Connect', 'Effect': effect, 'Resource': arn}]}],\n"
                                   "            'disconnectAfterInSeconds': 3600, 'refreshAfterInSeconds': 300}\n");
    const std::string rows = "akid,username,password,expected\n"
                             "A1,u1,good,allow\n"
                             "A2,u2,bad,deny\n"
                             "A3,u3,crash,deny\n";
    // A crash is not the refusal the file expects.
    auto r = wvauthz({"test", "--handler", "python:" + handler.string(), "--workers", "1", "--credentials",
                      dir.write("three.csv", rows).string()});
    CHECK_MESSAGE(r.exit_code == 1, r.out, r.err);
    CHECK(r.out.find("mismatches  1") != std::string::npos);

    const auto devices = dir.write("devices.csv", rows + "A4,u4,crash,invalid_response\n");
    r = wvauthz({"test", "--handler", "python:" + handler.string(), "--workers", "1", "--credentials", devices.string(),
                      "--json"});
    CHECK_MESSAGE(r.exit_code == 1, r.out, r.err);
    const auto j = json::parse(r.out);
    REQUIRE(j["mismatches"].size() == 1);
    CHECK(j["mismatches"][0]["line"] == 4);
    CHECK(j["mismatches"][0]["expected"] == "deny");
    CHECK(j["mismatches"][0]["actual"].get<std::string>().starts_with("invalid_response: "));
    REQUIRE(j["results"].size() == 4);
    const std::vector<std::string> outcomes{"allowed", "denied_by_policy", "invalid_response", "invalid_response"};
    const std::vector<bool> met{true, true, false, true};
    for (std::size_t i = 0; i < 4; ++i) {
        CHECK(j["results"][i]["line"] == i + 2);
        CHECK(j["results"][i]["client_id"] == "A" + std::to_string(i + 1));
        CHECK(j["results"][i]["outcome"] == outcomes[i]);
        CHECK(j["results"][i]["as_expected"] == met[i]);
        CHECK_FALSE(j["results"][i]["reason"].get<std::string>().empty());
    }
    CHECK(j["outcomes"]["invalid_response"] == 2);

    // The text form lists the mismatch with the outcome word and counts outcomes.
    r = wvauthz({"test", "--handler", "python:" + handler.string(), "--workers", "1", "--credentials", devices.string()});
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(r.out.find("outcomes    allowed 1, denied_by_policy 1, invalid_response 2") != std::string::npos, r.out);
    CHECK(r.out.find("invalid_response: ") != std::string::npos);
}

TEST_CASE("region mismatch: invoke, test and bench say it once, in words, with the fix") {
    const std::string says = "the authorizer's policies name region eu-central-1";
    const std::string fix = "Fix: set `--iot-region eu-central-1`";
    // invoke without --iot-region: the right password, and still refused.
    auto r = wvauthz({"invoke", "--handler", simple_handler, "--workers", "1", "--username", "TestUserName", "--password",
                      "TestPassword", "--client-id", "2453AC035CBCBC9A"});
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(count_of(r.out, says) == 1, r.out);
    CHECK(count_of(r.out, fix) == 1);
    CHECK(r.out.find("but region us-east-1 is used here") != std::string::npos);

    r = wvauthz({"test", "--handler", simple_handler, "--workers", "1", "--credentials", simple_fleet});
    CHECK(r.exit_code == 1);  // the two allow rows are refused
    CHECK_MESSAGE(count_of(r.out, says) == 1, r.out);
    CHECK(count_of(r.out, fix) == 1);

    r = wvauthz({"bench", "--handler", simple_handler, "--workers", "1", "--credentials", simple_fleet, "--rate", "40",
                 "--duration", "0.25", "--json"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const auto j = json::parse(r.out);
    CHECK(j["outcomes"]["allowed"] == 0);
    CHECK(j["scope_mismatch"].get<std::string>().find(says) == 0);

    // With the region the authorizer uses, config/authorizers/README.md's command passes.
    r = wvauthz({"test", "--handler", simple_handler, "--credentials", simple_fleet, "--iot-region", "eu-central-1"});
    CHECK_MESSAGE(r.exit_code == 0, r.out, r.err);
    CHECK(r.out.find("mismatches  0") != std::string::npos);
    CHECK(r.out.find(says) == std::string::npos);
}

TEST_CASE("bench --devices N with --credentials: the first N rows, said; more than the file has is refused") {
    auto r = wvauthz({"bench", "--handler", simple_handler, "--iot-region", "eu-central-1", "--workers", "1", "--credentials",
                      simple_fleet, "--devices", "2", "--rate", "40", "--duration", "0.25", "--json"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.err.find("--devices 2: using the first 2 of the 3 devices in " + simple_fleet) != std::string::npos);
    CHECK(json::parse(r.out)["outcomes"]["allowed"] == 10);  // rows 1 and 2 only: both right passwords

    r = wvauthz({"bench", "--static", "a:b", "--credentials", simple_fleet, "--devices", "5", "--duration", "0.1"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--devices 5 but " + simple_fleet + " has 3 device rows: give --devices 3 or fewer") != std::string::npos);
}

TEST_CASE("invoke --config: a wvgate config's functions:, by function name, ARN or authorizer") {
    const std::string gw = std::string(WV_SOURCE_DIR_PATH) + "/config/wvgate-ayyeka.yaml";
    const auto with = [&](const std::string& name) {
        return std::vector<std::string>{"invoke", "--config", gw, "--authorizer", name, "--iot-region", "eu-central-1",
                                        "--username", "TestUserName?x-amz-customauthorizer-name=wavelet",
                                        "--password", "TestPassword", "--client-id", "2453AC035CBCBC9A"};
    };
    for (const char* name : {"wavelet", "ayyeka-authorizer",
                             "arn:aws:lambda:eu-central-1:123456789012:function:ayyeka-authorizer"}) {
        const auto r = wvauthz(with(name));
        CHECK_MESSAGE(r.exit_code == 0, name, r.out, r.err);
        CHECK(r.out.find("ayyeka_simple.py") != std::string::npos);
    }
    const auto r = wvauthz(with("ayyeka-authorizr"));
    CHECK(r.exit_code == 2);
    CHECK_MESSAGE(r.err.find("no function or authorizer named 'ayyeka-authorizr'; known functions: ayyeka-authorizer "
                             "(arn:aws:lambda:eu-central-1:123456789012:function:ayyeka-authorizer), ayyeka-decoder") !=
                      std::string::npos,
                  r.err);
}

TEST_CASE("invoke --protocol http / wss: AWS's event for HTTPS publish and MQTT over WebSocket") {
    const std::vector<std::string> base{"invoke", "--handler", "python:" + config_dir + "token_authorizer.py",
                                        "--workers", "1", "--json"};
    auto args = base;
    args.insert(args.end(), {"--protocol", "http", "--header", "x-amz-customauthorizer-name: tokens", "--header",
                             "token: allow-me", "--query", "qos=1", "--token", "allow-me", "--topic", "wv/d1"});
    auto r = wvauthz(args);
    REQUIRE_MESSAGE(r.exit_code == 0, r.out, r.err);
    auto j = json::parse(r.out);
    CHECK(j["outcome"] == "allowed");
    CHECK(j["event"]["protocols"] == json::array({"tls", "http"}));
    CHECK(j["event"]["protocolData"]["http"] ==
          json{{"headers", {{"x-amz-customauthorizer-name", "tokens"}, {"token", "allow-me"}}}, {"queryString", "?qos=1"}});
    CHECK_FALSE(j["event"]["protocolData"].contains("mqtt"));
    CHECK(j["event"]["token"] == "allow-me");
    CHECK(j["publish"]["decision"] == "allow");
    CHECK(j["device_sees"].get<std::string>().rfind("HTTP 200", 0) == 0);

    // The policy allows wv/* only: HTTP 403, exit 1.
    args = base;
    args.insert(args.end(), {"--protocol", "http", "--token", "allow-me", "--topic", "other/d1"});
    r = wvauthz(args);
    CHECK_MESSAGE(r.exit_code == 1, r.out, r.err);
    CHECK(json::parse(r.out)["device_sees"].get<std::string>().rfind("HTTP 403", 0) == 0);
    // A token the function refuses: HTTP 401, exit 1.
    args = base;
    args.insert(args.end(), {"--protocol", "http", "--token", "nope"});
    r = wvauthz(args);
    CHECK_MESSAGE(r.exit_code == 1, r.out, r.err);
    CHECK(json::parse(r.out)["device_sees"].get<std::string>().rfind("HTTP 401", 0) == 0);

    // wss: the upgrade's headers and the CONNECT's fields, protocols tls+http+mqtt.
    args = base;
    args.insert(args.end(), {"--protocol", "wss", "--header", "Sec-WebSocket-Protocol: mqtt", "--username",
                             "u?x-amz-customauthorizer-name=tokens", "--client-id", "c1", "--token", "allow-me"});
    r = wvauthz(args);
    REQUIRE_MESSAGE(r.exit_code == 0, r.out, r.err);
    j = json::parse(r.out);
    CHECK(j["event"]["protocols"] == json::array({"tls", "http", "mqtt"}));
    CHECK(j["event"]["protocolData"]["http"]["queryString"] == "");
    CHECK(j["event"]["protocolData"]["mqtt"]["clientId"] == "c1");
    CHECK(j["connect"]["decision"] == "allow");

    // Flags that do not fit the protocol are usage errors.
    args = base;
    args.insert(args.end(), {"--protocol", "http", "--username", "u"});
    CHECK(wvauthz(args).exit_code == 2);
    args = base;
    args.insert(args.end(), {"--header", "token: x"});
    CHECK(wvauthz(args).exit_code == 2);
}
