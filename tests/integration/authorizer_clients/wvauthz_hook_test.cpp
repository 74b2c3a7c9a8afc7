// wvauthz hook invoke|bench: a pre-provisioning hook called as AWS calls it on RegisterThing
// (the example python hook through the handler backend): exit codes scripts can trust (0
// allowed, 1 refused, 3 garbage / raised, 2 usage), the overrides and the function's log, and
// an open-loop bench with allowed / denied / errors by kind.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "support/child_process.hpp"

using nlohmann::json;

namespace {

const std::string hook = "python:" + std::string(WV_SOURCE_DIR_PATH) + "/tests/integration/provisioning/hook.py";

wv::test::run_result wvauthz_hook(std::vector<std::string> args) {
    args.insert(args.begin(), {WVAUTHZ_BIN, "hook"});
    args.insert(args.end(), {"--handler", hook, "--workers", "1"});
    return wv::test::run(args, {}, std::chrono::seconds(60));
}

}  // namespace

TEST_CASE("hook invoke: allowed with overrides (0), refused (1), garbage and an exception (3), with the log") {
    auto r = wvauthz_hook({"invoke", "--param", "SerialNumber=1007", "--json", "--iot-region", "eu-west-1"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    const auto j = json::parse(r.out);
    CHECK(j["verdict"] == "allowed");
    CHECK(j["parameterOverrides"] == json{{"Site", "austin"}});
    CHECK(j["event"]["parameters"] == json{{"SerialNumber", "1007"}});
    CHECK(j["event"]["templateArn"] == "arn:aws:iot:eu-west-1:123456789012:provisioningtemplate/fleet");
    CHECK(j["event"]["certificatePem"].get<std::string>().starts_with("-----BEGIN CERTIFICATE-----"));
    CHECK(j["log"].dump().find("hook: serial 1007") != std::string::npos);

    r = wvauthz_hook({"invoke", "--param", "SerialNumber=bad-1"});
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("verdict     refused") != std::string::npos);
    CHECK(r.out.find("403 AccessDenied") != std::string::npos);

    r = wvauthz_hook({"invoke", "--param", "SerialNumber=garbage"});
    CHECK(r.exit_code == 3);
    CHECK(r.out.find("not a JSON object") != std::string::npos);

    r = wvauthz_hook({"invoke", "--param", "SerialNumber=raise"});
    CHECK(r.exit_code == 3);
    CHECK(r.out.find("ValueError: serial raise is on the recall list") != std::string::npos);

    r = wvauthz_hook({"invoke", "--param", "SerialNumber"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--param SerialNumber: expected NAME=VALUE") != std::string::npos);
}

TEST_CASE("hook bench: open loop, allowed and refused counted apart, no errors") {
    // Serials 1..50: the hook refuses the one ending in 13.
    const auto r = wvauthz_hook({"bench", "--param", "SerialNumber={n}", "--devices", "50", "--rate", "100",
                                 "--duration", "1", "--json", "--expect", "errors==0%"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
    const auto j = json::parse(r.out);
    CHECK(j["sent"] == 100);
    CHECK(j["outcomes"]["denied"] == 2);   // device 13, twice round the 50
    CHECK(j["outcomes"]["allowed"] == 98);
}
