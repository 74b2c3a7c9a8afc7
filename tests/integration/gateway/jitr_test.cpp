// Just-in-time registration end to end, as AWS's JITR blog sets it up: boto3 registers the
// user's CA with a verification certificate and allowAutoRegistration (config/jitr/register_ca.py),
// a topic rule on $aws/events/certificates/registered/+ runs the example activation Lambda
// (config/jitr/jitr_activate.py: boto3 + asn1crypto) unchanged through the handler backend.
// A device whose certificate that CA signed is refused on its first attempt, the Lambda
// activates the certificate, and the next attempt succeeds: over MQTT on 8883 (mosquitto_pub,
// with and without the CA in the chain it sends) and over HTTPS publish on 8443 (python's
// ssl + http.client, a real HTTPS client sending SNI).
#include <doctest/doctest.h>

#include <thread>

#include "gateway_fixture.hpp"
#include "registry/registry.hpp"
#include "support/child_process.hpp"
#include "tls/certificate.hpp"
#include "tls/test_ca.hpp"

using namespace std::chrono_literals;
using namespace wv::test;
namespace gate = wv::gate;

namespace {

const std::string repo_root = WV_SOURCE_DIR_PATH;

void with_jitr(gate::gateway_config& c) {
    for (auto [name, kind] : {std::pair{"aws-8883", gate::listener_kind::aws_8883},
                              std::pair{"aws-8443", gate::listener_kind::aws_8443}}) {
        gate::listener_config l;
        l.name = name;
        l.kind = kind;
        l.port = 0;
        c.listeners.push_back(l);
    }
    c.region = "eu-central-1";
    c.limits.connects_per_s_per_client_id = 0;
    wv::rules_engine::rule_config r;
    r.name = "jitr_activate";
    r.sql = "SELECT * FROM '$aws/events/certificates/registered/+'";
    wv::rules_engine::lambda_action_config l;
    l.function.kind = wv::backends::backend_kind::handler;
    l.function.handler.spec = "python:" + repo_root + "/config/jitr/jitr_activate.py";
    l.function.handler.workers = 2;
    l.function.handler.region = "eu-central-1";
    l.timeout = 20s;
    r.actions.emplace_back(l);
    c.rules.rules.push_back(std::move(r));
}

bool have_peers() {
    if (std::string(WV_MOSQUITTO_PUB).empty() || std::string(WV_PYTHON3).empty()) {
        MESSAGE("SKIPPED: needs mosquitto_pub and python3 with boto3 and asn1crypto (scripts/install-deps.sh)");
        return false;
    }
    return true;
}

run_result mosquitto_pub(const gateway_fixture& g, const std::filesystem::path& cert, const std::filesystem::path& key,
                         const std::string& client_id) {
    return run({WV_MOSQUITTO_PUB, "-h", "localhost", "-p", std::to_string(g.port(1)), "--cafile", g.ca(), "--cert",
                cert.string(), "--key", key.string(), "-i", client_id, "-t", "devices/" + client_id + "/temp", "-m",
                "21.5", "-q", "1"},
               {}, 20s);
}

// POST /topics/devices/<cn>/temp on 8443 with the device certificate; prints the HTTP status.
const char* https_post = R"(
import http.client, ssl, sys
port, ca, cert, key, topic = sys.argv[1:6]
ctx = ssl.create_default_context(cafile=ca)
ctx.load_cert_chain(cert, key)
c = http.client.HTTPSConnection("localhost", int(port), context=ctx, timeout=10)
try:
    c.request("POST", "/topics/" + topic.replace("/", "%2F") + "?qos=1", body=b"21.5")
    r = c.getresponse()
    print(r.status, r.read().decode())
except (ConnectionError, ssl.SSLError, http.client.HTTPException) as e:
    print("failed", type(e).__name__, e)
)";

std::string https_status(const gateway_fixture& g, const wv::tls::client_cert_files& dev, const std::string& cn) {
    const auto r = run({WV_PYTHON3, "-c", https_post, std::to_string(g.port(2)), g.ca(), dev.cert.string(),
                        dev.key.string(), "devices/" + cn + "/temp"},
                       {}, 20s);
    return r.out + r.err;
}

bool wait_active(const gateway_fixture& g, const std::string& cert_id) {
    for (int i = 0; i < 1000; ++i) {
        if (g.gw->registry()->identify(cert_id).status == wv::registry::cert_status::active) return true;
        std::this_thread::sleep_for(20ms);
    }
    return false;
}

std::string cert_id_of(const std::filesystem::path& pem) { return wv::tls::certificate::from_pem(read_file(pem))->id(); }

}  // namespace

TEST_CASE("JITR: first attempt refused and registered, the Lambda activates, the next attempt connects (MQTT and HTTPS)") {
    if (!have_peers()) return;
    gateway_fixture g(with_jitr);
    REQUIRE_FALSE(g.gw->control_plane_url().empty());

    // The user's CA, registered with a verification certificate and allowAutoRegistration.
    const auto ca = wv::tls::make_test_ca(g.dir / "device-ca", {.ca_name = "Acme device CA"});
    const auto reg = run({WV_PYTHON3, repo_root + "/config/jitr/register_ca.py", "--endpoint-url",
                          g.gw->control_plane_url(), "--ca", ca.ca_cert.string(), "--ca-key", ca.ca_key.string()},
                         {}, 60s);
    REQUIRE_MESSAGE(reg.exit_code == 0, reg.err);
    const std::string ca_id = reg.out.substr(0, reg.out.find('\n'));
    REQUIRE(ca_id.size() == 64);

    SUBCASE("MQTT on 8883, the CA certificate not in the chain") {
        const auto dev = wv::tls::make_client_cert(ca.dir, "sensor-1");
        const auto id = cert_id_of(dev.cert);
        const auto first = mosquitto_pub(g, dev.cert, dev.key, "sensor-1");
        CHECK_MESSAGE(first.exit_code != 0, first.out, first.err);
        CHECK(g.wait_for_log({"X.509 PENDING_ACTIVATION", "just-in-time registration", id}));
        CHECK(g.wait_for_log({"JustInTimeRegistration", "Success", id, "$aws/events/certificates/registered/" + ca_id}));
        REQUIRE_MESSAGE(wait_active(g, id), g.log());
        const auto thing = g.gw->registry()->describe_thing("sensor-1");  // named after the CN (asn1crypto)
        REQUIRE(thing);
        CHECK(thing.value().attributes.at("caCertificateId") == ca_id);
        const auto second = mosquitto_pub(g, dev.cert, dev.key, "sensor-1");
        CHECK_MESSAGE(second.exit_code == 0, second.err);
        CHECK(g.wait_for_stats([](const gate::gateway_stats& s) { return s.messages_in >= 1; }));
        CHECK(g.gw->rules_summary().find("jitr_activate") != std::string::npos);
    }
    SUBCASE("MQTT on 8883, the CA certificate sent in the chain") {
        const auto dev = wv::tls::make_client_cert(ca.dir, "sensor-2");
        const auto chain = g.dir.write("sensor-2-chain.crt", read_file(dev.cert) + read_file(ca.ca_cert));
        const auto id = cert_id_of(dev.cert);
        CHECK(mosquitto_pub(g, chain, dev.key, "sensor-2").exit_code != 0);
        REQUIRE_MESSAGE(wait_active(g, id), g.log());
        const auto second = mosquitto_pub(g, chain, dev.key, "sensor-2");
        CHECK_MESSAGE(second.exit_code == 0, second.err);
    }
    SUBCASE("HTTPS publish on 8443") {
        const auto dev = wv::tls::make_client_cert(ca.dir, "sensor-3");
        const auto id = cert_id_of(dev.cert);
        const auto first = https_status(g, dev, "sensor-3");
        CHECK_MESSAGE(first.rfind("403 ", 0) == 0, first);
        REQUIRE_MESSAGE(wait_active(g, id), g.log());
        const auto second = https_status(g, dev, "sensor-3");
        CHECK_MESSAGE(second.rfind("200 ", 0) == 0, second);
        CHECK(g.wait_for_stats([](const gate::gateway_stats& s) { return s.messages_in >= 1; }));
    }
}
