// The provisioning template engine alone: each section and intrinsic function, with the
// errors AWS's users see (which resource, which function, what was wrong).
#include <doctest/doctest.h>

#include "provisioning/provisioning_template.hpp"

using namespace wv::provisioning;

namespace {

provisioning_template parsed(const std::string& body) {
    auto t = parse_template(body);
    if (auto* p = std::get_if<template_problem>(&t)) FAIL("template refused: ", p->message);
    return std::get<provisioning_template>(std::move(t));
}

std::string refusal(const std::string& body) {
    auto t = parse_template(body);
    REQUIRE_MESSAGE(std::holds_alternative<template_problem>(t), "accepted: " << body);
    return std::get<template_problem>(t).message;
}

const certificate_facts cert{.id = "c0ffee", .subject = {{"CommonName", "dev-7"}, {"Country", "DE"}}};

plan run(const std::string& body, const std::map<std::string, std::string>& params) {
    auto r = evaluate(parsed(body), params, cert);
    if (auto* p = std::get_if<template_problem>(&r)) FAIL("evaluation failed: ", p->message);
    return std::get<plan>(std::move(r));
}

std::string failure(const std::string& body, const std::map<std::string, std::string>& params) {
    auto r = evaluate(parsed(body), params, cert);
    REQUIRE_MESSAGE(std::holds_alternative<template_problem>(r), "evaluated: " << body);
    return std::get<template_problem>(r).message;
}

// AWS's fleet-provisioning example template (developer guide, provision-template.html),
// with a Mapping, a Condition and OverrideSettings.
const std::string fleet = R"({
  "Parameters": {
    "SerialNumber": {"Type": "String"},
    "DeviceLocation": {"Type": "String", "Default": "Seattle"},
    "Stage": {"Type": "String", "Default": "dev"}
  },
  "Mappings": {
    "LocationTable": {
      "Seattle": {"LocationUrl": "https://example.aws/sea"},
      "Berlin": {"LocationUrl": "https://example.aws/ber"}
    }
  },
  "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}},
  "Resources": {
    "thing": {
      "Type": "AWS::IoT::Thing",
      "OverrideSettings": {"AttributePayload": "MERGE", "ThingTypeName": "REPLACE", "ThingGroups": "DO_NOTHING"},
      "Properties": {
        "ThingName": {"Fn::Join": ["", ["ThingPrefix_", {"Ref": "SerialNumber"}]]},
        "AttributePayload": {"version": "v1", "serialNumber": {"Ref": "SerialNumber"}},
        "ThingTypeName": "lightBulb-versionA",
        "ThingGroups": ["v1-lightbulbs", {"Ref": "DeviceLocation"}]
      }
    },
    "certificate": {
      "Type": "AWS::IoT::Certificate",
      "Properties": {"CertificateId": {"Ref": "AWS::IoT::Certificate::Id"}, "Status": "Active"}
    },
    "policy": {"Type": "AWS::IoT::Policy", "Properties": {"PolicyName": "fleet-device"}},
    "prodPolicy": {"Type": "AWS::IoT::Policy", "Condition": "IsProd",
                   "Properties": {"PolicyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":[]}"}}
  },
  "DeviceConfiguration": {
    "FallbackUrl": "https://www.example.com/test-site",
    "LocationUrl": {"Fn::FindInMap": ["LocationTable", {"Ref": "DeviceLocation"}, "LocationUrl"]}
  }
})";

}  // namespace

TEST_CASE("AWS's fleet template: names, attributes, groups, certificate, policies, device configuration") {
    const auto p = run(fleet, {{"SerialNumber", "123"}});
    REQUIRE(p.thing);
    CHECK(p.thing->logical_id == "thing");
    CHECK(p.thing->name == "ThingPrefix_123");
    CHECK(p.thing->attributes == std::map<std::string, std::string>{{"serialNumber", "123"}, {"version", "v1"}});
    CHECK(p.thing->type == "lightBulb-versionA");
    CHECK(p.thing->groups == std::vector<std::string>{"v1-lightbulbs", "Seattle"});
    CHECK(p.thing->attributes_mode == override_mode::merge);
    CHECK(p.thing->type_mode == override_mode::replace);
    CHECK(p.thing->groups_mode == override_mode::do_nothing);
    REQUIRE(p.certificate);
    CHECK(p.certificate->certificate_id == "c0ffee");
    CHECK(p.certificate->status == "ACTIVE");
    REQUIRE(p.policies.size() == 1);  // prodPolicy's condition is false
    CHECK(p.policies[0].name == "fleet-device");
    CHECK(p.device_configuration.at("LocationUrl") == "https://example.aws/sea");  // the default's row
    CHECK(p.device_configuration.at("FallbackUrl") == "https://www.example.com/test-site");
    CHECK(p.parameters.at("DeviceLocation") == "Seattle");
}

TEST_CASE("a given parameter wins over its default; a true condition adds its resource") {
    const auto p = run(fleet, {{"SerialNumber", "9"}, {"DeviceLocation", "Berlin"}, {"Stage", "prod"}});
    CHECK(p.device_configuration.at("LocationUrl") == "https://example.aws/ber");
    CHECK(p.thing->groups.back() == "Berlin");
    REQUIRE(p.policies.size() == 2);
    CHECK(p.policies[1].logical_id == "prodPolicy");
    CHECK(p.policies[1].name.empty());
    CHECK(p.policies[1].document == R"({"Version":"2012-10-17","Statement":[]})");
}

TEST_CASE("a missing parameter fails naming the resource, the property and the function") {
    CHECK(failure(fleet, {}) ==
          "Resources.thing.Properties.ThingName.Fn::Join[1][1]: Ref: parameter 'SerialNumber' has no value: "
          "the request does not give it and it has no Default");
}

TEST_CASE("Fn::FindInMap with a key the mapping lacks fails naming the mapping and key") {
    CHECK(failure(fleet, {{"SerialNumber", "1"}, {"DeviceLocation", "Paris"}}) ==
          "DeviceConfiguration.LocationUrl: Fn::FindInMap: key 'Paris' is not in mapping 'LocationTable'");
}

TEST_CASE("Fn::Select, Fn::Split, Fn::Sub, Fn::If, Fn::Not, Fn::And, Fn::Or") {
    const std::string body = R"({
      "Parameters": {"Id": {"Type": "String"}, "Region": {"Type": "String", "Default": "eu"}},
      "Conditions": {
        "IsEu": {"Fn::Equals": ["eu", {"Ref": "Region"}]},
        "NotEu": {"Fn::Not": [{"Condition": "IsEu"}]},
        "Both": {"Fn::And": [{"Condition": "IsEu"}, {"Fn::Equals": [{"Ref": "Id"}, "a-b-c"]}]},
        "Either": {"Fn::Or": [{"Condition": "NotEu"}, {"Fn::Equals": ["x", "y"]}]}
      },
      "Resources": {"thing": {"Type": "AWS::IoT::Thing", "Properties": {
        "ThingName": {"Fn::Sub": "${Region}-${AWS::IoT::Certificate::CommonName}-${!Literal}"},
        "AttributePayload": {
          "second": {"Fn::Select": ["1", {"Fn::Split": ["-", {"Ref": "Id"}]}]},
          "third": {"Fn::Select": [2, {"Fn::Split": ["-", {"Ref": "Id"}]}]},
          "where": {"Fn::If": ["IsEu", "europe", "elsewhere"]},
          "both": {"Fn::If": ["Both", "yes", "no"]},
          "either": {"Fn::If": ["Either", "yes", "no"]},
          "country": {"Fn::Sub": ["${c}/${Id}", {"c": {"Ref": "AWS::IoT::Certificate::Country"}}]}
        }}}}
    })";
    const auto p = run(body, {{"Id", "a-b-c"}});
    CHECK(p.thing->name == "eu-dev-7-${Literal}");
    CHECK(p.thing->attributes.at("second") == "b");
    CHECK(p.thing->attributes.at("third") == "c");
    CHECK(p.thing->attributes.at("where") == "europe");
    CHECK(p.thing->attributes.at("both") == "yes");
    CHECK(p.thing->attributes.at("either") == "no");
    CHECK(p.thing->attributes.at("country") == "DE/a-b-c");
    const auto q = run(body, {{"Id", "x-y-z"}, {"Region", "us"}});
    CHECK(q.thing->attributes.at("where") == "elsewhere");
    CHECK(q.thing->attributes.at("both") == "no");
    CHECK(q.thing->attributes.at("either") == "yes");
}

TEST_CASE("evaluation errors: Select out of range, a subject field the certificate lacks, Join of a non-list") {
    const auto one = [](const std::string& value) {
        return R"({"Parameters": {"Id": {"Type": "String"}}, "Resources": {"t": {"Type": "AWS::IoT::Thing",
                   "Properties": {"ThingName": )" + value + "}}}}";
    };
    CHECK(failure(one(R"({"Fn::Select": [5, {"Fn::Split": [",", "a,b"]}]})"), {}) ==
          "Resources.t.Properties.ThingName: Fn::Select: index 5 is out of range for a list of 2");
    CHECK(failure(one(R"({"Ref": "AWS::IoT::Certificate::OrganizationalUnit"})"), {}) ==
          "Resources.t.Properties.ThingName: Ref: the certificate has no OrganizationalUnit field "
          "(AWS::IoT::Certificate::OrganizationalUnit)");
    CHECK(failure(one(R"({"Fn::Join": ["-", "notalist"]})"), {}) ==
          "Resources.t.Properties.ThingName: Fn::Join: the second argument must be a list, got \"notalist\"");
    CHECK(failure(one(R"({"Ref": "Undeclared"})"), {{"Undeclared", "x"}}) ==
          "Resources.t.Properties.ThingName: Ref: 'Undeclared' is not declared in Parameters");
    CHECK(failure(one(R"({"Fn::Sub": "${Id"})"), {{"Id", "1"}}) ==
          "Resources.t.Properties.ThingName: Fn::Sub: unclosed '${' in '${Id'");
    CHECK(failure(one(R"("")"), {}) == "Resources.t.Properties.ThingName: the thing name is empty");
}

TEST_CASE("a certificate resource for another certificate, or with a bad status, fails") {
    CHECK(failure(R"({"Resources": {"c": {"Type": "AWS::IoT::Certificate", "Properties": {"CertificateId": "abc"}}}})", {})
              .find("Resources.c.Properties.CertificateId: 'abc' is not the certificate being provisioned") == 0);
    CHECK(failure(R"({"Resources": {"c": {"Type": "AWS::IoT::Certificate", "Properties": {"Status": "Revoked"}}}})", {}) ==
          "Resources.c.Properties.Status: 'REVOKED' is not Active or Inactive");
}

TEST_CASE("parse_template refuses what CreateProvisioningTemplate must refuse") {
    CHECK(refusal("{") == "the template body is not valid JSON");
    CHECK(refusal("[]") == "the template body must be a JSON object");
    CHECK(refusal(R"({"Resource": {}})") == "unknown template section 'Resource'");
    CHECK(refusal(R"({"Parameters": {"A": {}}})") == "Parameters.A: a parameter needs a \"Type\" (e.g. \"String\")");
    CHECK(refusal(R"({"Resources": {"x": {"Type": "AWS::S3::Bucket"}}})") ==
          "Resources.x: resource type 'AWS::S3::Bucket' is not one of AWS::IoT::Thing, AWS::IoT::Certificate, AWS::IoT::Policy");
    CHECK(refusal(R"({"Resources": {"a": {"Type": "AWS::IoT::Thing", "Properties": {"ThingName": "a"}},
                                   "b": {"Type": "AWS::IoT::Thing", "Properties": {"ThingName": "b"}}}})") ==
          "Resources: at most one AWS::IoT::Thing");
    CHECK(refusal(R"({"Resources": {"t": {"Type": "AWS::IoT::Thing", "Properties": {"ThingName": {"Fn::Base64": "x"}}}}})") ==
          "template.Resources.t.Properties.ThingName: unknown intrinsic function 'Fn::Base64'");
    CHECK(refusal(R"({"Resources": {"t": {"Type": "AWS::IoT::Thing", "Condition": "Nope", "Properties": {"ThingName": "a"}}}})") ==
          "Resources.t.Condition: \"Nope\" is not defined in Conditions");
    CHECK(refusal(R"({"Resources": {"t": {"Type": "AWS::IoT::Thing", "Properties": {"ThingName": {"Fn::If": ["Nope", "a", "b"]}}}}})") ==
          "template.Resources.t.Properties.ThingName: Fn::If names condition \"Nope\", which is not defined in Conditions");
    CHECK(refusal(R"({"Resources": {"t": {"Type": "AWS::IoT::Thing", "OverrideSettings": {"ThingTypeName": "MERGE"},
                                          "Properties": {"ThingName": "a"}}}})") ==
          "Resources.t.OverrideSettings.ThingTypeName: \"MERGE\" is not REPLACE, FAIL or DO_NOTHING");
    CHECK(refusal(R"({"Resources": {"p": {"Type": "AWS::IoT::Policy", "Properties": {}}}})") ==
          "Resources.p.Properties: give exactly one of PolicyName and PolicyDocument");
    CHECK(refusal(R"({"DeviceConfiguration": {"nested": {"a": "b"}}})") ==
          "DeviceConfiguration.nested: values must be flat (no nested objects or lists)");
    CHECK(refusal(R"({"Resources": {"t": {"Type": "AWS::IoT::Thing", "Properties": {}}}})") ==
          "Resources.t.Properties: ThingName is required");
}

TEST_CASE("a condition that refers to itself fails instead of recursing") {
    CHECK(failure(R"({"Conditions": {"A": {"Fn::Not": [{"Condition": "A"}]}},
                      "Resources": {"t": {"Type": "AWS::IoT::Thing", "Condition": "A", "Properties": {"ThingName": "x"}}}})",
                  {}) == "Conditions.A.Fn::Not[0]: condition 'A' refers to itself");
}

TEST_CASE("subject_fields: RFC 2253 subjects to AWS's pseudo-parameter names, escapes kept") {
    const auto f = subject_fields(R"(CN=dev\,7,OU=fleet,O=Acme Inc.,ST=Bavaria,C=DE,serialNumber=42)");
    CHECK(f.at("CommonName") == "dev,7");
    CHECK(f.at("OrganizationalUnit") == "fleet");
    CHECK(f.at("Organization") == "Acme Inc.");
    CHECK(f.at("StateName") == "Bavaria");
    CHECK(f.at("Country") == "DE");
    CHECK(f.at("SerialNumber") == "42");
    CHECK(subject_fields("").empty());
}

TEST_CASE("names_certificate_subject: set when a Ref or Fn::Sub names a subject field, not for the Id alone") {
    const std::string id_only = R"({"Resources": {"c": {"Type": "AWS::IoT::Certificate",
        "Properties": {"CertificateId": {"Ref": "AWS::IoT::Certificate::Id"}, "Status": "Active"}}}})";
    CHECK_FALSE(parsed(id_only).names_certificate_subject);
    CHECK(parsed(R"({"Resources": {"t": {"Type": "AWS::IoT::Thing",
        "Properties": {"ThingName": {"Ref": "AWS::IoT::Certificate::CommonName"}}}}})").names_certificate_subject);
    CHECK(parsed(R"({"Resources": {"t": {"Type": "AWS::IoT::Thing",
        "Properties": {"ThingName": {"Fn::Sub": "x-${AWS::IoT::Certificate::Id}-${AWS::IoT::Certificate::Country}"}}}}})")
              .names_certificate_subject);
    // "Identifier" is not the Id (a field of that name would have to be parsed for).
    CHECK(parsed(R"({"Resources": {"t": {"Type": "AWS::IoT::Thing",
        "Properties": {"ThingName": {"Fn::Sub": "${AWS::IoT::Certificate::Identifier}"}}}}})").names_certificate_subject);
}
