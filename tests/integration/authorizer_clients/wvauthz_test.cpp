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
