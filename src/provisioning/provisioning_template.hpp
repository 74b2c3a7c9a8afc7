#pragma once
// AWS IoT provisioning templates (fleet provisioning, provisioning by trusted user) as a pure
// engine: a template body is parsed and checked once (CreateProvisioningTemplate), then
// evaluated per RegisterThing against the device's parameters and its new certificate into a
// plan of what to create. Nothing here touches the registry; provisioning_service applies the
// plan.
//
//   auto t = wv::provisioning::parse_template(body);          // InvalidRequestException text on error
//   auto p = wv::provisioning::evaluate(t.value(), {{"SerialNumber", "42"}},
//                                       {.id = cert_id, .subject = {{"CommonName", "dev42"}}});
//   // p.value().thing->name == "dev-42", p.value().device_configuration["Fallback"] == ...
//
// The template language (AWS developer guide, provision-template.html):
//   Parameters      name -> {"Type": "String"|"Number"|..., "Default": value}
//   Mappings        map -> key -> key -> value (Fn::FindInMap)
//   Conditions      name -> a condition function (Fn::Equals, Fn::Not, Fn::And, Fn::Or, or
//                   {"Condition": name}); a resource with "Condition": name exists only when true
//   Resources       logical id -> {"Type", "Properties", "OverrideSettings", "Condition"}:
//                   AWS::IoT::Thing (ThingName, AttributePayload, ThingTypeName, ThingGroups;
//                   OverrideSettings per property: MERGE, REPLACE, FAIL, DO_NOTHING),
//                   AWS::IoT::Certificate (CertificateId, Status),
//                   AWS::IoT::Policy (PolicyName of an existing policy, or PolicyDocument)
//   DeviceConfiguration  flat key -> value, returned to the device by RegisterThing
//   Intrinsics      Ref, Fn::Join, Fn::Select, Fn::Split, Fn::FindInMap, Fn::Sub, Fn::If,
//                   Fn::Equals, Fn::Not, Fn::And, Fn::Or
//   Pseudo-parameters  AWS::IoT::Certificate::Id, and the certificate's subject fields
//                   AWS::IoT::Certificate::CommonName, ::Country, ::Organization,
//                   ::OrganizationalUnit, ::DistinguishedNameQualifier, ::StateName,
//                   ::SerialNumber (a template that references a field the certificate lacks fails)
//
// Errors name where and what: "Resources.thing.Properties.ThingName: Fn::FindInMap: key
// 'Paris' is not in mapping 'LocationTable'". Pure; thread-safe (no shared state).
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace wv::provisioning {

// A template that parsed and passed the checks (logical ids, resource types, function names,
// condition names). Keeps the body for evaluation.
struct provisioning_template {
    nlohmann::json body;
    // The body names a subject field (AWS::IoT::Certificate::CommonName, ...): only then does
    // the new certificate need parsing for its facts.
    bool names_certificate_subject = false;
};

struct template_problem {
    std::string message;
};

// Parse and check a template body. The message is what CreateProvisioningTemplate answers
// with (InvalidRequestException).
std::variant<provisioning_template, template_problem> parse_template(std::string_view body);

// What the new certificate contributes: its id and subject fields by AWS's pseudo-parameter
// name (CommonName, Country, Organization, OrganizationalUnit, DistinguishedNameQualifier,
// StateName, SerialNumber).
struct certificate_facts {
    std::string id;
    std::map<std::string, std::string> subject;
};
// Subject fields from an RFC 2253 subject ("CN=dev1,O=Acme,C=DE").
std::map<std::string, std::string> subject_fields(std::string_view rfc2253);

enum class override_mode { do_nothing, merge, replace, fail };
std::optional<override_mode> parse_override(std::string_view s);

struct thing_plan {
    std::string logical_id;
    std::string name;
    std::optional<std::string> type;                       // ThingTypeName
    std::map<std::string, std::string> attributes;         // AttributePayload
    std::vector<std::string> groups;                       // ThingGroups
    // What to do when the thing exists already (OverrideSettings; default DO_NOTHING).
    override_mode attributes_mode = override_mode::do_nothing;
    override_mode type_mode = override_mode::do_nothing;
    override_mode groups_mode = override_mode::do_nothing;
};

struct certificate_plan {
    std::string logical_id;
    std::string certificate_id;
    std::string status = "ACTIVE";                         // CertificateStatus, upper case
};

struct policy_plan {
    std::string logical_id;
    std::string name;                                      // PolicyName; empty with a document
    std::string document;                                  // PolicyDocument; empty with a name
};

struct plan {
    std::optional<thing_plan> thing;
    std::optional<certificate_plan> certificate;
    std::vector<policy_plan> policies;
    std::map<std::string, std::string> device_configuration;
    std::map<std::string, std::string> parameters;         // as used: given, then defaults
};

// Evaluate for one device. The problem's message names the section, the resource and the
// function that failed.
std::variant<plan, template_problem> evaluate(const provisioning_template& t,
                                              const std::map<std::string, std::string>& parameters,
                                              const certificate_facts& certificate);

}  // namespace wv::provisioning
