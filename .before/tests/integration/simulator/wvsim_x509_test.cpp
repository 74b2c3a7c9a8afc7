// wvsim --auth x509: every device its own certificate, against the embedded wvgate (8883 and
// 443 + x-amzn-mqtt-ca, registered or not) and against mosquitto with require_certificate.
#include <doctest/doctest.h>

#include <unistd.h>

#include "sim_helpers.hpp"
#include "tls/test_ca.hpp"

using namespace std::chrono_literals;
using namespace wv;

namespace {

std::vector<std::string> generated(const simtest::ca_files& ca) {
    const auto dir = ca.ca.parent_path();
    return {"--auth", "x509", "--device-ca", ca.ca.string(), "--device-ca-key", (dir / "ca.key").string()};
}

}  // namespace

TEST_CASE("wvsim --auth x509 against the embedded gateway: generated certificates, 8883 and 443 x-amzn-mqtt-ca") {
    test::temp_dir dir;
    const auto ca = simtest::make_ca(dir / "devca");
    for (const bool alpn443 : {false, true}) {
        CAPTURE(alpn443);
        auto args = generated(ca);
        args.insert(args.end(), {"--devices", "30", "--interval", "0.5", "--duration", "2", "--verify"});
        if (alpn443) args.insert(args.end(), {"--port", "443"});
        const auto s = simtest::run_wvsim(dir, alpn443 ? "x443" : "x8883", args);
        INFO(s.r.err);
        REQUIRE(s.r.exit_code == 0);
        CHECK(simtest::outcome_count(s.report, "connected") == 30);
        CHECK(s.report["verify"]["ok"] == true);
        // The certificate is the login (and --verify observes inside the gateway): no authorizer call.
        CHECK(s.report["gateway"]["authorizer_calls"] == 0);
    }
}

TEST_CASE("wvsim --auth x509 --register false: every device is refused, and the report says why") {
    test::temp_dir dir;
    const auto ca = simtest::make_ca(dir / "devca");
    auto args = generated(ca);
    args.insert(args.end(), {"--devices", "10", "--duration", "1", "--register", "false"});
    const auto s = simtest::run_wvsim(dir, "unregistered", args);
    INFO(s.r.err);
    CHECK(s.r.exit_code != 0);
    CHECK(simtest::outcome_count(s.report, "x509_unknown_certificate") == 10);
    CHECK(simtest::outcome_count(s.report, "connected") == 0);
}

TEST_CASE("wvsim --auth x509 --device-certs: pairs from a directory; too few pairs is a usage error") {
    test::temp_dir dir;
    const auto ca = simtest::make_ca(dir / "devca");
    const tls::device_issuer issuer(ca.ca, ca.ca.parent_path() / "ca.key");
    std::filesystem::create_directories(dir / "fleet");
    for (int i = 0; i < 12; ++i) {
        const auto name = "dev" + std::to_string(100 + i);
        tls::write_device_files(dir / "fleet", name, issuer.issue(name));
    }
    const auto s = simtest::run_wvsim(dir, "fromdir", {"--auth", "x509", "--device-certs", (dir / "fleet").string(),
                                                        "--duration", "1", "--verify"});
    INFO(s.r.err);
    REQUIRE(s.r.exit_code == 0);
    CHECK(s.report["devices"] == 12);  // --devices defaults to the pairs found
    CHECK(simtest::outcome_count(s.report, "connected") == 12);
    const auto few = simtest::run_wvsim(dir, "few", {"--auth", "x509", "--device-certs", (dir / "fleet").string(),
                                                    "--devices", "13", "--duration", "1"});
    CHECK(few.r.exit_code == 2);
    CHECK(few.r.err.find("holds 12 <name>.crt/.key pairs; the fleet needs 13") != std::string::npos);
    const auto both = simtest::run_wvsim(dir, "both", {"--auth", "x509", "--duration", "1"});
    CHECK(both.r.exit_code == 2);
    CHECK(both.r.err.find("--auth x509 needs its certificates") != std::string::npos);
}

TEST_CASE("wvsim --auth x509 against mosquitto: require_certificate, use_identity_as_username") {
    if (!test::have_mosquitto()) return;
    test::temp_dir dir;
    const auto ca = simtest::make_ca(dir / "ca");  // signs the server and the devices
    test::mosquitto_options o;
    o.cert_file = ca.cert;
    o.key_file = ca.key;
    o.ca_file = ca.ca;
    o.require_certificate = true;
    o.extra_config = {"use_identity_as_username true"};
    if (::geteuid() == 0) o.extra_config.push_back("user root");
    test::mosquitto_broker broker(o);
    auto args = generated(ca);
    args.insert(args.end(), {"--host", "localhost", "--port", std::to_string(broker.port()), "--cafile",
                             ca.ca.string(), "--devices", "20", "--interval", "0.5", "--duration", "2"});
    const auto s = simtest::run_wvsim(dir, "mosq", args);
    INFO(s.r.err);
    INFO(broker.log());
    REQUIRE(s.r.exit_code == 0);
    CHECK(simtest::outcome_count(s.report, "connected") == 20);
    CHECK(s.report["reports"]["acked"].get<std::uint64_t>() >= 40);
}
