// Fleet provisioning against wvgate in-process: the AWS IoT Device SDK v2 for JavaScript's own
// IotIdentityClient provisions by trusted-user claim (CreateKeysAndCertificate and
// CreateCertificateFromCsr, RegisterThing, reconnect with the new certificate); a python
// pre-provisioning hook refuses, raises and hangs for some serial numbers and each of those
// devices gets AWS's rejection while the others provision; Paho C++ shows that replies go to
// the asking connection only, that CBOR that does not decode is refused in CBOR, and that an
// expired claim cannot connect.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include <mqtt/client.h>
#include <nlohmann/json.hpp>

#include "functions/build_backend.hpp"
#include "gateway/config_yaml.hpp"
#include "control_plane/api.hpp"
#include "provisioning/device_csr.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"
#include "integration/gateway/gateway_fixture.hpp"

using nlohmann::json;
using namespace wv::test;

namespace {

const std::filesystem::path here = std::filesystem::path(WV_SOURCE_DIR_PATH) / "tests/integration/provisioning";
const std::filesystem::path node_modules = std::filesystem::path(WV_SOURCE_DIR_PATH) / "tests/peers/node/node_modules";

// The issue's template (config/provisioning/fleet-template.json): Mappings, Fn::Join,
// Fn::FindInMap, a group, a policy by name, device configuration.
const std::string fleet_template = read_file(std::filesystem::path(WV_SOURCE_DIR_PATH) / "config/provisioning/fleet-template.json");


const char* device_policy =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iot:Connect","iot:Publish"],"Resource":"*"}]})";

void with_provisioning(wv::gate::gateway_config& c) {
    wv::gate::listener_config l;
    l.name = "aws-8883";
    l.kind = wv::gate::listener_kind::aws_8883;
    l.port = 0;
    c.listeners.push_back(l);
    c.endpoint_host = "localhost";
    c.region = "eu-west-1";
    c.account = "111122223333";
    c.provisioning.hooks["fleet-hook"] = [](const wv::backends::local_iot& iot) -> std::shared_ptr<wv::auth::authorizer_backend> {
        wv::backends::backend_spec spec;
        spec.name = "fleet-hook";
        spec.kind = wv::backends::backend_kind::handler;
        spec.handler.spec = "python:" + (here / "hook.py").string();
        spec.handler.workers = 2;
        auto built = std::make_shared<wv::backends::built_backend>(wv::backends::build_backend(spec, iot));
        auto* raw = built->backend.get();
        return {std::move(built), raw};
    };
}

struct provisioning_gateway : gateway_fixture {
    provisioning_gateway() : gateway_fixture(with_provisioning), api(*gw->registry()) {
        REQUIRE(gw->registry()->create_policy("device", device_policy));
        REQUIRE(gw->registry()->create_thing_group("fleet", "", "", {}));
        const auto r = call("POST", "/provisioning-templates",
                            {{"templateName", "fleet"},
                             {"templateBody", fleet_template},
                             {"provisioningRoleArn", "arn:aws:iam::111122223333:role/prov"},
                             {"enabled", true},
                             {"preProvisioningHook", {{"targetArn", "arn:aws:lambda:eu-west-1:111122223333:function:fleet-hook"}}}});
        REQUIRE_MESSAGE(r.status == 200, r.body);
    }
    wv::control_plane::http_response call(const std::string& method, const std::string& target, const json& body = nullptr) {
        return api.handle({.method = method, .target = target, .headers = {}, .body = body.is_null() ? "" : body.dump()});
    }
    // CreateProvisioningClaim, its certificate and key written to files.
    std::pair<std::string, std::string> claim(const std::string& name) {
        const auto r = call("POST", "/provisioning-templates/fleet/provisioning-claim");
        REQUIRE_MESSAGE(r.status == 200, r.body);
        const auto j = json::parse(r.body);
        const auto cert = dir / (name + ".pem"), key = dir / (name + ".key");
        std::ofstream(cert) << j["certificatePem"].get<std::string>();
        std::ofstream(key) << j["keyPair"]["PrivateKey"].get<std::string>();
        return {cert.string(), key.string()};
    }
    wv::control_plane::api api;
};

bool node_sdk_present() {
    return std::filesystem::exists(WV_NODE) && std::filesystem::exists(node_modules / "aws-iot-device-sdk-v2");
}

// A fleet claim certificate as the developer guide sets one up: registered, ACTIVE, with the
// claim policy attached (connect; the provisioning topics of template fleet only).
std::pair<std::string, std::string> fleet_claim(provisioning_gateway& g) {
    auto& reg = *g.gw->registry();
    const auto k = reg.create_keys_and_certificate(true);
    REQUIRE(k);
    if (!reg.get_policy("claim")) REQUIRE(reg.create_policy("claim", wv::registry::claim_policy_document(reg.acct(), "fleet")));
    REQUIRE_FALSE(reg.attach_policy("claim", reg.certificate_arn(k.value().cert.id)));
    const auto cert = g.dir / "fleet-claim.pem", key = g.dir / "fleet-claim.key";
    std::ofstream(cert) << k.value().cert.pem;
    std::ofstream(key) << k.value().keys.private_key_pem;
    return {cert.string(), key.string()};
}

// The SDK's flow for one device; the JSON line it printed. Without `claim`: a trusted-user
// claim (CreateProvisioningClaim) for this device.
json sdk_provision(provisioning_gateway& g, const std::string& serial, bool csr = false,
                   std::optional<std::pair<std::string, std::string>> claim = std::nullopt) {
    const auto [cert, key] = claim ? *claim : g.claim("claim-" + serial);
    const auto out = g.dir / ("out-" + serial);
    std::filesystem::create_directories(out);
    std::vector<std::string> argv{WV_NODE, (here / "fleet_provisioning_sdk.js").string(), "--endpoint", "localhost",
                                  "--port", std::to_string(g.port(1)), "--ca", g.ca(), "--cert", cert, "--key", key,
                                  "--template", "fleet", "--params", json{{"SerialNumber", serial}}.dump(),
                                  "--out", out.string()};
    if (csr) {
        const auto k = wv::provisioning::make_device_csr("wavelet-" + serial);
        std::ofstream(out / "csr.pem") << k.csr_pem;
        std::ofstream(out / "csr.key") << k.private_key_pem;
        argv.insert(argv.end(), {"--csr", (out / "csr.pem").string(), "--csr-key", (out / "csr.key").string()});
    }
    const auto r = run(argv, {}, std::chrono::seconds(40), {"NODE_PATH=" + node_modules.string()});
    INFO("node stdout: " << r.out << "\nnode stderr: " << r.err);
    REQUIRE_FALSE(r.timed_out);
    const auto line = r.out.substr(0, r.out.find('\n'));
    auto j = json::parse(line, nullptr, false);
    REQUIRE_MESSAGE(!j.is_discarded(), r.out);
    j["exit"] = r.exit_code;
    return j;
}

mqtt::connect_options x509_options(const provisioning_gateway& g, const std::string& cert, const std::string& key) {
    mqtt::ssl_options ssl;
    ssl.set_trust_store(g.ca());
    ssl.set_key_store(cert);
    ssl.set_private_key(key);
    ssl.set_enable_server_cert_auth(true);
    mqtt::connect_options o;
    o.set_ssl(ssl);
    o.set_clean_session(true);
    o.set_connect_timeout(10);
    o.set_mqtt_version(MQTTVERSION_3_1_1);
    return o;
}

}  // namespace

TEST_CASE("the AWS IoT Device SDK v2 (node) provisions by claim against wvgate unchanged: keys, CSR, hook overrides") {
    if (!node_sdk_present()) {
        MESSAGE("SKIPPED: needs node and tests/peers/node/node_modules/aws-iot-device-sdk-v2 (scripts/install-deps.sh)");
        return;
    }
    provisioning_gateway g;
    const auto a = sdk_provision(g, "1001");
    CHECK_MESSAGE(a["exit"] == 0, a.dump());
    CHECK(a["step"] == "done");
    CHECK(a["thingName"] == "wavelet-1001");
    CHECK(a["deviceConfiguration"] == json{{"broker", "b1.example"}});
    auto& reg = *g.gw->registry();
    const auto t = reg.describe_thing("wavelet-1001");
    REQUIRE(t);
    CHECK(t.value().attributes == std::map<std::string, std::string>{{"region", "eu"}, {"serial", "1001"}});
    const std::string id = a["certificateId"];
    CHECK(reg.describe_certificate(id).value().status == wv::registry::cert_status::active);
    CHECK(reg.attached_policies(reg.certificate_arn(id), {}).value().items == std::vector<std::string>{"device"});
    CHECK(g.wait_for_log({"Publish-In", "things/wavelet-1001/hello"}));

    // The CSR path, and the hook's override: serials ending in 7 are in Austin.
    const auto b = sdk_provision(g, "2007", true);
    CHECK_MESSAGE(b["exit"] == 0, b.dump());
    CHECK(b["thingName"] == "wavelet-2007");
    CHECK(b["deviceConfiguration"] == json{{"broker", "a1.example"}});
    CHECK(reg.describe_thing("wavelet-2007").value().attributes.at("region") == "us");
}

TEST_CASE("fleet provisioning by claim: one registered claim certificate onboards several devices with the SDK") {
    if (!node_sdk_present()) {
        MESSAGE("SKIPPED: needs node and tests/peers/node/node_modules/aws-iot-device-sdk-v2 (scripts/install-deps.sh)");
        return;
    }
    provisioning_gateway g;
    const auto claim = fleet_claim(g);
    for (const std::string serial : {"4001", "4002"}) {
        const auto r = sdk_provision(g, serial, false, claim);
        CHECK_MESSAGE(r["exit"] == 0, r.dump());
        CHECK(r["thingName"] == "wavelet-" + serial);
    }
    CHECK(g.gw->registry()->describe_thing("wavelet-4002"));
}

TEST_CASE("a python hook that refuses, raises or hangs rejects that device with AWS's error; the others provision") {
    if (!node_sdk_present()) {
        MESSAGE("SKIPPED: needs node and tests/peers/node/node_modules/aws-iot-device-sdk-v2 (scripts/install-deps.sh)");
        return;
    }
    provisioning_gateway g;
    for (const std::string serial : {"bad-1", "raise", "garbage"}) {
        const auto r = sdk_provision(g, serial);
        CHECK_MESSAGE(r["exit"] == 2, r.dump());
        const auto err = r.contains("modeledError") ? r["modeledError"] : r["error"];
        CHECK_MESSAGE(err.value("statusCode", 0) == 403, r.dump());
        CHECK_MESSAGE(err.value("errorCode", "") == "AccessDenied", r.dump());
        CHECK_FALSE(g.gw->registry()->describe_thing("wavelet-" + serial));
    }
    CHECK(g.wait_for_log({"Provisioning", "Failure", "ValueError", "recall list"}));
    const auto ok = sdk_provision(g, "3003");
    CHECK_MESSAGE(ok["exit"] == 0, ok.dump());
}

TEST_CASE("replies go to the asking connection only, once subscribed; CBOR that does not decode is refused in CBOR") {
    provisioning_gateway g;
    const auto [cert, key] = g.claim("asker");
    const auto [cert2, key2] = g.claim("other");
    const std::string uri = "ssl://localhost:" + std::to_string(g.port(1));
    mqtt::client asker(uri, "asker"), other(uri, "other");
    REQUIRE_NOTHROW(asker.connect(x509_options(g, cert, key)));
    REQUIRE_NOTHROW(other.connect(x509_options(g, cert2, key2)));
    other.subscribe("$aws/certificates/create/cbor/rejected", 1);
    asker.start_consuming();
    other.start_consuming();
    // Not subscribed yet: the reply is lost, as AWS warns.
    asker.publish("$aws/certificates/create/cbor", "\xbf\x61", 2, 1, false);
    mqtt::const_message_ptr m;
    CHECK_FALSE(asker.try_consume_message_for(&m, std::chrono::milliseconds(500)));
    asker.subscribe("$aws/certificates/create/cbor/rejected", 1);
    asker.publish("$aws/certificates/create/cbor", "\xbf\x61", 2, 1, false);
    REQUIRE(asker.try_consume_message_for(&m, std::chrono::seconds(10)));
    CHECK(m->get_topic() == "$aws/certificates/create/cbor/rejected");
    const auto& p = m->get_payload();
    CHECK(json::from_cbor(p.begin(), p.end()) ==
          json{{"statusCode", 400}, {"errorCode", "InvalidPayload"}, {"errorMessage", "The payload is not valid CBOR."}});
    CHECK_FALSE(other.try_consume_message_for(&m, std::chrono::milliseconds(300)));
    asker.disconnect();
    other.disconnect();
}

TEST_CASE("an expired claim certificate cannot connect") {
    provisioning_gateway g;
    const auto c = g.gw->registry()->create_provisioning_claim("fleet", -1);
    REQUIRE(c);
    const auto cert = g.dir / "expired.pem", key = g.dir / "expired.key";
    std::ofstream(cert) << c.value().claim.certificate_pem;
    std::ofstream(key) << c.value().keys.private_key_pem;
    mqtt::client dev("ssl://localhost:" + std::to_string(g.port(1)), "expired");
    CHECK_THROWS(dev.connect(x509_options(g, cert.string(), key.string())));
}

TEST_CASE("a template in the gateway config exists at start, with its hook; a bad one stops the start") {
    gateway_fixture g([](wv::gate::gateway_config& c) {
        with_provisioning(c);
        c.provisioning.templates.push_back({.name = "from-config", .body = fleet_template, .hook = "fleet-hook"});
    });
    const auto t = g.gw->registry()->describe_provisioning_template("from-config");
    REQUIRE(t);
    CHECK(t.value().enabled);
    REQUIRE(t.value().hook);
    CHECK(t.value().hook->target_arn == "arn:aws:lambda:eu-west-1:111122223333:function:fleet-hook");
    wv::gate::gateway_config bad;
    with_provisioning(bad);
    bad.generated_ca_dir = g.dir / "ca2";
    bad.provisioning.templates.push_back({.name = "broken", .body = R"({"Resources": {"x": {"Type": "AWS::S3::Bucket"}}})"});
    wv::gate::gateway gw(std::move(bad));
    CHECK_THROWS_WITH(gw.start(), doctest::Contains("provisioning.templates broken: Resources.x: resource type"));
}

namespace {

// A gateway whose hook is a function of `functions:` (no provisioning.hooks at all).
void with_hook_function(wv::gate::gateway_config& c) {
    with_provisioning(c);
    c.provisioning.hooks.clear();
    wv::backends::backend_spec spec;
    spec.name = "fleet-fn";
    spec.kind = wv::backends::backend_kind::handler;
    spec.handler.spec = "python:" + (here / "hook.py").string();
    spec.handler.workers = 1;
    spec.region = "eu-west-1";
    spec.account = "111122223333";
    c.functions.push_back(spec);
}

// The whole exchange over Paho with a claim: CreateKeysAndCertificate, then RegisterThing;
// RegisterThing's reply (accepted or rejected) with "topic" added.
json paho_register(const gateway_fixture& g, const std::pair<std::string, std::string>& claim, const std::string& tmpl,
                   const std::string& serial) {
    mqtt::client dev("ssl://localhost:" + std::to_string(g.port(1)), "dev-" + serial);
    mqtt::ssl_options ssl;
    ssl.set_trust_store(g.ca());
    ssl.set_key_store(claim.first);
    ssl.set_private_key(claim.second);
    mqtt::connect_options o;
    o.set_ssl(ssl);
    o.set_clean_session(true);
    o.set_mqtt_version(MQTTVERSION_3_1_1);
    dev.connect(o);
    const std::string reg = "$aws/provisioning-templates/" + tmpl + "/provision/json";
    dev.subscribe(std::vector<std::string>{"$aws/certificates/create/json/+", reg + "/+"}, std::vector<int>{1, 1});
    dev.start_consuming();
    dev.publish("$aws/certificates/create/json", "{}", 2, 1, false);
    mqtt::const_message_ptr m;
    REQUIRE(dev.try_consume_message_for(&m, std::chrono::seconds(10)));
    REQUIRE_MESSAGE(m->get_topic() == "$aws/certificates/create/json/accepted", m->get_payload_str());
    const auto token = json::parse(m->get_payload_str())["certificateOwnershipToken"];
    const auto body = json{{"certificateOwnershipToken", token}, {"parameters", {{"SerialNumber", serial}}}}.dump();
    dev.publish(reg, body.data(), body.size(), 1, false);
    REQUIRE(dev.try_consume_message_for(&m, std::chrono::seconds(15)));
    auto out = json::parse(m->get_payload_str());
    out["topic"] = m->get_topic();
    dev.disconnect();
    return out;
}

}  // namespace

TEST_CASE("a template's pre-provisioning hook resolves through functions: by ARN and by name") {
    gateway_fixture g(with_hook_function);
    auto& reg = *g.gw->registry();
    REQUIRE(reg.create_policy("device", device_policy));
    REQUIRE(reg.create_thing_group("fleet", "", "", {}));
    wv::control_plane::api api(reg);
    for (const std::string target : {"arn:aws:lambda:eu-west-1:111122223333:function:fleet-fn", "fleet-fn"}) {
        const std::string name = target == "fleet-fn" ? "by-name" : "by-arn";
        const auto r = api.handle({.method = "POST", .target = "/provisioning-templates", .headers = {},
                                   .body = json{{"templateName", name}, {"templateBody", fleet_template},
                                                {"provisioningRoleArn", "arn:aws:iam::111122223333:role/prov"}, {"enabled", true},
                                                {"preProvisioningHook", {{"targetArn", target}}}}
                                               .dump()});
        REQUIRE_MESSAGE(r.status == 200, r.body);
    }
    const auto k = reg.create_keys_and_certificate(true);
    REQUIRE(k);
    REQUIRE(reg.create_policy("claim", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*"}]})"));
    REQUIRE_FALSE(reg.attach_policy("claim", reg.certificate_arn(k.value().cert.id)));
    const auto cert = g.dir / "claim.pem", key = g.dir / "claim.key";
    std::ofstream(cert) << k.value().cert.pem;
    std::ofstream(key) << k.value().keys.private_key_pem;
    const std::pair claim{cert.string(), key.string()};

    const auto a = paho_register(g, claim, "by-arn", "5007");  // the hook overrides the site of serials ending in 7
    CHECK_MESSAGE(a["topic"] == "$aws/provisioning-templates/by-arn/provision/json/accepted", a.dump());
    CHECK(a["thingName"] == "wavelet-5007");
    CHECK(reg.describe_thing("wavelet-5007").value().attributes.at("region") == "us");
    const auto b = paho_register(g, claim, "by-name", "5008");
    CHECK_MESSAGE(b["topic"] == "$aws/provisioning-templates/by-name/provision/json/accepted", b.dump());
    // The function refuses: AWS's rejection, and the log names why.
    const auto c = paho_register(g, claim, "by-name", "bad-5");
    CHECK(c["topic"] == "$aws/provisioning-templates/by-name/provision/json/rejected");
    CHECK(c["statusCode"] == 403);
    CHECK(g.wait_for_log({"Provisioning", "allowProvisioning false"}));
}

TEST_CASE("a config template whose hook names no function is refused with the known ones") {
    const char* yaml = R"(
region: eu-west-1
account: "111122223333"
listeners: [{name: a, kind: aws-8883, port: 0}]
functions:
  - {name: fleet-fn, backend: handler, handler: "python:hook.py"}
provisioning:
  templates:
    - {name: t, body: '{"Resources": {}}', hook: flet-fn}
)";
    CHECK_THROWS_WITH(wv::gate::parse_gateway_config(yaml, "cfg.yaml", here),
                      doctest::Contains("cfg.yaml:9: provisioning.templates[0].hook: unknown function 'flet-fn'; known: fleet-fn"));
}

