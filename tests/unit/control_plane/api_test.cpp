// The control-plane API without sockets: certificates (issued, from a CSR, registered with
// and without a CA), CA registration with its verification certificate, policies and their
// versions, attachments, topic rules, DescribeEndpoint; each error in AWS's type and status.
#include <doctest/doctest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <nlohmann/json.hpp>

#include "control_plane/api.hpp"
#include "registry/certificate_pem.hpp"
#include "sigv4/sigv4.hpp"
#include "support/temp_dir.hpp"
#include "tls/test_ca.hpp"

using nlohmann::json;
using wv::control_plane::http_response;

namespace {

const char* allow_connect = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"*"}]})";

struct fixture {
    wv::registry::registry reg{{.acct = {.region = "eu-west-1", .id = "111122223333"},
                                .key_type = wv::registry::issued_key::ec_p256}};
    wv::control_plane::api api{reg, {.endpoint_address = "gw.local"}};

    http_response call(std::string method, std::string target, const json& body = nullptr,
                       std::map<std::string, std::string> headers = {}) const {
        return api.handle({.method = std::move(method), .target = std::move(target), .headers = std::move(headers),
                           .body = body.is_null() ? std::string{} : body.dump()});
    }
    json ok(std::string method, std::string target, const json& body = nullptr,
            std::map<std::string, std::string> headers = {}) const {
        const auto r = call(std::move(method), std::move(target), body, std::move(headers));
        REQUIRE_MESSAGE(r.status == 200, r.error_type, " ", r.body);
        return json::parse(r.body);
    }
    void fails(const http_response& r, unsigned status, const std::string& type) const {
        CHECK_MESSAGE(r.status == status, r.body);
        CHECK_MESSAGE(r.error_type == type, r.body);
        CHECK(json::parse(r.body).contains("message"));
    }
};

std::string file_text(const std::filesystem::path& p) { return wv::test::read_file(p); }

// A PEM CSR for a fresh P-256 key with CN=<cn>.
std::string make_csr(const std::string& cn) {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509_REQ* req = X509_REQ_new();
    X509_NAME* name = X509_REQ_get_subject_name(req);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_REQ_set_pubkey(req, key);
    X509_REQ_sign(req, key, EVP_sha256());
    BIO* b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509_REQ(b, req);
    char* p = nullptr;
    const long n = BIO_get_mem_data(b, &p);
    std::string out(p, static_cast<std::size_t>(n));
    BIO_free(b);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
    return out;
}

}  // namespace

TEST_CASE("CreateKeysAndCertificate: id = SHA-256 of the DER, ARN, status by setAsActive, keys") {
    fixture f;
    const auto k = f.ok("POST", "/keys-and-certificate?setAsActive=true");
    const std::string id = k["certificateId"];
    CHECK(id.size() == 64);
    CHECK(k["certificateArn"] == "arn:aws:iot:eu-west-1:111122223333:cert/" + id);
    CHECK(k["certificatePem"].get<std::string>().rfind("-----BEGIN CERTIFICATE-----", 0) == 0);
    CHECK(k["keyPair"]["PrivateKey"].get<std::string>().find("PRIVATE KEY-----") != std::string::npos);
    CHECK(k["keyPair"]["PublicKey"].get<std::string>().rfind("-----BEGIN PUBLIC KEY-----", 0) == 0);
    std::string why;
    const auto parsed = wv::registry::parse_certificate_pem(k["certificatePem"].get<std::string>(), &why);
    REQUIRE(parsed);
    CHECK(parsed->id == id);
    CHECK(parsed->subject == "CN=AWS IoT Certificate");
    const auto d = f.ok("GET", "/certificates/" + id)["certificateDescription"];
    CHECK(d["status"] == "ACTIVE");
    CHECK(d["ownedBy"] == "111122223333");
    CHECK_FALSE(d.contains("caCertificateId"));
    CHECK(d["validity"]["notAfter"] == 2524607999.0);  // 2049-12-31T23:59:59Z, as AWS's
    CHECK(f.ok("POST", "/keys-and-certificate")["certificateId"] != id);
    CHECK(f.ok("GET", "/certificates/" + f.ok("POST", "/keys-and-certificate")["certificateId"].get<std::string>())
              ["certificateDescription"]["status"] == "INACTIVE");
}

TEST_CASE("UpdateCertificate transitions and DeleteCertificate's rules") {
    fixture f;
    const auto k = f.ok("POST", "/keys-and-certificate?setAsActive=true");
    const std::string id = k["certificateId"], arn = k["certificateArn"];
    f.fails(f.call("DELETE", "/certificates/" + id), 406, "CertificateStateException");
    f.fails(f.call("PUT", "/certificates/" + id + "?newStatus=PENDING_TRANSFER"), 400, "InvalidRequestException");
    f.fails(f.call("PUT", "/certificates/" + id + "?newStatus=BOGUS"), 400, "InvalidRequestException");
    f.fails(f.call("PUT", "/certificates/" + id), 400, "InvalidRequestException");
    f.ok("PUT", "/certificates/" + id + "?newStatus=INACTIVE");
    f.ok("PUT", "/certificates/" + id + "?newStatus=ACTIVE");
    f.ok("PUT", "/certificates/" + id + "?newStatus=INACTIVE");

    f.ok("POST", "/policies/p", {{"policyDocument", allow_connect}});
    f.ok("PUT", "/target-policies/p", {{"target", arn}});
    f.ok("POST", "/things/dev1", json::object());
    f.ok("PUT", "/things/dev1/principals", nullptr, {{"x-amzn-principal", arn}});
    f.fails(f.call("DELETE", "/certificates/" + id), 409, "DeleteConflictException");             // thing attached
    f.fails(f.call("DELETE", "/things/dev1"), 400, "InvalidRequestException");                    // principal attached
    f.ok("DELETE", "/things/dev1/principals", nullptr, {{"x-amzn-principal", arn}});
    f.fails(f.call("DELETE", "/certificates/" + id), 409, "DeleteConflictException");             // policy attached
    f.fails(f.call("DELETE", "/policies/p"), 409, "DeleteConflictException");
    f.ok("DELETE", "/certificates/" + id + "?forceDelete=true");                                   // detaches the policy
    f.fails(f.call("GET", "/certificates/" + id), 404, "ResourceNotFoundException");
    CHECK(f.ok("POST", "/policy-targets/p")["targets"].empty());
    f.ok("DELETE", "/policies/p");

    // REVOKED is final.
    const std::string id2 = f.ok("POST", "/keys-and-certificate?setAsActive=true")["certificateId"];
    f.ok("PUT", "/certificates/" + id2 + "?newStatus=REVOKED");
    f.fails(f.call("PUT", "/certificates/" + id2 + "?newStatus=ACTIVE"), 406, "CertificateStateException");
    f.ok("DELETE", "/certificates/" + id2);
}

TEST_CASE("CreateCertificateFromCsr keeps the CSR's subject; malformed PEM, CSR and JSON are refused") {
    fixture f;
    const auto c = f.ok("POST", "/certificates?setAsActive=true", {{"certificateSigningRequest", make_csr("dev-42")}});
    std::string why;
    CHECK(wv::registry::parse_certificate_pem(c["certificatePem"].get<std::string>(), &why)->subject == "CN=dev-42");
    f.fails(f.call("POST", "/certificates", {{"certificateSigningRequest", "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n"
                                                                           "-----END CERTIFICATE REQUEST-----\n"}}),
            400, "InvalidRequestException");
    f.fails(f.call("POST", "/certificates", json::object()), 400, "InvalidRequestException");
    f.fails(f.call("POST", "/certificate/register-no-ca", {{"certificatePem", "not a certificate"}}), 400,
            "CertificateValidationException");
    f.fails(f.call("POST", "/certificate/register-no-ca",
                   {{"certificatePem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"}}),
            400, "CertificateValidationException");
    const auto bad_json = f.api.handle({.method = "POST", .target = "/policies/x", .headers = {}, .body = "{\"policyDocument\": "});
    f.fails(bad_json, 400, "InvalidRequestException");
    f.fails(f.api.handle({.method = "GET", .target = "/things/%zz", .headers = {}, .body = {}}), 400,
            "InvalidRequestException");
}

TEST_CASE("RegisterCACertificate checks the verification certificate; RegisterCertificate needs the CA") {
    fixture f;
    wv::test::temp_dir dir, other;
    wv::tls::make_test_ca(dir.path());
    wv::tls::make_test_ca(other.path());
    const std::string code = f.ok("GET", "/registrationcode")["registrationCode"];
    CHECK(code.size() == 64);
    const auto good = wv::tls::make_client_cert(dir.path(), code);
    const auto wrong_cn = wv::tls::make_client_cert(dir.path(), "not-the-code");
    const auto wrong_ca = wv::tls::make_client_cert(other.path(), code);
    const std::string ca_pem = file_text(dir / "ca.crt");

    f.fails(f.call("POST", "/cacertificate", {{"caCertificate", ca_pem}, {"verificationCertificate", file_text(wrong_ca.cert)}}),
            400, "CertificateValidationException");
    f.fails(f.call("POST", "/cacertificate", {{"caCertificate", ca_pem}, {"verificationCertificate", file_text(wrong_cn.cert)}}),
            400, "RegistrationCodeValidationException");
    f.fails(f.call("POST", "/cacertificate", {{"caCertificate", file_text(good.cert)}, {"verificationCertificate", file_text(good.cert)}}),
            400, "CertificateValidationException");  // not a CA
    const auto ca = f.ok("POST", "/cacertificate?setAsActive=true&allowAutoRegistration=true",
                         {{"caCertificate", ca_pem}, {"verificationCertificate", file_text(good.cert)}});
    const std::string ca_id = ca["certificateId"];
    CHECK(ca["certificateArn"] == "arn:aws:iot:eu-west-1:111122223333:cacert/" + ca_id);
    f.fails(f.call("POST", "/cacertificate", {{"caCertificate", ca_pem}, {"verificationCertificate", file_text(good.cert)}}),
            409, "ResourceAlreadyExistsException");
    const auto d = f.ok("GET", "/cacertificate/" + ca_id)["certificateDescription"];
    CHECK(d["status"] == "ACTIVE");
    CHECK(d["autoRegistrationStatus"] == "ENABLE");

    const auto dev = wv::tls::make_client_cert(dir.path(), "dev1");
    const auto stranger = wv::tls::make_client_cert(other.path(), "dev2");
    f.fails(f.call("POST", "/certificate/register", {{"certificatePem", file_text(stranger.cert)}}), 400,
            "CertificateValidationException");
    const auto reg = f.ok("POST", "/certificate/register?setAsActive=true", {{"certificatePem", file_text(dev.cert)}});
    const std::string dev_id = reg["certificateId"];
    CHECK(f.ok("GET", "/certificates/" + dev_id)["certificateDescription"]["caCertificateId"] == ca_id);
    f.fails(f.call("POST", "/certificate/register", {{"certificatePem", file_text(dev.cert)}}), 409,
            "ResourceAlreadyExistsException");
    CHECK(f.ok("GET", "/certificates-by-ca/" + ca_id)["certificates"].size() == 1);

    // A CA set INACTIVE: the identity lookup sees it; its certificates cannot be activated.
    f.ok("PUT", "/cacertificate/" + ca_id + "?newStatus=INACTIVE");
    CHECK_FALSE(f.reg.identify(dev_id).ca_active);
    f.ok("PUT", "/certificates/" + dev_id + "?newStatus=INACTIVE");
    f.fails(f.call("PUT", "/certificates/" + dev_id + "?newStatus=ACTIVE"), 406, "CertificateStateException");
    const auto wo = f.ok("POST", "/certificate/register-no-ca", {{"certificatePem", file_text(stranger.cert)}, {"status", "ACTIVE"}});
    CHECK(f.ok("GET", "/certificates/" + wo["certificateId"].get<std::string>())["certificateDescription"]["certificateMode"] ==
          "SNI_ONLY");
}

TEST_CASE("Policies: validation, versions (at most 5, default not deletable), attachments") {
    fixture f;
    f.fails(f.call("POST", "/policies/bad", {{"policyDocument", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Maybe\","
                                                                "\"Action\":\"iot:Connect\",\"Resource\":\"*\"}]}"}}),
            400, "MalformedPolicyException");
    f.fails(f.call("POST", "/policies/bad", {{"policyDocument", "not json"}}), 400, "MalformedPolicyException");
    std::string huge = R"({"Version":"2012-10-17","Statement":[)";
    for (int i = 0; i < 40; ++i) huge += std::string(i ? "," : "") + R"({"Effect":"Allow","Action":"iot:Publish","Resource":"*"})";
    f.fails(f.call("POST", "/policies/bad", {{"policyDocument", huge + "]}"}}), 400, "MalformedPolicyException");
    const auto p = f.ok("POST", "/policies/dev", {{"policyDocument", allow_connect}});
    CHECK(p["policyVersionId"] == "1");
    CHECK(p["policyArn"] == "arn:aws:iot:eu-west-1:111122223333:policy/dev");
    f.fails(f.call("POST", "/policies/dev", {{"policyDocument", allow_connect}}), 409, "ResourceAlreadyExistsException");
    for (int v = 2; v <= 5; ++v)
        CHECK(f.ok("POST", "/policies/dev/version" + std::string(v == 3 ? "?setAsDefault=true" : ""),
                   {{"policyDocument", allow_connect}})["policyVersionId"] == std::to_string(v));
    f.fails(f.call("POST", "/policies/dev/version", {{"policyDocument", allow_connect}}), 409, "VersionsLimitExceededException");
    CHECK(f.ok("GET", "/policies/dev")["defaultVersionId"] == "3");
    const auto versions = f.ok("GET", "/policies/dev/version")["policyVersions"];
    REQUIRE(versions.size() == 5);
    CHECK(versions[0]["versionId"] == "5");
    f.fails(f.call("DELETE", "/policies/dev/version/3"), 409, "DeleteConflictException");
    f.fails(f.call("DELETE", "/policies/dev"), 409, "DeleteConflictException");  // versions left
    f.ok("PATCH", "/policies/dev/version/5");
    CHECK(f.ok("GET", "/policies/dev/version/5")["isDefaultVersion"] == true);
    for (const char* v : {"1", "2", "3", "4"}) f.ok("DELETE", std::string("/policies/dev/version/") + v);
    f.fails(f.call("GET", "/policies/dev/version/1"), 404, "ResourceNotFoundException");

    const std::string arn = f.ok("POST", "/keys-and-certificate")["certificateArn"];
    f.fails(f.call("PUT", "/target-policies/nope", {{"target", arn}}), 404, "ResourceNotFoundException");
    f.fails(f.call("PUT", "/target-policies/dev", {{"target", "arn:aws:iot:eu-west-1:111122223333:cert/" + std::string(64, 'a')}}),
            404, "ResourceNotFoundException");
    f.ok("PUT", "/principal-policies/dev", nullptr, {{"x-amzn-iot-principal", arn}});  // legacy AttachPrincipalPolicy
    // botocore percent-encodes the ARN, '/' included, into the ListAttachedPolicies path.
    std::string encoded;
    for (const char c : arn) encoded += c == '/' ? std::string("%2F") : c == ':' ? std::string("%3A") : std::string(1, c);
    CHECK(f.ok("POST", "/attached-policies/" + encoded)["policies"] ==
          json::array({{{"policyName", "dev"}, {"policyArn", "arn:aws:iot:eu-west-1:111122223333:policy/dev"}}}));
    CHECK(f.ok("GET", "/principal-policies", nullptr, {{"x-amzn-iot-principal", arn}})["policies"].size() == 1);
    CHECK(f.ok("POST", "/policy-targets/dev")["targets"] == json::array({arn}));
    f.ok("POST", "/target-policies/dev", {{"target", arn}});  // DetachPolicy
    CHECK(f.ok("POST", "/policy-targets/dev")["targets"].empty());
}

TEST_CASE("Things: create is idempotent, update merges, versions, thing types and groups, paging") {
    fixture f;
    f.ok("POST", "/thing-types/wavelet", {{"thingTypeProperties", {{"thingTypeDescription", "dataloggers"}}}});
    f.fails(f.call("POST", "/things/d1", {{"thingTypeName", "nope"}}), 404, "ResourceNotFoundException");
    const auto t = f.ok("POST", "/things/d1", {{"thingTypeName", "wavelet"}, {"attributePayload", {{"attributes", {{"a", "1"}}}}}});
    CHECK(t["thingArn"] == "arn:aws:iot:eu-west-1:111122223333:thing/d1");
    CHECK(f.ok("POST", "/things/d1", {{"thingTypeName", "wavelet"}, {"attributePayload", {{"attributes", {{"a", "1"}}}}}})
              ["thingId"] == t["thingId"]);
    f.fails(f.call("POST", "/things/d1", json::object()), 409, "ResourceAlreadyExistsException");
    f.ok("PATCH", "/things/d1", {{"attributePayload", {{"attributes", {{"b", "2"}, {"a", ""}}}, {"merge", true}}}});
    auto d = f.ok("GET", "/things/d1");
    CHECK(d["attributes"] == json{{"b", "2"}});
    CHECK(d["version"] == 2);
    f.fails(f.call("PATCH", "/things/d1", {{"expectedVersion", 1}, {"removeThingType", true}}), 409, "VersionConflictException");
    f.ok("PATCH", "/things/d1", {{"expectedVersion", 2}, {"removeThingType", true}});
    CHECK_FALSE(f.ok("GET", "/things/d1").contains("thingTypeName"));
    f.fails(f.call("DELETE", "/thing-types/wavelet"), 400, "InvalidRequestException");  // not deprecated
    f.ok("POST", "/thing-types/wavelet/deprecate", json::object());
    CHECK(f.ok("GET", "/thing-types/wavelet")["thingTypeMetadata"]["deprecated"] == true);
    f.ok("DELETE", "/thing-types/wavelet");

    f.ok("POST", "/thing-groups/plant", json::object());
    f.ok("POST", "/thing-groups/line1", {{"parentGroupName", "plant"}});
    f.ok("PUT", "/thing-groups/addThingToThingGroup", {{"thingGroupName", "line1"}, {"thingName", "d1"}});
    f.fails(f.call("PUT", "/thing-groups/addThingToThingGroup", {{"thingGroupName", "line1"}, {"thingName", "zz"}}), 404,
            "ResourceNotFoundException");
    CHECK(f.ok("GET", "/things/d1/thing-groups")["thingGroups"] ==
          json::array({{{"groupName", "line1"}, {"groupArn", "arn:aws:iot:eu-west-1:111122223333:thinggroup/line1"}}}));
    CHECK(f.ok("GET", "/thing-groups/line1/things")["things"] == json::array({"d1"}));
    CHECK(f.ok("GET", "/thing-groups/line1")["thingGroupMetadata"]["parentGroupName"] == "plant");

    for (int i = 0; i < 7; ++i) f.ok("POST", "/things/p" + std::to_string(i), json::object());
    std::vector<std::string> seen;
    std::string token;
    for (int pages = 0; pages < 10; ++pages) {
        const auto page = f.ok("GET", "/things?maxResults=3" + (token.empty() ? "" : "&nextToken=" + token));
        for (const auto& x : page["things"]) seen.push_back(x["thingName"]);
        if (!page.contains("nextToken")) break;
        token = page["nextToken"];
        // A token is base64: botocore sends it percent-encoded.
        std::string enc;
        for (const char c : token) enc += c == '+' ? "%2B" : c == '/' ? "%2F" : c == '=' ? "%3D" : std::string(1, c);
        token = enc;
    }
    CHECK(seen.size() == 8);
    f.ok("DELETE", "/things/never-existed");  // AWS: deleting a missing thing succeeds
}

TEST_CASE("Topic rules: SQL compiled on create, enable/disable, list; DescribeEndpoint") {
    fixture f;
    const json payload{{"sql", "SELECT * FROM 'wv/#'"}, {"actions", json::array({{{"republish", {{"topic", "out"}}}}})}};
    f.ok("POST", "/rules/r1", payload);
    f.fails(f.call("POST", "/rules/r1", payload), 409, "ResourceAlreadyExistsException");
    f.fails(f.call("POST", "/rules/r2", {{"sql", "SELECT FORM x"}, {"actions", json::array()}}), 400, "SqlParseException");
    f.fails(f.call("POST", "/rules/bad-name", payload), 400, "InvalidRequestException");
    auto r = f.ok("GET", "/rules/r1");
    CHECK(r["ruleArn"] == "arn:aws:iot:eu-west-1:111122223333:rule/r1");
    CHECK(r["rule"]["ruleDisabled"] == false);
    f.ok("POST", "/rules/r1/disable");
    CHECK(f.ok("GET", "/rules/r1")["rule"]["ruleDisabled"] == true);
    CHECK(f.ok("GET", "/rules?ruleDisabled=false")["rules"].empty());
    CHECK(f.ok("GET", "/rules")["rules"][0]["topicPattern"] == "wv/#");
    f.ok("DELETE", "/rules/r1");
    f.fails(f.call("GET", "/rules/r1"), 401, "UnauthorizedException");
    CHECK(f.ok("GET", "/endpoint?endpointType=iot%3AData-ATS")["endpointAddress"] == "gw.local");
    f.fails(f.call("GET", "/endpoint?endpointType=nope"), 400, "InvalidRequestException");
}

TEST_CASE("SigV4: verified when keys are configured, as AWS answers a missing or bad signature") {
    wv::registry::registry reg({.key_type = wv::registry::issued_key::ec_p256});
    const wv::control_plane::api open_api(reg);
    const wv::control_plane::api api(reg, {.endpoint_address = "h", .sigv4_keys = {{"AKIDLOCAL", "s3cret"}}});
    const auto signed_request = [](const std::string& key, const std::string& secret, const std::string& target,
                                   std::chrono::system_clock::time_point at) {
        wv::control_plane::http_request r{.method = "GET", .target = target, .headers = {{"host", "127.0.0.1:8441"}}, .body = {}};
        wv::sigv4::http_request s{.method = "GET", .path = target.substr(0, target.find('?')), .query = {},
                                  .headers = {{"host", "127.0.0.1:8441"}}, .body = {}};
        if (target.find('?') != std::string::npos) s.query = {{"maxResults", "5"}};
        const auto out = wv::sigv4::sign(s, {.access_key_id = key, .secret_access_key = secret, .session_token = {},
                                             .source = "test"},
                                         {.region = "eu-west-1", .service = "execute-api", .at = at});
        for (const auto& [k, v] : out.added) {
            std::string lower = k;
            for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            r.headers[lower] = v;
        }
        return r;
    };
    const auto now = std::chrono::system_clock::now();
    CHECK(api.handle(signed_request("AKIDLOCAL", "s3cret", "/things?maxResults=5", now)).status == 200);
    CHECK(api.handle(signed_request("AKIDLOCAL", "s3cret", "/things", now)).status == 200);
    auto r = api.handle(signed_request("AKIDLOCAL", "wrong", "/things", now));
    CHECK(r.status == 403);
    CHECK(r.error_type == "InvalidSignatureException");
    CHECK(api.handle(signed_request("AKIDOTHER", "s3cret", "/things", now)).error_type == "UnrecognizedClientException");
    CHECK(api.handle(signed_request("AKIDLOCAL", "s3cret", "/things", now - std::chrono::minutes(20))).error_type ==
          "InvalidSignatureException");
    // Signed for one path, sent to another.
    auto moved = signed_request("AKIDLOCAL", "s3cret", "/things", now);
    moved.target = "/policies";
    CHECK(api.handle(moved).error_type == "InvalidSignatureException");
    const wv::control_plane::http_request unsigned_request{.method = "GET", .target = "/things", .headers = {}, .body = {}};
    CHECK(api.handle(unsigned_request).error_type == "MissingAuthenticationTokenException");
    CHECK(open_api.handle(unsigned_request).status == 200);  // no keys configured: accepted
}

TEST_CASE("ListAttachedPolicies recursive=true: a thing group's ancestors' policies too") {
    fixture f;
    for (const char* p : {"root_p", "mid_p", "leaf_p", "other_p"}) f.ok("POST", std::string("/policies/") + p, {{"policyDocument", allow_connect}});
    f.ok("POST", "/thing-groups/root");
    f.ok("POST", "/thing-groups/mid", {{"parentGroupName", "root"}});
    f.ok("POST", "/thing-groups/leaf", {{"parentGroupName", "mid"}});
    f.ok("POST", "/thing-groups/other");
    const std::string g = "arn:aws:iot:eu-west-1:111122223333:thinggroup/";
    const std::string g_path = "arn%3Aaws%3Aiot%3Aeu-west-1%3A111122223333%3Athinggroup%2F";  // as botocore sends it
    f.ok("PUT", "/target-policies/root_p", {{"target", g + "root"}});
    f.ok("PUT", "/target-policies/mid_p", {{"target", g + "mid"}});
    f.ok("PUT", "/target-policies/leaf_p", {{"target", g + "leaf"}});
    f.ok("PUT", "/target-policies/other_p", {{"target", g + "other"}});
    f.ok("PUT", "/target-policies/root_p", {{"target", g + "leaf"}});  // also directly: listed once
    const auto names = [&](const std::string& q) {
        std::vector<std::string> out;
        const auto body = f.ok("POST", "/attached-policies/" + g_path + "leaf" + q);  // named: range-for keeps no temporary
        for (const auto& p : body["policies"]) out.push_back(p["policyName"]);
        return out;
    };
    CHECK(names("") == std::vector<std::string>{"leaf_p", "root_p"});
    CHECK(names("?recursive=false") == std::vector<std::string>{"leaf_p", "root_p"});
    CHECK(names("?recursive=true") == std::vector<std::string>{"leaf_p", "mid_p", "root_p"});
    f.fails(f.call("POST", "/attached-policies/" + g_path + "leaf?recursive=maybe"), 400, "InvalidRequestException");
}

TEST_CASE("Tags: on create (body TagList, CreateTopicRule's x-amz-tagging), Tag/Untag/ListTagsForResource, AWS's limits") {
    fixture f;
    const std::string policy = "arn:aws:iot:eu-west-1:111122223333:policy/p";
    const auto list = [&](const std::string& arn) {
        std::map<std::string, std::string> out;
        const auto body = f.ok("GET", "/tags?resourceArn=" + arn);
        for (const auto& t : body["tags"]) out[t["Key"]] = t.value("Value", "");
        return out;
    };
    f.fails(f.call("POST", "/policies/p", {{"policyDocument", allow_connect}, {"tags", json::array({{{"Key", "aws:x"}, {"Value", "1"}}})}}),
            400, "InvalidRequestException");
    f.fails(f.call("GET", "/policies/p"), 404, "ResourceNotFoundException");  // a bad tag creates nothing
    f.ok("POST", "/policies/p", {{"policyDocument", allow_connect}, {"tags", json::array({{{"Key", "team"}, {"Value", "lab"}}})}});
    CHECK(list(policy) == std::map<std::string, std::string>{{"team", "lab"}});
    f.ok("POST", "/tags", {{"resourceArn", policy}, {"tags", json::array({{{"Key", "env"}, {"Value", "test"}}, {{"Key", "team"}, {"Value", "iot"}}})}});
    CHECK(list(policy) == std::map<std::string, std::string>{{"env", "test"}, {"team", "iot"}});
    f.ok("POST", "/untag", {{"resourceArn", policy}, {"tagKeys", {"team", "absent"}}});
    CHECK(list(policy) == std::map<std::string, std::string>{{"env", "test"}});

    f.ok("POST", "/rules/r1", {{"sql", "SELECT * FROM 'a/#'"}, {"actions", json::array()}},
         {{"x-amz-tagging", "owner=ops&note=a%20b"}});
    CHECK(list("arn:aws:iot:eu-west-1:111122223333:rule/r1") ==
          std::map<std::string, std::string>{{"note", "a b"}, {"owner", "ops"}});
    f.ok("POST", "/thing-groups/g", {{"tags", json::array({{{"Key", "k"}}})}});
    CHECK(list("arn:aws:iot:eu-west-1:111122223333:thinggroup/g") == std::map<std::string, std::string>{{"k", ""}});

    // Deleting a resource drops its tags: created again, it has none.
    f.ok("DELETE", "/policies/p");
    f.fails(f.call("GET", "/tags?resourceArn=" + policy), 404, "ResourceNotFoundException");
    f.ok("POST", "/policies/p", {{"policyDocument", allow_connect}});
    CHECK(list(policy).empty());

    f.ok("POST", "/things/t1");
    f.fails(f.call("POST", "/tags", {{"resourceArn", "arn:aws:iot:eu-west-1:111122223333:thing/t1"},
                                     {"tags", json::array({{{"Key", "a"}, {"Value", "b"}}})}}),
            400, "InvalidRequestException");  // things are not taggable in AWS IoT
    json many = json::array();
    for (int i = 0; i < 51; ++i) many.push_back({{"Key", "k" + std::to_string(i)}, {"Value", "v"}});
    f.fails(f.call("POST", "/tags", {{"resourceArn", policy}, {"tags", many}}), 410, "LimitExceededException");
    f.fails(f.call("POST", "/tags", {{"resourceArn", policy}}), 400, "InvalidRequestException");
}
