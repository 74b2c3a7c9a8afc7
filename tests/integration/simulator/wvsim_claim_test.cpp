// wvsim --onboard claim:<t> / trusted-user:<t>: a fleet with no certificates provisions itself
// through the embedded wvgate running config/provisioning/wvgate-fleet.yaml (the example
// template and the python pre-provisioning hook through the handler backend), reconnects with
// its new certificates and runs; the devices the hook must refuse are listed in a file.
#include <doctest/doctest.h>

#include <fstream>

#include "sim_helpers.hpp"
#include "support/temp_dir.hpp"

using namespace wv;

namespace {

const std::string fleet_config = std::string(WV_SOURCE_DIR_PATH) + "/config/provisioning/wvgate-fleet.yaml";

std::vector<std::string> claim_args(const std::string& onboard, const std::string& devices) {
    // Client ids dev0, dev1, ...; serial numbers 0, 1, ...: the hook refuses serials ending in 13.
    return {"--gateway-config", fleet_config, "--onboard", onboard, "--akid", "dev{n}", "--devices", devices,
            "--provision-param", "SerialNumber={n}", "--duration", "2"};
}

}  // namespace

TEST_CASE("wvsim --onboard claim:fleet: CSR, RegisterThing with the hook, reconnect, then the run; refusals as listed") {
    if (std::string(WV_PYTHON3).empty()) {
        MESSAGE("SKIPPED: needs python3 (scripts/install-deps.sh)");
        return;
    }
    test::temp_dir dir;
    std::ofstream(dir / "refuse.txt") << "# the hook refuses serial 13\ndev13\n";
    auto args = claim_args("claim:fleet", "16");
    args.insert(args.end(), {"--provision-refuse", (dir / "refuse.txt").string(), "--html", (dir / "claim.html").string()});
    const auto s = simtest::run_wvsim(dir, "claim", args);
    INFO(s.r.err);
    REQUIRE(s.r.exit_code == 0);
    const auto& ob = s.report["onboarding"];
    CHECK(ob["mode"] == "claim:fleet");
    CHECK(ob["devices"] == 16);
    CHECK(ob["provisioned"] == 15);
    CHECK(ob["device_outcomes"]["provisioned"] == 15);
    CHECK(ob["device_outcomes"]["refused_as_expected"] == 1);
    CHECK(ob["mismatches"].empty());
    for (const char* step : {"connect", "create", "register", "reconnect"}) {
        INFO(step);
        CHECK(ob["steps_us"][step]["count"].get<int>() >= 15);
    }
    CHECK(ob["hook_us"]["count"] == 16);  // every RegisterThing called the hook, the refused one too
    CHECK(simtest::outcome_count(s.report, "connected") == 15);  // the run: the provisioned devices only
    CHECK(s.report["devices"] == 15);
    CHECK(s.r.out.find("Onboarding (claim:fleet): 15 of 16 devices provisioned") != std::string::npos);
    const auto html = test::read_file(dir / "claim.html");
    CHECK(html.find("Onboarding (--onboard claim:fleet)") != std::string::npos);
}

TEST_CASE("wvsim --onboard claim:fleet: a refusal nobody listed fails the run and names the device") {
    if (std::string(WV_PYTHON3).empty()) {
        MESSAGE("SKIPPED: needs python3 (scripts/install-deps.sh)");
        return;
    }
    test::temp_dir dir;
    const auto s = simtest::run_wvsim(dir, "unlisted", claim_args("claim:fleet", "14"));
    CHECK(s.r.exit_code == 1);
    const auto& ob = s.report["onboarding"];
    CHECK(ob["device_outcomes"]["register_rejected:403 AccessDenied"] == 1);
    REQUIRE(ob["mismatches"].size() == 1);
    CHECK(ob["mismatches"][0].get<std::string>().starts_with("dev13: the hook refused it"));
    CHECK(s.r.out.find("devices did not meet --provision-refuse's expectation") != std::string::npos);
}

TEST_CASE("wvsim --onboard trusted-user:fleet: a claim per device, CreateKeysAndCertificate, then the run") {
    if (std::string(WV_PYTHON3).empty()) {
        MESSAGE("SKIPPED: needs python3 (scripts/install-deps.sh)");
        return;
    }
    test::temp_dir dir;
    auto args = claim_args("trusted-user:fleet", "4");
    args.insert(args.end(), {"--provision-key", "keys"});
    const auto s = simtest::run_wvsim(dir, "trusted", args);
    INFO(s.r.err);
    REQUIRE(s.r.exit_code == 0);
    const auto& ob = s.report["onboarding"];
    CHECK(ob["mode"] == "trusted-user:fleet");
    CHECK(ob["provisioned"] == 4);
    CHECK(ob["steps_us"]["claim"]["count"] == 4);  // CreateProvisioningClaim per device
    CHECK(simtest::outcome_count(s.report, "connected") == 4);
}

TEST_CASE("wvsim --onboard claim: usage errors say what to write") {
    test::temp_dir dir;
    auto s = simtest::run_wvsim(dir, "bad1", {"--onboard", "claim", "--devices", "1", "--duration", "1"});
    CHECK(s.r.exit_code == 2);
    CHECK(s.r.err.find("expected jitr, claim:<template> or trusted-user:<template>") != std::string::npos);
    s = simtest::run_wvsim(dir, "bad2", {"--provision-param", "SerialNumber={n}", "--devices", "1", "--duration", "1"});
    CHECK(s.r.exit_code == 2);
    CHECK(s.r.err.find("are for --onboard claim:<template>") != std::string::npos);
    s = simtest::run_wvsim(dir, "bad3", {"--onboard", "claim:fleet", "--provision-param", "SerialNumber", "--devices", "1"});
    CHECK(s.r.exit_code == 2);
    CHECK(s.r.err.find("expected NAME=VALUE") != std::string::npos);
}

TEST_CASE("wvsim --onboard claim:fleet without --quiet: the onboarding block is in the summary once, stderr has its headline") {
    if (std::string(WV_PYTHON3).empty()) {
        MESSAGE("SKIPPED: needs python3 (scripts/install-deps.sh)");
        return;
    }
    auto args = claim_args("claim:fleet", "3");
    args.insert(args.begin(), WVSIM_PATH);
    const auto r = test::run(args, {}, std::chrono::seconds(60));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto count = [](const std::string& text, const std::string& what) {
        std::size_t n = 0;
        for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
        return n;
    };
    CHECK(count(r.out, "Onboarding (claim:fleet): 3 of 3 devices provisioned") == 1);
    CHECK(count(r.out, "  register : p50") == 1);
    CHECK(count(r.err, "wvsim: Onboarding (claim:fleet): 3 of 3 devices provisioned") == 1);
    CHECK(count(r.err, "  register : p50") == 0);
}

TEST_CASE("wvsim --onboard claim:fleet --provision-format cbor: the devices use the /cbor topics and CBOR payloads") {
    if (std::string(WV_PYTHON3).empty()) {
        MESSAGE("SKIPPED: needs python3 (scripts/install-deps.sh)");
        return;
    }
    test::temp_dir dir;
    std::ofstream(dir / "refuse.txt") << "dev13\n";
    auto args = claim_args("claim:fleet", "14");
    args.insert(args.end(), {"--provision-format", "cbor", "--provision-refuse", (dir / "refuse.txt").string(),
                             "--gateway-log-level", "info"});
    const auto s = simtest::run_wvsim(dir, "cbor", args);
    REQUIRE_MESSAGE(s.r.exit_code == 0, s.r.err.substr(0, 4000));
    const auto& ob = s.report["onboarding"];
    CHECK(ob["format"] == "cbor");
    CHECK(ob["provisioned"] == 13);
    CHECK(ob["device_outcomes"]["refused_as_expected"] == 1);  // the hook's refusal, read from a CBOR rejection
    // The embedded gateway's log: every request the service answered came on a /cbor topic
    // (14 creates, 14 RegisterThings), none on /json.
    std::size_t cbor = 0, json_topics = 0;
    for (auto at = s.r.err.find("\"eventType\":\"Provisioning\""); at != std::string::npos;
         at = s.r.err.find("\"eventType\":\"Provisioning\"", at + 1)) {
        const auto line = s.r.err.substr(s.r.err.rfind('\n', at) + 1, s.r.err.find('\n', at) - s.r.err.rfind('\n', at));
        if (line.find("/cbor/") != std::string::npos) ++cbor;
        if (line.find("/json/") != std::string::npos) ++json_topics;
    }
    CHECK(cbor == 28);
    CHECK(json_topics == 0);
    CHECK(s.r.out.find("the API in CBOR (the /cbor topics)") != std::string::npos);
}
