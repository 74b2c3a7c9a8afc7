// The control plane end to end: an unmodified boto3 script (Debian's python3-boto3) creates a
// policy, a thing and keys on wvgate's control plane and attaches them; mosquitto_pub then
// connects on 8883 with that certificate and key, publishes where the policy lets it and is
// refused where it does not; UpdateCertificate INACTIVE closes its live connection (a
// mosquitto_sub) and refuses its next connect. A restart
// over the same state file keeps everything.
#include <doctest/doctest.h>

#include "gateway_fixture.hpp"
#include "registry/registry.hpp"
#include "support/child_process.hpp"

using namespace std::chrono_literals;
using namespace wv::test;
namespace gate = wv::gate;

namespace {

std::filesystem::path next_state;  // the fixture takes a plain function: the state file reaches it here

void with_registry(gate::gateway_config& c) {
    gate::listener_config l;
    l.name = "aws-8883";
    l.kind = gate::listener_kind::aws_8883;
    l.port = 0;
    c.listeners.push_back(l);
    c.region = "eu-central-1";
    c.control_plane.state = next_state;
    c.control_plane.issue_ec_keys = false;  // RSA-2048, as AWS: what users' scripts get
    c.limits.connects_per_s_per_client_id = 0;
}

const std::string script = std::string(WV_SOURCE_DIR_PATH) + "/tests/integration/gateway/boto3_device_setup.py";

bool have_peers() {
    if (std::string(WV_MOSQUITTO_PUB).empty() || std::string(WV_PYTHON3).empty()) {
        MESSAGE("SKIPPED: needs mosquitto_pub and python3 with boto3 (scripts/install-deps.sh)");
        return false;
    }
    return true;
}

run_result boto3(const gateway_fixture& g, std::vector<std::string> args) {
    std::vector<std::string> argv{WV_PYTHON3, script};
    for (auto& a : args) argv.push_back(a == "URL" ? g.gw->control_plane_url() : a);
    return run(argv, {}, 60s);
}

run_result mosquitto_pub(const gateway_fixture& g, const std::filesystem::path& dir, const std::string& thing,
                         const std::string& topic) {
    return run({WV_MOSQUITTO_PUB, "-h", "localhost", "-p", std::to_string(g.port(1)), "--cafile", g.ca(), "--cert",
                (dir / (thing + ".crt")).string(), "--key", (dir / (thing + ".key")).string(), "-i", thing, "-t", topic,
                "-m", "hello", "-q", "1"},
               {}, 20s);
}

}  // namespace

TEST_CASE("boto3 onboards a device through the control plane; mosquitto_pub connects with its certificate") {
    if (!have_peers()) return;
    temp_dir files;
    next_state.clear();
    gateway_fixture g(with_registry);
    REQUIRE_FALSE(g.gw->control_plane_url().empty());

    const auto setup = boto3(g, {"setup", "URL", files.path().string(), "thing1"});
    REQUIRE_MESSAGE(setup.exit_code == 0, setup.err);
    const std::string cert_id = setup.out.substr(0, setup.out.find('\n'));
    REQUIRE(cert_id.size() == 64);

    const auto errors = boto3(g, {"errors", "URL", cert_id});
    CHECK_MESSAGE(errors.exit_code == 0, errors.err, errors.out);
    CHECK(errors.out.find("ok ResourceNotFoundException 404") != std::string::npos);
    CHECK(errors.out.find("ok ResourceAlreadyExistsException 409") != std::string::npos);
    CHECK(errors.out.find("ok CertificateStateException 406") != std::string::npos);
    CHECK(errors.out.find("ok MalformedPolicyException 400") != std::string::npos);
    CHECK(errors.out.find("paged 6") != std::string::npos);

    // Allowed: things/<its thing>/... (the thing attached to the certificate, named as the client id).
    auto ok = mosquitto_pub(g, files.path(), "thing1", "things/thing1/data");
    CHECK_MESSAGE(ok.exit_code == 0, ok.err);
    CHECK(g.wait_for_stats([](const gate::gateway_stats& s) { return s.messages_in >= 1; }));
    // Refused: another thing's topic closes the connection (AWS's MQTT 3.1.1 behaviour).
    (void)mosquitto_pub(g, files.path(), "thing1", "things/thing2/data");
    CHECK(g.wait_for_log({"AUTHORIZATION_FAILURE", "things/thing2/data"}));

    // A live subscriber with the same certificate (its own client id: one connection per id).
    child_process sub({WV_MOSQUITTO_SUB, "-h", "localhost", "-p", std::to_string(g.port(1)), "--cafile", g.ca(), "--cert",
                       (files / "thing1.crt").string(), "--key", (files / "thing1.key").string(), "-i", "thing1", "-t",
                       "things/thing1/#", "-q", "1"});
    REQUIRE(g.wait_for_log({"Subscribe", "things/thing1/#"}));

    const auto off = boto3(g, {"set-status", "URL", cert_id, "INACTIVE"});
    REQUIRE_MESSAGE(off.exit_code == 0, off.err);
    CHECK(g.wait_for_log({R"("eventType":"Disconnect")", "AUTH_ERROR", "no longer ACTIVE", cert_id}));
    auto refused = mosquitto_pub(g, files.path(), "thing1", "things/thing1/data");
    CHECK(refused.exit_code != 0);
    CHECK(g.wait_for_log({"X.509", "INACTIVE"}));
}

TEST_CASE("a restart over the same state file keeps the registry; the device still connects") {
    if (!have_peers()) return;
    temp_dir files;
    next_state = files / "registry.db";
    std::string cert_id;
    {
        gateway_fixture g(with_registry);
        const auto setup = boto3(g, {"setup", "URL", files.path().string(), "thing7"});
        REQUIRE_MESSAGE(setup.exit_code == 0, setup.err);
        cert_id = setup.out.substr(0, setup.out.find('\n'));
    }
    gateway_fixture g(with_registry);
    next_state.clear();
    const auto t = g.gw->registry()->describe_thing("thing7");
    REQUIRE(t);
    CHECK(t.value().attributes.at("site") == "berlin");
    CHECK(g.gw->registry()->identify(cert_id).status == wv::registry::cert_status::active);
    auto ok = mosquitto_pub(g, files.path(), "thing7", "things/thing7/data");
    CHECK_MESSAGE(ok.exit_code == 0, ok.err);
}

TEST_CASE("SigV4 with configured keys: boto3 with the right secret passes, a wrong one gets InvalidSignatureException") {
    if (!have_peers()) return;
    next_state.clear();
    gateway_fixture g([](gate::gateway_config& c) { c.control_plane.sigv4_keys = {{"AKIDLOCAL", "local-secret"}}; });
    const auto good = boto3(g, {"signed", "URL", "AKIDLOCAL", "local-secret"});
    CHECK_MESSAGE(good.out == "ok\n", good.out, good.err);
    const auto bad = boto3(g, {"signed", "URL", "AKIDLOCAL", "not-the-secret"});
    CHECK_MESSAGE(bad.out == "InvalidSignatureException 403\n", bad.out, bad.err);
    const auto unknown = boto3(g, {"signed", "URL", "AKIDOTHER", "local-secret"});
    CHECK_MESSAGE(unknown.out == "UnrecognizedClientException 403\n", unknown.out, unknown.err);
}
