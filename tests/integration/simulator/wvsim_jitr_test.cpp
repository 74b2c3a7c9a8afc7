// wvsim --onboard jitr: a fleet whose certificates nobody registered onboards itself by
// just-in-time registration against the embedded wvgate running config/jitr/wvgate-jitr.yaml
// (the example activation Lambda, python + boto3 + asn1crypto, through the handler backend):
// every device is refused first, retries with its backoff, and is active before the run.
#include <doctest/doctest.h>

#include "sim_helpers.hpp"
#include "support/temp_dir.hpp"

using namespace wv;

namespace {

std::vector<std::string> jitr_args(const simtest::ca_files& ca, const std::string& devices) {
    const auto dir = ca.ca.parent_path();
    return {"--onboard", "jitr", "--device-ca", ca.ca.string(), "--device-ca-key", (dir / "ca.key").string(),
            "--devices", devices, "--retry-backoff", "1,2", "--duration", "1",
            // The example Lambda's policy: connect as the certificate's CN, publish under devices/<CN>/.
            "--topic", "devices/{akid}/samp", "--will-topic", "devices/{akid}/end"};
}

}  // namespace

TEST_CASE("wvsim --onboard jitr with the example activation Lambda: refused first, then active, then publishing") {
    if (std::string(WV_PYTHON3).empty()) {
        MESSAGE("SKIPPED: needs python3 with boto3 and asn1crypto (scripts/install-deps.sh)");
        return;
    }
    test::temp_dir dir;
    const auto ca = simtest::make_ca(dir / "devca");
    auto args = jitr_args(ca, "6");
    args.insert(args.end(), {"--gateway-config", std::string(WV_SOURCE_DIR_PATH) + "/config/jitr/wvgate-jitr.yaml",
                             "--onboard-timeout", "60", "--html", (dir / "jitr.html").string(), "--expect", "time_to_active.p99<60s", "--expect",
                             "never_active==0"});
    const auto s = simtest::run_wvsim(dir, "jitr", args);
    INFO(s.r.err);
    REQUIRE(s.r.exit_code == 0);
    const auto& ob = s.report["onboarding"];
    CHECK(ob["mode"] == "jitr");
    CHECK(ob["devices"] == 6);
    CHECK(ob["active"] == 6);
    CHECK(ob["device_outcomes"]["active_after_retry"] == 6);
    CHECK(ob["time_to_active_us"]["count"] == 6);
    // Refused at least once each: PENDING_ACTIVATION (registration under way, or the Lambda not done yet).
    CHECK(ob["attempt_outcomes"]["x509_inactive"].get<int>() >= 6);
    CHECK(ob["attempt_outcomes"]["connected"] == 6);
    CHECK(ob["time_to_active_us"]["p50"].get<std::uint64_t>() >= 1'000'000);  // a retry is at least 1 s later
    CHECK(s.report["latency_us"].contains("time_to_active"));
    CHECK(simtest::outcome_count(s.report, "connected") == 6);  // the run itself, after onboarding
    CHECK(s.r.out.find("Onboarding (jitr): 6 of 6 devices active") != std::string::npos);
    const auto html = test::read_file(dir / "jitr.html");
    CHECK(html.find("Onboarding (--onboard jitr)") != std::string::npos);
    CHECK(html.find("Onboarding (jitr): 6 of 6 devices active") != std::string::npos);
    REQUIRE(s.report["thresholds"].size() == 2);
    CHECK(s.report["thresholds"][0]["passed"] == true);
    CHECK(s.report["thresholds"][1]["passed"] == true);
}

TEST_CASE("wvsim --onboard jitr without an activation rule: never_active, exit 1, and the output says what is missing") {
    test::temp_dir dir;
    const auto ca = simtest::make_ca(dir / "devca");
    auto args = jitr_args(ca, "3");
    args.insert(args.end(), {"--onboard-timeout", "2.5"});
    const auto s = simtest::run_wvsim(dir, "norule", args);
    CHECK(s.r.exit_code == 1);
    CHECK(s.r.err.find("no topic rule on $aws/events/certificates/registered/") != std::string::npos);
    const auto& ob = s.report["onboarding"];
    CHECK(ob["device_outcomes"]["never_active"] == 3);
    CHECK(ob["active"] == 0);
    CHECK(ob["attempt_outcomes"]["x509_inactive"].get<int>() >= 6);  // 2.5 s: at least two attempts each
}

TEST_CASE("wvsim --onboard: usage errors") {
    test::temp_dir dir;
    const auto ca = simtest::make_ca(dir / "devca");
    auto args = jitr_args(ca, "2");
    args.insert(args.end(), {"--register", "true"});
    const auto s = simtest::run_wvsim(dir, "bad", args);
    CHECK(s.r.exit_code == 2);
    CHECK(s.r.err.find("--onboard jitr registers nothing beforehand") != std::string::npos);
    const auto other = simtest::run_wvsim(dir, "bad2", {"--onboard", "claim", "--duration", "1"});
    CHECK(other.r.exit_code != 0);
}
