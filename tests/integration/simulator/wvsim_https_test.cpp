// wvsim --protocol https (HTTPS POST devices with X.509 on 8443 and 443 + x-amzn-http-ca) and
// the X.509 fleet registered through the control plane (--register api), against the embedded
// gateway and against a wvgate (in this process, wvsim as a child with --host).
#include <doctest/doctest.h>

#include "gateway/gateway.hpp"
#include "registry/registry.hpp"
#include "sim_helpers.hpp"

using namespace std::chrono_literals;
using namespace wv;

namespace {

std::vector<std::string> https_fleet(const simtest::ca_files& ca, int devices) {
    return {"--protocol", "https", "--auth", "x509", "--device-ca", ca.ca.string(), "--device-ca-key",
            (ca.ca.parent_path() / "ca.key").string(), "--devices", std::to_string(devices), "--interval", "0.5",
            "--duration", "2"};
}

std::uint64_t reports(const nlohmann::json& report, const char* what) {
    return report["reports"][what].get<std::uint64_t>();
}

// wvgate with the listeners an X.509 fleet uses and its control plane on a free port.
struct wvgate {
    explicit wvgate(const std::filesystem::path& dir, bool ec_keys = true) {
        gate::gateway_config cfg;
        cfg.listeners.clear();  // not the default aws-443
        for (const auto& [name, kind] : {std::pair{"aws-8443", gate::listener_kind::aws_8443},
                                         std::pair{"aws-8883", gate::listener_kind::aws_8883}}) {
            gate::listener_config l;
            l.name = name;
            l.kind = kind;
            l.port = 0;
            cfg.listeners.push_back(l);
        }
        cfg.generated_ca_dir = dir / "gwca";
        cfg.level = gate::log_level::off;
        cfg.threads = 2;
        cfg.control_plane.port = 0;
        cfg.control_plane.issue_ec_keys = ec_keys;
        cfg.limits.connects_per_s_per_client_id = 0;
        gw = std::make_unique<gate::gateway>(std::move(cfg));
        gw->start();
    }
    ~wvgate() { gw->stop(); }
    std::vector<std::string> host_args(std::size_t listener) const {
        return {"--host", "localhost", "--port", std::to_string(gw->listeners().at(listener).port), "--cafile",
                gw->certificates().ca_cert.string()};
    }
    std::unique_ptr<gate::gateway> gw;
};

}  // namespace

TEST_CASE("wvsim --protocol https against the embedded gateway: 8443 and 443 + x-amzn-http-ca, keep-alive") {
    test::temp_dir dir;
    const auto ca = simtest::make_ca(dir / "devca");
    for (const bool alpn443 : {false, true}) {
        CAPTURE(alpn443);
        auto args = https_fleet(ca, 20);
        args.push_back("--verify");
        if (alpn443) args.insert(args.end(), {"--port", "443"});
        const auto s = simtest::run_wvsim(dir, alpn443 ? "h443" : "h8443", args);
        INFO(s.r.err);
        INFO(s.r.out);
        REQUIRE(s.r.exit_code == 0);
        CHECK(s.report["protocol"] == "https");
        // One connection per device, kept alive for every report: 20 attempts, 20 connected.
        CHECK(s.report["connect_attempts"] == 20);
        CHECK(simtest::outcome_count(s.report, "connected") == 20);
        CHECK(s.report["session_ends"]["clean_stop"] == 20);
        CHECK(reports(s.report, "sent") >= 60);
        CHECK(reports(s.report, "acked") == reports(s.report, "sent"));
        CHECK(reports(s.report, "report_ends_sent") == 20);
        CHECK(s.report["refused"].empty());
        CHECK(s.report["latency_us"]["puback"]["count"] == reports(s.report, "acked"));
        CHECK(s.report["verify"]["ok"] == true);
        CHECK(s.report["verify"]["reports_received"] == reports(s.report, "acked"));
        // Every report and ReportEnd reached the gateway's broker as an HTTPS publish.
        CHECK(s.report["gateway"]["messages_in"] == reports(s.report, "sent") + 20);
    }
}

TEST_CASE("wvsim --protocol https: a policy that denies shows as HTTP 403 in the taxonomy") {
    test::temp_dir dir;
    const auto ca = simtest::make_ca(dir / "devca");
    auto args = https_fleet(ca, 10);
    // The fleet policy allows wv/<CN>/...: elsewhere/... is denied, the connection stays.
    args.insert(args.end(), {"--topic", "elsewhere/{akid}/1/samp/p1"});
    const auto s = simtest::run_wvsim(dir, "deny", args);
    INFO(s.r.err);
    CHECK(s.r.exit_code == 1);
    REQUIRE(s.report.is_object());
    CHECK(simtest::outcome_count(s.report, "connected") == 10);
    CHECK(s.report["connect_attempts"] == 10);  // a 403 does not close the kept-alive connection
    CHECK(s.report["refused"]["http_forbidden"] == reports(s.report, "sent"));
    CHECK(reports(s.report, "acked") == 0);
    CHECK(s.r.out.find("HTTP 403: the certificate's policies deny iot:Publish") != std::string::npos);
    CHECK(s.r.out.find("reports refused by the server (http_forbidden") != std::string::npos);
}

TEST_CASE("wvsim --protocol https --register none: every device refused with 403 and a close, the reason named") {
    test::temp_dir dir;
    const auto ca = simtest::make_ca(dir / "devca");
    auto args = https_fleet(ca, 8);
    args.insert(args.end(), {"--register", "none", "--gateway-log-level", "off"});
    const auto s = simtest::run_wvsim(dir, "unregistered", args);
    INFO(s.r.err);
    CHECK(s.r.exit_code == 1);
    CHECK(simtest::outcome_count(s.report, "x509_unknown_certificate") == 8);
    CHECK(simtest::outcome_count(s.report, "connected") == 0);
}

TEST_CASE("wvsim --register api against wvgate's control plane: MQTT and HTTPS fleets, then unregistered ones") {
    test::temp_dir dir;
    const auto ca = simtest::make_ca(dir / "devca");
    wvgate g(dir.path());
    const auto url = g.gw->control_plane_url();
    REQUIRE(!url.empty());
    {  // HTTPS on aws-8443, registered through the API first.
        auto args = https_fleet(ca, 12);
        auto host = g.host_args(0);
        args.insert(args.end(), host.begin(), host.end());
        args.insert(args.end(), {"--control-plane", url});
        const auto s = simtest::run_wvsim(dir, "api-https", args);
        INFO(s.r.err);
        INFO(s.r.out);
        REQUIRE(s.r.exit_code == 0);
        CHECK(simtest::outcome_count(s.report, "connected") == 12);
        CHECK(reports(s.report, "acked") == reports(s.report, "sent"));
        CHECK(s.r.out.find("12 devices registered through the control plane at " + url) != std::string::npos);
    }
    // What the API made is in wvgate's registry: 12 things, certificates and the policy.
    auto* reg = g.gw->registry();
    REQUIRE(reg);
    CHECK(reg->list_things({}, {.page_size = 100}).value().items.size() == 12);
    {  // The same certificates again (a rerun): found registered, reused, OK.
        auto args = https_fleet(ca, 12);
        auto host = g.host_args(0);
        args.insert(args.end(), host.begin(), host.end());
        args.insert(args.end(), {"--control-plane", url});
        const auto s = simtest::run_wvsim(dir, "api-rerun", args);
        INFO(s.r.err);
        INFO(s.r.out);
        CHECK(s.r.exit_code == 0);
    }
    {  // MQTT on aws-8883 with keys the control plane issues (CreateKeysAndCertificate).
        std::vector<std::string> args{"--auth", "x509", "--create-keys", "--control-plane", url, "--devices", "6",
                                      "--akid", "mqttdev{n}", "--interval", "0.5", "--duration", "2"};
        auto host = g.host_args(1);
        args.insert(args.end(), host.begin(), host.end());
        const auto s = simtest::run_wvsim(dir, "api-keys", args);
        INFO(s.r.err);
        INFO(s.r.out);
        REQUIRE(s.r.exit_code == 0);
        CHECK(simtest::outcome_count(s.report, "connected") == 6);
        CHECK(s.r.out.find("(CreateKeysAndCertificate)") != std::string::npos);
    }
    {  // Not registered (--register none): AWS's answer over HTTPS, 403 then close.
        auto args = https_fleet(ca, 5);
        args.insert(args.end(), {"--register", "none", "--seed", "99"});
        auto host = g.host_args(0);
        args.insert(args.end(), host.begin(), host.end());
        const auto s = simtest::run_wvsim(dir, "api-none", args);
        INFO(s.r.err);
        INFO(s.r.out);
        CHECK(s.r.exit_code == 1);
        CHECK(simtest::outcome_count(s.report, "https_refused") == 5);
    }
}

TEST_CASE("wvsim --protocol https: usage errors say what to do") {
    test::temp_dir dir;
    // (--protocol https without --auth x509 is custom auth over HTTPS: the tests below.)
    const auto ca = simtest::make_ca(dir / "devca");
    auto args = https_fleet(ca, 2);
    args.insert(args.end(), {"--kill", "0.5"});
    const auto kill = simtest::run_wvsim(dir, "e2", args);
    CHECK(kill.r.exit_code == 2);
    CHECK(kill.r.err.find("HTTPS has no will") != std::string::npos);
    const auto keys = simtest::run_wvsim(dir, "e3", {"--auth", "x509", "--create-keys", "--host", "localhost",
                                                     "--duration", "1"});
    CHECK(keys.r.exit_code == 2);
    CHECK(keys.r.err.find("needs --control-plane URL") != std::string::npos);
}

TEST_CASE("wvsim --protocol https with custom auth: token headers on 443 without ALPN, embedded gateway") {
    test::temp_dir dir;
    auto args = std::vector<std::string>{"--protocol", "https", "--devices", "10", "--interval", "0.5", "--duration",
                                         "2", "--verify"};
    const auto s = simtest::run_wvsim(dir, "https-custom", args);
    INFO(s.r.err);
    INFO(s.r.out);
    REQUIRE(s.r.exit_code == 0);
    CHECK(s.report["protocol"] == "https");
    CHECK(s.report["connect_attempts"] == 10);
    CHECK(simtest::outcome_count(s.report, "connected") == 10);
    CHECK(reports(s.report, "sent") >= 30);
    CHECK(reports(s.report, "acked") == reports(s.report, "sent"));
    CHECK(s.report["refused"].empty());
    CHECK(s.report["verify"]["ok"] == true);
    // Each request called the static authorizer with the device's token (its password).
    CHECK(s.report["gateway"]["messages_in"] == reports(s.report, "sent") + 10);
}

TEST_CASE("wvsim --protocol https with custom auth: a denied token is refused with 401 at the first request") {
    test::temp_dir dir;
    // `deny` rows: the embedded gateway's static authorizer answers isAuthenticated false.
    dir.write("fleet.csv",
              "akid,username,password,authorizer,expected\n"
              "AAAA000000000001,u1,secret-1,wavelet,deny\nAAAA000000000002,u2,secret-2,wavelet,deny\n"
              "AAAA000000000003,u3,secret-3,wavelet,deny\nAAAA000000000004,u4,secret-4,wavelet,deny\n");
    auto args = std::vector<std::string>{"--protocol", "https", "--credentials", (dir / "fleet.csv").string(),
                                         "--interval", "0.5", "--duration", "1"};
    const auto s = simtest::run_wvsim(dir, "https-custom-deny", args);
    INFO(s.r.err);
    INFO(s.r.out);
    REQUIRE(s.report.is_object());
    CHECK(s.r.exit_code <= 1);  // 0 when the verdict counts the expected denials as met
    CHECK(simtest::outcome_count(s.report, "https_refused") == 4);
    CHECK(simtest::outcome_count(s.report, "connected") == 0);
}

TEST_CASE("wvsim --token-key-name / --token-signing-key are for HTTPS custom auth") {
    test::temp_dir dir;
    const auto s = simtest::run_wvsim(dir, "bad-flags", {"--token-key-name", "tok", "--devices", "1", "--duration", "1"});
    CHECK(s.r.exit_code == 2);
    CHECK(s.r.err.find("--token-key-name and --token-signing-key are for --protocol https") != std::string::npos);
}
