// Parsing and checking a template body, and evaluating it into a plan for one device.
#include "provisioning/provisioning_template.hpp"

#include <array>
#include <algorithm>
#include <cctype>

#include "provisioning/template_functions.hpp"

namespace wv::provisioning {
namespace {

using nlohmann::json;

constexpr std::string_view thing_type = "AWS::IoT::Thing";
constexpr std::string_view certificate_type = "AWS::IoT::Certificate";
constexpr std::string_view policy_type = "AWS::IoT::Policy";

struct check_failed {
    std::string message;
};

[[noreturn]] void refuse(std::string message) { throw check_failed{std::move(message)}; }

// Every {"Fn::...": x} must name a function this engine knows.
void check_functions(const json& node, const std::string& where) {
    if (node.is_object()) {
        if (node.size() == 1) {
            const auto& k = node.begin().key();
            if ((k.rfind("Fn::", 0) == 0 || k == "Ref") && !is_intrinsic(k))
                refuse(where + ": unknown intrinsic function '" + k + "'");
        }
        for (const auto& [k, v] : node.items()) check_functions(v, where + "." + k);
    } else if (node.is_array()) {
        for (std::size_t i = 0; i < node.size(); ++i) check_functions(node[i], where + "[" + std::to_string(i) + "]");
    }
}

// Fn::If and {"Condition": name} must name a defined condition.
void check_condition_names(const json& node, const json& conditions, const std::string& where) {
    if (node.is_object()) {
        if (node.size() == 1) {
            const auto& k = node.begin().key();
            const auto& v = node.begin().value();
            const json* name = nullptr;
            if (k == "Fn::If" && v.is_array() && !v.empty()) name = &v[0];
            if (k == "Condition") name = &v;
            if (name && (!name->is_string() || !conditions.contains(name->get<std::string>())))
                refuse(where + ": " + k + " names condition " + name->dump() + ", which is not defined in Conditions");
        }
        for (const auto& [k, v] : node.items()) check_condition_names(v, conditions, where + "." + k);
    } else if (node.is_array()) {
        for (std::size_t i = 0; i < node.size(); ++i)
            check_condition_names(node[i], conditions, where + "[" + std::to_string(i) + "]");
    }
}

void check_object(const json& body, const char* section) {
    if (body.contains(section) && !body[section].is_object()) refuse(std::string(section) + " must be a JSON object");
}

void check_template(const json& body) {
    if (!body.is_object()) refuse("the template body must be a JSON object");
    static constexpr std::array<std::string_view, 9> known{"Parameters", "Mappings", "Conditions", "Resources",
                                                           "DeviceConfiguration", "Description", "Version",
                                                           "AWSTemplateFormatVersion", "Metadata"};
    for (const auto& [k, v] : body.items())
        if (std::find(known.begin(), known.end(), k) == known.end()) refuse("unknown template section '" + k + "'");
    for (const char* s : {"Parameters", "Mappings", "Conditions", "Resources", "DeviceConfiguration"}) check_object(body, s);
    if (body.contains("Parameters"))
        for (const auto& [name, p] : body["Parameters"].items()) {
            if (!p.is_object() || !p.contains("Type") || !p["Type"].is_string())
                refuse("Parameters." + name + ": a parameter needs a \"Type\" (e.g. \"String\")");
            if (p.contains("Default") && !(p["Default"].is_string() || p["Default"].is_number()))
                refuse("Parameters." + name + ".Default must be a string");
        }
    if (body.contains("Mappings"))
        for (const auto& [name, m] : body["Mappings"].items()) {
            if (!m.is_object()) refuse("Mappings." + name + " must be an object of objects");
            for (const auto& [k, v] : m.items())
                if (!v.is_object()) refuse("Mappings." + name + "." + k + " must be an object");
        }
    const json conditions = body.value("Conditions", json::object());
    int things = 0, certificates = 0;
    if (body.contains("Resources"))
        for (const auto& [id, r] : body["Resources"].items()) {
            const std::string at = "Resources." + id;
            if (!r.is_object() || !r.contains("Type") || !r["Type"].is_string())
                refuse(at + ": a resource needs a \"Type\"");
            const auto type = r["Type"].get<std::string>();
            if (type == thing_type) ++things;
            else if (type == certificate_type) ++certificates;
            else if (type != policy_type)
                refuse(at + ": resource type '" + type + "' is not one of AWS::IoT::Thing, AWS::IoT::Certificate, AWS::IoT::Policy");
            if (r.contains("Properties") && !r["Properties"].is_object()) refuse(at + ".Properties must be an object");
            if (r.contains("Condition") && (!r["Condition"].is_string() || !conditions.contains(r["Condition"].get<std::string>())))
                refuse(at + ".Condition: " + r["Condition"].dump() + " is not defined in Conditions");
            if (r.contains("OverrideSettings")) {
                if (type != thing_type || !r["OverrideSettings"].is_object())
                    refuse(at + ".OverrideSettings: only an AWS::IoT::Thing has OverrideSettings (an object)");
                for (const auto& [k, v] : r["OverrideSettings"].items()) {
                    if (k != "AttributePayload" && k != "ThingTypeName" && k != "ThingGroups")
                        refuse(at + ".OverrideSettings: unknown property '" + k + "'");
                    const auto mode = v.is_string() ? parse_override(v.get<std::string>()) : std::nullopt;
                    if (!mode || (k == "ThingTypeName" && *mode == override_mode::merge))
                        refuse(at + ".OverrideSettings." + k + ": " + v.dump() + " is not " +
                               (k == "ThingTypeName" ? "REPLACE, FAIL or DO_NOTHING" : "MERGE, REPLACE, FAIL or DO_NOTHING"));
                }
            }
            const json props = r.value("Properties", json::object());
            if (type == thing_type && !props.contains("ThingName")) refuse(at + ".Properties: ThingName is required");
            if (type == policy_type && props.contains("PolicyName") == props.contains("PolicyDocument"))
                refuse(at + ".Properties: give exactly one of PolicyName and PolicyDocument");
        }
    if (things > 1) refuse("Resources: at most one AWS::IoT::Thing");
    if (certificates > 1) refuse("Resources: at most one AWS::IoT::Certificate");
    if (body.contains("DeviceConfiguration"))
        for (const auto& [k, v] : body["DeviceConfiguration"].items())
            if ((v.is_object() && !(v.size() == 1 && is_intrinsic(v.begin().key()))) || v.is_array())
                refuse("DeviceConfiguration." + k + ": values must be flat (no nested objects or lists)");
    check_functions(body, "template");
    check_condition_names(body, conditions, "template");
}

std::string upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

override_mode override_of(const json& r, const char* property) {
    if (!r.contains("OverrideSettings") || !r["OverrideSettings"].contains(property)) return override_mode::do_nothing;
    return parse_override(r["OverrideSettings"][property].get<std::string>()).value_or(override_mode::do_nothing);
}

thing_plan plan_thing(function_evaluator& ev, const std::string& id, const json& r) {
    const std::string at = "Resources." + id + ".Properties";
    const json& props = r["Properties"];
    thing_plan t;
    t.logical_id = id;
    t.name = ev.resolve_string(props["ThingName"], at + ".ThingName");
    if (t.name.empty()) throw evaluation_error(at + ".ThingName: the thing name is empty");
    if (props.contains("ThingTypeName")) t.type = ev.resolve_string(props["ThingTypeName"], at + ".ThingTypeName");
    if (props.contains("AttributePayload")) {
        json a = ev.resolve(props["AttributePayload"], at + ".AttributePayload");
        // The developer guide shows both {"k": "v"} and the API's {"attributes": {...}} shape.
        if (a.is_object() && a.size() == 1 && a.contains("attributes") && a["attributes"].is_object()) a = a["attributes"];
        if (!a.is_object()) throw evaluation_error(at + ".AttributePayload: expected an object of attributes");
        for (const auto& [k, v] : a.items()) {
            if (v.is_string()) t.attributes[k] = v.get<std::string>();
            else if (v.is_number() || v.is_boolean()) t.attributes[k] = v.dump();
            else throw evaluation_error(at + ".AttributePayload." + k + ": an attribute value must be a string");
        }
    }
    if (props.contains("ThingGroups")) {
        const json g = ev.resolve(props["ThingGroups"], at + ".ThingGroups");
        if (!g.is_array()) throw evaluation_error(at + ".ThingGroups: expected a list of group names");
        for (const auto& x : g) {
            if (!x.is_string()) throw evaluation_error(at + ".ThingGroups: " + x.dump() + " is not a group name");
            t.groups.push_back(x.get<std::string>());
        }
    }
    t.attributes_mode = override_of(r, "AttributePayload");
    t.type_mode = override_of(r, "ThingTypeName");
    t.groups_mode = override_of(r, "ThingGroups");
    return t;
}

certificate_plan plan_certificate(function_evaluator& ev, const std::string& id, const json& r,
                                  const certificate_facts& cert) {
    const std::string at = "Resources." + id + ".Properties";
    const json props = r.value("Properties", json::object());
    certificate_plan c;
    c.logical_id = id;
    c.certificate_id = props.contains("CertificateId") ? ev.resolve_string(props["CertificateId"], at + ".CertificateId")
                                                       : cert.id;
    if (c.certificate_id != cert.id)
        throw evaluation_error(at + ".CertificateId: '" + c.certificate_id +
                               "' is not the certificate being provisioned (use {\"Ref\": \"AWS::IoT::Certificate::Id\"})");
    if (props.contains("Status")) {
        c.status = upper(ev.resolve_string(props["Status"], at + ".Status"));
        if (c.status != "ACTIVE" && c.status != "INACTIVE")
            throw evaluation_error(at + ".Status: '" + c.status + "' is not Active or Inactive");
    }
    return c;
}

policy_plan plan_policy(function_evaluator& ev, const std::string& id, const json& r) {
    const std::string at = "Resources." + id + ".Properties";
    const json& props = r["Properties"];
    policy_plan p;
    p.logical_id = id;
    if (props.contains("PolicyName")) {
        p.name = ev.resolve_string(props["PolicyName"], at + ".PolicyName");
    } else {
        const json d = ev.resolve(props["PolicyDocument"], at + ".PolicyDocument");
        p.document = d.is_string() ? d.get<std::string>() : d.dump();
    }
    return p;
}

}  // namespace

std::optional<override_mode> parse_override(std::string_view s) {
    if (s == "DO_NOTHING") return override_mode::do_nothing;
    if (s == "MERGE") return override_mode::merge;
    if (s == "REPLACE") return override_mode::replace;
    if (s == "FAIL") return override_mode::fail;
    return std::nullopt;
}

std::map<std::string, std::string> subject_fields(std::string_view rfc2253) {
    static const std::map<std::string, std::string, std::less<>> names{
        {"CN", "CommonName"},     {"C", "Country"},   {"O", "Organization"}, {"OU", "OrganizationalUnit"},
        {"dnQualifier", "DistinguishedNameQualifier"}, {"ST", "StateName"}, {"serialNumber", "SerialNumber"},
        {"2.5.4.46", "DistinguishedNameQualifier"},    {"2.5.4.5", "SerialNumber"}};
    std::map<std::string, std::string> out;
    std::size_t i = 0;
    while (i < rfc2253.size()) {
        // One RDN up to an unescaped ','.
        std::string key, value;
        bool in_value = false;
        for (; i < rfc2253.size(); ++i) {
            const char c = rfc2253[i];
            if (c == '\\' && i + 1 < rfc2253.size()) {
                (in_value ? value : key) += rfc2253[++i];
                continue;
            }
            if (c == ',' || c == '+') {
                ++i;
                break;
            }
            if (c == '=' && !in_value) {
                in_value = true;
                continue;
            }
            (in_value ? value : key) += c;
        }
        if (const auto it = names.find(key); it != names.end() && !out.count(it->second)) out[it->second] = value;
    }
    return out;
}

// A string anywhere in the body (a Ref, a Fn::Sub text) naming a certificate pseudo-parameter
// other than the Id.
bool names_subject_field(const json& node) {
    if (node.is_string()) {
        static constexpr std::string_view prefix = "AWS::IoT::Certificate::";
        const auto& s = node.get_ref<const std::string&>();
        for (auto at = s.find(prefix); at != std::string::npos; at = s.find(prefix, at + 1))
            if (s.compare(at + prefix.size(), 2, "Id") != 0 ||
                (at + prefix.size() + 2 < s.size() && std::isalnum(static_cast<unsigned char>(s[at + prefix.size() + 2]))))
                return true;
        return false;
    }
    if (node.is_object() || node.is_array())
        for (const auto& v : node) if (names_subject_field(v)) return true;
    return false;
}

std::variant<provisioning_template, template_problem> parse_template(std::string_view body) {
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded()) return template_problem{"the template body is not valid JSON"};
    try {
        check_template(j);
    } catch (const check_failed& e) {
        return template_problem{e.message};
    }
    const bool subject = names_subject_field(j);
    return provisioning_template{std::move(j), subject};
}

std::variant<plan, template_problem> evaluate(const provisioning_template& t,
                                              const std::map<std::string, std::string>& parameters,
                                              const certificate_facts& certificate) {
    const json& body = t.body;
    std::map<std::string, std::string> values;
    std::set<std::string> declared;
    if (body.contains("Parameters"))
        for (const auto& [name, p] : body["Parameters"].items()) {
            declared.insert(name);
            if (const auto it = parameters.find(name); it != parameters.end()) values[name] = it->second;
            else if (p.contains("Default")) values[name] = p["Default"].is_string() ? p["Default"].get<std::string>() : p["Default"].dump();
        }
    plan out;
    out.parameters = values;
    values["AWS::IoT::Certificate::Id"] = certificate.id;
    for (const auto& [k, v] : certificate.subject) values["AWS::IoT::Certificate::" + k] = v;
    function_evaluator ev(body, std::move(values), std::move(declared));
    try {
        if (body.contains("Resources"))
            for (const auto& [id, r] : body["Resources"].items()) {
                if (r.contains("Condition") && !ev.condition(r["Condition"].get<std::string>(), "Resources." + id + ".Condition"))
                    continue;
                const auto type = r["Type"].get<std::string>();
                if (type == thing_type) out.thing = plan_thing(ev, id, r);
                else if (type == certificate_type) out.certificate = plan_certificate(ev, id, r, certificate);
                else out.policies.push_back(plan_policy(ev, id, r));
            }
        if (body.contains("DeviceConfiguration"))
            for (const auto& [k, v] : body["DeviceConfiguration"].items())
                out.device_configuration[k] = ev.resolve_string(v, "DeviceConfiguration." + k);
    } catch (const evaluation_error& e) {
        return template_problem{e.what()};
    }
    return out;
}

}  // namespace wv::provisioning
