// The provisioning service without a gateway: requests in, replies out, over a real registry,
// with a scripted hook function (answers, refuses, raises, hangs, garbage).
#include <doctest/doctest.h>

#include <future>

#include "provisioning/device_csr.hpp"
#include "provisioning/provisioning_service.hpp"

using namespace wv::provisioning;
using nlohmann::json;

namespace {

// A function that answers as scripted: a reply body, an error, or never (the deadline fires).
struct scripted_hook final : wv::auth::authorizer_backend {
    std::function<wv::auth::backend_reply(const json& event)> answer;  // nullopt body: hang
    std::vector<json> events;
    std::mutex mu;
    void invoke(std::string event_json, std::chrono::steady_clock::time_point, completion done) override {
        const auto ev = json::parse(event_json);
        {
            std::lock_guard lock(mu);
            events.push_back(ev);
        }
        auto r = answer(ev);
        if (r.error == wv::auth::backend_errc::timeout) return;  // hangs: never completes
        done(std::move(r));
    }
    std::string describe() const override { return "scripted hook"; }
};

wv::auth::backend_reply body(const json& j) { return {.body = j.dump()}; }

const char* allow_all = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*"}]})";

// The issue's template: Mappings, Fn::Join, Fn::FindInMap, a group, a named and an inline policy.
const std::string fleet_template = R"({
  "Parameters": {"SerialNumber": {"Type": "String"}, "Site": {"Type": "String", "Default": "berlin"}},
  "Mappings": {"Sites": {"berlin": {"Region": "eu", "Broker": "b1"}, "austin": {"Region": "us", "Broker": "a1"}}},
  "Resources": {
    "thing": {"Type": "AWS::IoT::Thing",
              "Properties": {"ThingName": {"Fn::Join": ["-", ["wavelet", {"Ref": "SerialNumber"}]]},
                             "AttributePayload": {"serial": {"Ref": "SerialNumber"},
                                                  "region": {"Fn::FindInMap": ["Sites", {"Ref": "Site"}, "Region"]}},
                             "ThingGroups": ["fleet"]}},
    "certificate": {"Type": "AWS::IoT::Certificate",
                    "Properties": {"CertificateId": {"Ref": "AWS::IoT::Certificate::Id"}, "Status": "Active"}},
    "policy": {"Type": "AWS::IoT::Policy", "Properties": {"PolicyName": "device"}},
    "inline": {"Type": "AWS::IoT::Policy", "Properties": {"PolicyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iot:Connect\",\"Resource\":\"*\"}]}"}}
  },
  "DeviceConfiguration": {"broker": {"Fn::FindInMap": ["Sites", {"Ref": "Site"}, "Broker"]}, "interval": "60"}
})";

struct fixture {
    wv::registry::registry reg{{.acct = {.region = "eu-west-1", .id = "111122223333"},
                                .key_type = wv::registry::issued_key::ec_p256}};
    std::shared_ptr<scripted_hook> hook = std::make_shared<scripted_hook>();
    std::unique_ptr<provisioning_service> svc;

    explicit fixture(provisioning_options o = {}, bool with_hook = false) {
        o.hook_deadline = std::chrono::milliseconds(300);
        o.resolve_function = [h = hook](const std::string& arn) -> std::shared_ptr<wv::auth::authorizer_backend> {
            return arn == "arn:aws:lambda:eu-west-1:111122223333:function:hook" ? h : nullptr;
        };
        svc = std::make_unique<provisioning_service>(reg, o);
        REQUIRE(reg.create_policy("device", allow_all));
        REQUIRE(reg.create_thing_group("fleet", "", "", {}));
        wv::registry::provisioning_template_record t;
        t.name = "fleet";
        t.enabled = true;
        t.versions.push_back({1, fleet_template, 0});
        if (with_hook) t.hook = wv::registry::provisioning_hook{"arn:aws:lambda:eu-west-1:111122223333:function:hook"};
        REQUIRE(reg.create_provisioning_template(t));
    }

    provisioning_reply ask(const std::string& topic, const std::string& payload, const std::string& claim = "") {
        std::promise<provisioning_reply> p;
        svc->submit({.topic = topic, .payload = payload, .client_id = "dev-client", .certificate_id = claim},
                    [&](provisioning_reply r) { p.set_value(std::move(r)); });
        auto f = p.get_future();
        REQUIRE(f.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
        return f.get();
    }
    json ask_json(const std::string& topic, const json& payload, bool accepted, const std::string& claim = "") {
        const auto r = ask(topic, payload.is_null() ? "" : payload.dump(), claim);
        CHECK_MESSAGE(r.accepted == accepted, r.log);
        CHECK(r.topic == topic + (accepted ? "/accepted" : "/rejected"));
        return json::parse(r.payload);
    }
    std::string token() {
        return ask_json("$aws/certificates/create/json", nullptr, true)["certificateOwnershipToken"];
    }
};

const std::string provision = "$aws/provisioning-templates/fleet/provision/json";

json rejected(int status, const std::string& code, const std::string& message) {
    return {{"statusCode", status}, {"errorCode", code}, {"errorMessage", message}};
}

}  // namespace

TEST_CASE("CreateKeysAndCertificate: a PENDING_ACTIVATION certificate, its private key and a token") {
    fixture f;
    const auto a = f.ask_json("$aws/certificates/create/json", nullptr, true);
    const std::string id = a["certificateId"];
    CHECK(id.size() == 64);
    CHECK(a["certificatePem"].get<std::string>().rfind("-----BEGIN CERTIFICATE-----", 0) == 0);
    CHECK(a["privateKey"].get<std::string>().find("PRIVATE KEY-----") != std::string::npos);
    CHECK(a["certificateOwnershipToken"].get<std::string>().size() >= 40);
    CHECK(f.reg.describe_certificate(id).value().status == wv::registry::cert_status::pending_activation);
}

TEST_CASE("RegisterThing: Mappings, Fn::Join, Fn::FindInMap give the right names, attributes, groups, policies, configuration") {
    fixture f;
    const auto created = f.ask_json("$aws/certificates/create/json", nullptr, true);
    const std::string id = created["certificateId"];
    const auto a = f.ask_json(provision, {{"certificateOwnershipToken", created["certificateOwnershipToken"]},
                                          {"parameters", {{"SerialNumber", "0042"}, {"Site", "austin"}}}},
                              true);
    CHECK(a == json{{"deviceConfiguration", {{"broker", "a1"}, {"interval", "60"}}}, {"thingName", "wavelet-0042"}});
    const auto t = f.reg.describe_thing("wavelet-0042");
    REQUIRE(t);
    CHECK(t.value().attributes == std::map<std::string, std::string>{{"region", "us"}, {"serial", "0042"}});
    const auto groups = f.reg.groups_for_thing("wavelet-0042", {});
    REQUIRE(groups.value().items.size() == 1);
    CHECK(groups.value().items[0].name == "fleet");
    const auto arn = f.reg.certificate_arn(id);
    CHECK(f.reg.describe_certificate(id).value().status == wv::registry::cert_status::active);
    CHECK(f.reg.principal_things(arn, {}).value().items == std::vector<std::string>{"wavelet-0042"});
    const auto policies = f.reg.attached_policies(arn, {}).value().items;
    REQUIRE(policies.size() == 2);
    CHECK(std::find(policies.begin(), policies.end(), "device") != policies.end());
    // The token is spent.
    CHECK(f.ask_json(provision, {{"certificateOwnershipToken", created["certificateOwnershipToken"]},
                                 {"parameters", {{"SerialNumber", "0042"}}}},
                     false) == rejected(400, "InvalidCertificateOwnershipToken", "Certificate ownership token is invalid."));
}

TEST_CASE("CBOR: CreateCertificateFromCsr and RegisterThing answer in CBOR; CBOR that does not decode is refused") {
    fixture f;
    const auto csr = make_device_csr("dev-cbor");
    const auto req = json::to_cbor(json{{"certificateSigningRequest", csr.csr_pem}});
    const auto r = f.ask("$aws/certificates/create-from-csr/cbor", std::string(req.begin(), req.end()));
    REQUIRE_MESSAGE(r.accepted, r.log);
    CHECK(r.topic == "$aws/certificates/create-from-csr/cbor/accepted");
    const auto a = json::from_cbor(r.payload);
    CHECK(a.contains("certificateOwnershipToken"));
    CHECK(a["certificatePem"].get<std::string>().find("BEGIN CERTIFICATE") != std::string::npos);
    const auto reg_req = json::to_cbor(json{{"certificateOwnershipToken", a["certificateOwnershipToken"]},
                                            {"parameters", {{"SerialNumber", "7"}}}});
    const auto r2 = f.ask("$aws/provisioning-templates/fleet/provision/cbor", std::string(reg_req.begin(), reg_req.end()));
    REQUIRE_MESSAGE(r2.accepted, r2.log);
    CHECK(json::from_cbor(r2.payload)["thingName"] == "wavelet-7");
    const auto bad = f.ask("$aws/certificates/create-from-csr/cbor", std::string("\xbf\x61", 2));
    CHECK_FALSE(bad.accepted);
    CHECK(json::from_cbor(bad.payload) == rejected(400, "InvalidPayload", "The payload is not valid CBOR."));
}

TEST_CASE("a template naming AWS::IoT::Certificate::CommonName gets the CSR's subject; one naming only the Id works too") {
    fixture f;
    wv::registry::provisioning_template_record t;
    t.name = "by-cn";
    t.enabled = true;
    t.versions.push_back({1, R"({"Resources": {
        "thing": {"Type": "AWS::IoT::Thing", "Properties": {"ThingName": {"Fn::Sub": "cn-${AWS::IoT::Certificate::CommonName}"}}},
        "certificate": {"Type": "AWS::IoT::Certificate",
                        "Properties": {"CertificateId": {"Ref": "AWS::IoT::Certificate::Id"}, "Status": "Active"}}}})", 0});
    REQUIRE(f.reg.create_provisioning_template(t));
    const auto csr = make_device_csr("sensor-9");
    const auto c = f.ask_json("$aws/certificates/create-from-csr/json", {{"certificateSigningRequest", csr.csr_pem}}, true);
    CHECK(f.ask_json("$aws/provisioning-templates/by-cn/provision/json",
                     {{"certificateOwnershipToken", c["certificateOwnershipToken"]}}, true)["thingName"] == "cn-sensor-9");
    const auto c2 = f.ask_json("$aws/certificates/create-from-csr/json",
                               {{"certificateSigningRequest", make_device_csr("sensor-10").csr_pem}}, true);
    CHECK(f.ask_json(provision, {{"certificateOwnershipToken", c2["certificateOwnershipToken"]}, {"parameters", {{"SerialNumber", "10"}}}},
                     true)["thingName"] == "wavelet-10");
}

TEST_CASE("CreateCertificateFromCsr: two CSRs in one PEM, or a CSR whose signature does not verify, say why") {
    fixture f;
    const auto a = make_device_csr("a").csr_pem, b = make_device_csr("b").csr_pem;
    CHECK(f.ask_json("$aws/certificates/create-from-csr/json", {{"certificateSigningRequest", a + b}}, false) ==
          rejected(400, "InvalidCSR", "certificateSigningRequest: 2 CSRs given: expected exactly one"));
    // One byte of the signature changed (the last base64 line before the END line).
    auto tampered = a;
    const auto end = tampered.find("-----END");
    const auto at = tampered.rfind('\n', end - 2) + 5;
    tampered[at] = tampered[at] == 'A' ? 'B' : 'A';
    const auto r = f.ask_json("$aws/certificates/create-from-csr/json", {{"certificateSigningRequest", tampered}}, false);
    CHECK(r["statusCode"] == 400);
    CHECK(r["errorCode"] == "InvalidCSR");
}

TEST_CASE("bad input: CSR that does not parse, JSON that does not decode, empty/unknown/expired token, missing parameter, unknown template") {
    fixture f;
    const auto csr = f.ask_json("$aws/certificates/create-from-csr/json",
                                {{"certificateSigningRequest", "-----BEGIN CERTIFICATE REQUEST-----\nnope\n-----END CERTIFICATE REQUEST-----\n"}},
                                false);
    CHECK(csr["statusCode"] == 400);
    CHECK(csr["errorCode"] == "InvalidCSR");
    CHECK(f.ask_json("$aws/certificates/create-from-csr/json", json::object(), false) ==
          rejected(400, "InvalidCSR", "certificateSigningRequest is required (a PEM CSR)."));
    const auto garbage = f.ask("$aws/certificates/create-from-csr/json", "{not json");
    CHECK(json::parse(garbage.payload) == rejected(400, "InvalidPayload", "The payload is not valid JSON."));
    CHECK(f.ask_json(provision, {{"parameters", {{"SerialNumber", "1"}}}}, false) ==
          rejected(400, "InvalidCertificateOwnershipToken", "Certificate ownership token cannot be empty."));
    CHECK(f.ask_json(provision, {{"certificateOwnershipToken", "forged"}}, false) ==
          rejected(400, "InvalidCertificateOwnershipToken", "Certificate ownership token is invalid."));
    const auto missing = f.ask_json(provision, {{"certificateOwnershipToken", f.token()}}, false);
    CHECK(missing == rejected(400, "InvalidParameters",
                              "Resources.thing.Properties.ThingName.Fn::Join[1][1]: Ref: parameter 'SerialNumber' has no "
                              "value: the request does not give it and it has no Default"));
    CHECK(f.ask_json("$aws/provisioning-templates/nope/provision/json", {{"certificateOwnershipToken", f.token()}}, false) ==
          rejected(404, "ResourceNotFound", "Template nope does not exist."));
    CHECK(f.ask_json(provision, {{"certificateOwnershipToken", f.token()}, {"parameters", {{"SerialNumber", 5}}}}, false) ==
          rejected(400, "InvalidPayload", "parameters.SerialNumber must be a string."));
}

TEST_CASE("an ownership token lives one hour: expired it is refused and its unused certificate deleted") {
    fixture f({.token_ttl = std::chrono::seconds(0)});
    const auto created = f.ask_json("$aws/certificates/create/json", nullptr, true);
    CHECK(f.ask_json(provision, {{"certificateOwnershipToken", created["certificateOwnershipToken"]},
                                 {"parameters", {{"SerialNumber", "1"}}}},
                     false) == rejected(400, "InvalidCertificateOwnershipToken", "Certificate ownership token has expired."));
    CHECK_FALSE(f.reg.describe_certificate(created["certificateId"]));  // swept by that request
}

TEST_CASE("the hook: its event, overrides merged, refusals, raises, hangs and garbage refuse that request only") {
    fixture f({}, true);
    f.hook->answer = [](const json& ev) {
        const std::string serial = ev["parameters"].value("SerialNumber", "");
        if (serial == "666") return body({{"allowProvisioning", false}});
        if (serial == "raise") return wv::auth::backend_reply{.error = wv::auth::backend_errc::function_error,
                                                               .detail = "ValueError: bad serial"};
        if (serial == "hang") return wv::auth::backend_reply{.error = wv::auth::backend_errc::timeout};
        if (serial == "garbage") return wv::auth::backend_reply{.body = "I am not JSON"};
        return body({{"allowProvisioning", true}, {"parameterOverrides", {{"Site", "austin"}}}});
    };
    const auto created = f.ask_json("$aws/certificates/create/json", nullptr, true);
    const auto ok = f.ask_json(provision, {{"certificateOwnershipToken", created["certificateOwnershipToken"]},
                                           {"parameters", {{"SerialNumber", "1"}}}},
                               true);
    CHECK(ok["deviceConfiguration"]["broker"] == "a1");  // the hook's override of Site
    REQUIRE(f.hook->events.size() == 1);
    const auto& ev = f.hook->events[0];
    CHECK(ev["certificateId"] == created["certificateId"]);
    CHECK(ev["certificatePem"].get<std::string>().find("BEGIN CERTIFICATE") != std::string::npos);
    CHECK(ev["templateArn"] == "arn:aws:iot:eu-west-1:111122223333:provisioningtemplate/fleet");
    CHECK(ev["clientId"] == "dev-client");
    CHECK(ev["claimCertificateId"] == "");
    CHECK(ev["parameters"] == json{{"SerialNumber", "1"}});
    for (const std::string serial : {"666", "raise", "hang", "garbage"}) {
        const auto start = std::chrono::steady_clock::now();
        const auto r = f.ask(provision, json{{"certificateOwnershipToken", f.token()}, {"parameters", {{"SerialNumber", serial}}}}.dump());
        CHECK_FALSE(r.accepted);
        CHECK(json::parse(r.payload) == rejected(403, "AccessDenied", "The pre-provisioning hook did not allow provisioning."));
        CHECK_FALSE(f.reg.describe_thing("wavelet-" + serial));
        if (serial == "hang") {
            CHECK(r.log.find("did not answer within 300 ms") != std::string::npos);
            CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(250));
        }
        if (serial == "raise") CHECK(r.log.find("ValueError: bad serial") != std::string::npos);
        if (serial == "garbage") CHECK(r.log.find("not a JSON object") != std::string::npos);
    }
    // Nothing else broke: the next device provisions.
    f.ask_json(provision, {{"certificateOwnershipToken", f.token()}, {"parameters", {{"SerialNumber", "2"}}}}, true);
}

TEST_CASE("a trusted-user claim works for its own template only, and not after it expires") {
    fixture f;
    wv::registry::provisioning_template_record other;
    other.name = "other";
    other.enabled = true;
    other.versions.push_back({1, fleet_template, 0});
    REQUIRE(f.reg.create_provisioning_template(other));
    const auto claim = f.reg.create_provisioning_claim("fleet", 300);
    REQUIRE(claim);
    const auto id = claim.value().claim.certificate_id;
    const auto created = f.ask_json("$aws/certificates/create/json", nullptr, true, id);
    CHECK(f.ask_json("$aws/provisioning-templates/other/provision/json",
                     {{"certificateOwnershipToken", created["certificateOwnershipToken"]}, {"parameters", {{"SerialNumber", "1"}}}},
                     false, id) == rejected(403, "AccessDenied", "The provisioning claim certificate is for template fleet, not other."));
    f.ask_json(provision, {{"certificateOwnershipToken", created["certificateOwnershipToken"]}, {"parameters", {{"SerialNumber", "1"}}}},
               true, id);
    const auto expired = f.reg.create_provisioning_claim("fleet", -1);
    CHECK(f.ask_json("$aws/certificates/create/json", nullptr, false, expired.value().claim.certificate_id) ==
          rejected(403, "AccessDenied", "The provisioning claim certificate has expired (claims are valid for 5 minutes)."));
}

TEST_CASE("a disabled template and OverrideSettings FAIL on an existing thing refuse") {
    fixture f;
    f.ask_json(provision, {{"certificateOwnershipToken", f.token()}, {"parameters", {{"SerialNumber", "1"}}}}, true);
    REQUIRE_FALSE(f.reg.update_provisioning_template("fleet", {.enabled = false}));
    CHECK(f.ask_json(provision, {{"certificateOwnershipToken", f.token()}, {"parameters", {{"SerialNumber", "1"}}}}, false) ==
          rejected(400, "InvalidRequest", "Template fleet is disabled."));
}
