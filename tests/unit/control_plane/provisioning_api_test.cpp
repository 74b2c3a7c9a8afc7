// The provisioning-template operations and CreateProvisioningClaim without sockets: botocore's
// shapes, versions with AWS's limits, template bodies checked by the engine, claims that the
// gateway's identity lookup knows for 5 minutes and ListCertificates never shows.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "control_plane/api.hpp"

using nlohmann::json;
using wv::control_plane::http_response;

namespace {

struct fixture {
    wv::registry::registry reg{{.acct = {.region = "eu-west-1", .id = "111122223333"},
                                .key_type = wv::registry::issued_key::ec_p256}};
    wv::control_plane::api api{reg, {}};

    http_response call(std::string method, std::string target, const json& body = nullptr) const {
        return api.handle({.method = std::move(method), .target = std::move(target), .headers = {},
                           .body = body.is_null() ? std::string{} : body.dump()});
    }
    json ok(std::string method, std::string target, const json& body = nullptr) const {
        const auto r = call(std::move(method), std::move(target), body);
        REQUIRE_MESSAGE(r.status == 200, r.error_type, " ", r.body);
        return r.body.empty() ? json::object() : json::parse(r.body);
    }
    std::string fails(const http_response& r, unsigned status, const std::string& type) const {
        CHECK_MESSAGE(r.status == status, r.body);
        CHECK_MESSAGE(r.error_type == type, r.body);
        return json::parse(r.body).value("message", "");
    }
};

const std::string body_v1 =
    R"({"Parameters":{"SerialNumber":{"Type":"String"}},"Resources":{"thing":{"Type":"AWS::IoT::Thing","Properties":{"ThingName":{"Ref":"SerialNumber"}}}}})";
const std::string body_v2 =
    R"({"Parameters":{"SerialNumber":{"Type":"String"}},"Resources":{"thing":{"Type":"AWS::IoT::Thing","Properties":{"ThingName":{"Fn::Join":["-",["dev",{"Ref":"SerialNumber"}]]}}}}})";
const char* role = "arn:aws:iam::111122223333:role/provisioning";

}  // namespace

TEST_CASE("CreateProvisioningTemplate, Describe, List, Update, Delete") {
    fixture f;
    const auto created = f.ok("POST", "/provisioning-templates",
                              {{"templateName", "fleet"}, {"templateBody", body_v1}, {"provisioningRoleArn", role},
                               {"enabled", true}, {"description", "the fleet"},
                               {"preProvisioningHook", {{"targetArn", "arn:aws:lambda:eu-west-1:111122223333:function:hook"}}}});
    CHECK(created == json{{"templateArn", "arn:aws:iot:eu-west-1:111122223333:provisioningtemplate/fleet"},
                          {"templateName", "fleet"},
                          {"defaultVersionId", 1}});
    const auto d = f.ok("GET", "/provisioning-templates/fleet");
    CHECK(d["templateBody"] == body_v1);
    CHECK(d["enabled"] == true);
    CHECK(d["description"] == "the fleet");
    CHECK(d["type"] == "FLEET_PROVISIONING");
    CHECK(d["provisioningRoleArn"] == role);
    CHECK(d["preProvisioningHook"] == json{{"targetArn", "arn:aws:lambda:eu-west-1:111122223333:function:hook"},
                                           {"payloadVersion", "2020-04-01"}});
    f.fails(f.call("POST", "/provisioning-templates",
                   {{"templateName", "fleet"}, {"templateBody", body_v1}, {"provisioningRoleArn", role}}),
            409, "ResourceAlreadyExistsException");
    f.ok("PATCH", "/provisioning-templates/fleet", {{"enabled", false}, {"removePreProvisioningHook", true}});
    const auto d2 = f.ok("GET", "/provisioning-templates/fleet");
    CHECK(d2["enabled"] == false);
    CHECK_FALSE(d2.contains("preProvisioningHook"));
    const auto list = f.ok("GET", "/provisioning-templates");
    REQUIRE(list["templates"].size() == 1);
    CHECK(list["templates"][0]["templateName"] == "fleet");
    f.ok("DELETE", "/provisioning-templates/fleet");
    f.fails(f.call("GET", "/provisioning-templates/fleet"), 404, "ResourceNotFoundException");
    f.fails(f.call("DELETE", "/provisioning-templates/fleet"), 404, "ResourceNotFoundException");
}

TEST_CASE("CreateProvisioningTemplate refuses bad names, missing fields and bodies the engine refuses") {
    fixture f;
    f.fails(f.call("POST", "/provisioning-templates", {{"templateName", "a b"}, {"templateBody", body_v1}, {"provisioningRoleArn", role}}),
            400, "InvalidRequestException");
    f.fails(f.call("POST", "/provisioning-templates", {{"templateName", "t"}, {"templateBody", body_v1}}), 400,
            "InvalidRequestException");
    const auto m = f.fails(f.call("POST", "/provisioning-templates",
                                  {{"templateName", "t"},
                                   {"templateBody", R"({"Resources":{"x":{"Type":"AWS::IoT::Thing","Properties":{"ThingName":{"Fn::Nope":1}}}}})"},
                                   {"provisioningRoleArn", role}}),
                           400, "InvalidRequestException");
    CHECK(m == "templateBody: template.Resources.x.Properties.ThingName: unknown intrinsic function 'Fn::Nope'");
}

TEST_CASE("template versions: create, default, describe, list, delete; at most 5; the default stays") {
    fixture f;
    f.ok("POST", "/provisioning-templates", {{"templateName", "fleet"}, {"templateBody", body_v1}, {"provisioningRoleArn", role}});
    const auto v2 = f.ok("POST", "/provisioning-templates/fleet/versions?setAsDefault=true", {{"templateBody", body_v2}});
    CHECK(v2["versionId"] == 2);
    CHECK(v2["isDefaultVersion"] == true);
    CHECK(f.ok("GET", "/provisioning-templates/fleet")["templateBody"] == body_v2);
    CHECK(f.ok("GET", "/provisioning-templates/fleet/versions/1")["templateBody"] == body_v1);
    CHECK(f.ok("GET", "/provisioning-templates/fleet/versions/1")["isDefaultVersion"] == false);
    f.fails(f.call("DELETE", "/provisioning-templates/fleet/versions/2"), 409, "DeleteConflictException");
    for (int i = 3; i <= 5; ++i) f.ok("POST", "/provisioning-templates/fleet/versions", {{"templateBody", body_v1}});
    f.fails(f.call("POST", "/provisioning-templates/fleet/versions", {{"templateBody", body_v1}}), 409,
            "VersionsLimitExceededException");
    const auto page1 = f.ok("GET", "/provisioning-templates/fleet/versions?maxResults=3");
    CHECK(page1["versions"].size() == 3);
    REQUIRE(page1.contains("nextToken"));
    const auto page2 = f.ok("GET", "/provisioning-templates/fleet/versions?maxResults=3&nextToken=" + page1["nextToken"].get<std::string>());
    CHECK(page2["versions"].size() == 2);
    CHECK(page2["versions"][1]["versionId"] == 5);
    f.ok("DELETE", "/provisioning-templates/fleet/versions/1");
    f.fails(f.call("GET", "/provisioning-templates/fleet/versions/1"), 404, "ResourceNotFoundException");
    f.ok("PATCH", "/provisioning-templates/fleet", {{"defaultVersionId", 3}});
    f.fails(f.call("PATCH", "/provisioning-templates/fleet", {{"defaultVersionId", 1}}), 400, "InvalidRequestException");
}

TEST_CASE("CreateProvisioningClaim: a 5-minute claim certificate tied to its template, not listed") {
    fixture f;
    f.fails(f.call("POST", "/provisioning-templates/nope/provisioning-claim"), 404, "ResourceNotFoundException");
    f.ok("POST", "/provisioning-templates", {{"templateName", "fleet"}, {"templateBody", body_v1}, {"provisioningRoleArn", role}});
    const double before = wv::registry::now_seconds();
    const auto c = f.ok("POST", "/provisioning-templates/fleet/provisioning-claim");
    CHECK(c["certificateId"].get<std::string>().size() == 64);
    CHECK(c["certificatePem"].get<std::string>().find("BEGIN CERTIFICATE") != std::string::npos);
    CHECK(c["keyPair"]["PrivateKey"].get<std::string>().find("PRIVATE KEY") != std::string::npos);
    CHECK(c["expiration"].get<double>() >= before + 300);
    CHECK(c["expiration"].get<double>() <= wv::registry::now_seconds() + 300);
    CHECK(f.ok("GET", "/certificates")["certificates"].empty());
    const auto who = f.reg.identify(c["certificateId"]);
    CHECK(who.known);
    CHECK(who.status == wv::registry::cert_status::active);
    REQUIRE(who.policy_documents.size() == 1);
    CHECK(who.policy_documents[0].find("$aws/provisioning-templates/fleet/provision/*") != std::string::npos);
    const auto claim = f.reg.find_provisioning_claim(c["certificateId"]);
    REQUIRE(claim);
    CHECK(claim->template_name == "fleet");
}

TEST_CASE("an expired claim is known but not active") {
    fixture f;
    f.ok("POST", "/provisioning-templates", {{"templateName", "fleet"}, {"templateBody", body_v1}, {"provisioningRoleArn", role}});
    const auto c = f.reg.create_provisioning_claim("fleet", -1);
    REQUIRE(c);
    const auto who = f.reg.identify(c.value().claim.certificate_id);
    CHECK(who.known);
    CHECK(who.status == wv::registry::cert_status::inactive);
}
