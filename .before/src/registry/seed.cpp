#include "registry/seed.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "registry/certificate_pem.hpp"
#include "registry/registry.hpp"
#include "registry/registry_state.hpp"

namespace wv::registry {
namespace {

using nlohmann::json;

json yaml_to_json(const YAML::Node& n) {
    switch (n.Type()) {
        case YAML::NodeType::Map: {
            json j = json::object();
            for (const auto& kv : n) j[kv.first.Scalar()] = yaml_to_json(kv.second);
            return j;
        }
        case YAML::NodeType::Sequence: {
            json j = json::array();
            for (const auto& e : n) j.push_back(yaml_to_json(e));
            return j;
        }
        case YAML::NodeType::Scalar: {
            // Plain true/false become booleans (deprecated: true); everything else stays text,
            // so an attribute written 1.50 or 007 keeps its characters.
            const std::string& s = n.Scalar();
            if (n.Tag() != "!" && (s == "true" || s == "false")) return s == "true";
            return s;
        }
        default:
            return nullptr;
    }
}

YAML::Node json_to_yaml(const json& j) {
    YAML::Node n;
    if (j.is_object()) {
        n = YAML::Node(YAML::NodeType::Map);
        for (const auto& [k, v] : j.items()) n[k] = json_to_yaml(v);
    } else if (j.is_array()) {
        n = YAML::Node(YAML::NodeType::Sequence);
        for (const auto& v : j) n.push_back(json_to_yaml(v));
    } else if (j.is_string()) {
        n = j.get<std::string>();
    } else if (j.is_boolean()) {
        n = j.get<bool>();
    } else if (j.is_number_integer()) {
        n = j.get<std::int64_t>();
    } else if (j.is_number()) {
        n = j.get<double>();
    }
    return n;
}

std::string str(const json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::map<std::string, std::string> string_map(const json& j, const char* key) {
    std::map<std::string, std::string> out;
    if (const auto it = j.find(key); it != j.end() && it->is_object())
        for (const auto& [k, v] : it->items()) out[k] = v.is_string() ? v.get<std::string>() : v.dump();
    return out;
}

std::vector<std::string> string_list(const json& j, const char* key) {
    std::vector<std::string> out;
    if (const auto it = j.find(key); it != j.end() && it->is_array())
        for (const auto& v : *it)
            if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
}

[[noreturn]] void refuse(const std::string& where, const error& e) {
    throw std::runtime_error(where + ": " + std::string(error_type(e.code)) + ": " + e.message);
}

template <class T>
void ok_or_exists(const outcome<T>& o, const std::string& where) {
    if (!o && o.err().code != errc::already_exists) refuse(where, o.err());
}
void ok(const status& s, const std::string& where) {
    if (s) refuse(where, *s);
}

}  // namespace

json load_seed_file(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error(file.string() + ": cannot open the registry seed file");
    std::stringstream ss;
    ss << in.rdbuf();
    json doc;
    try {
        doc = yaml_to_json(YAML::Load(ss.str()));
    } catch (const YAML::Exception& e) {
        throw std::runtime_error(file.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    if (!doc.is_object()) throw std::runtime_error(file.string() + ": expected a map with things:, policies:, certificates: ...");
    for (const char* list : {"certificates", "caCertificates"}) {
        if (!doc.contains(list) || !doc[list].is_array()) continue;
        for (auto& c : doc[list]) {
            if (!c.is_object() || !c.contains("certificateFile")) continue;
            auto p = std::filesystem::path(c["certificateFile"].get<std::string>());
            if (p.is_relative()) p = file.parent_path() / p;
            std::ifstream cf(p);
            if (!cf) throw std::runtime_error(file.string() + ": " + list + ": certificateFile " + p.string() + ": cannot open");
            std::stringstream cs;
            cs << cf.rdbuf();
            c["certificatePem"] = cs.str();
            c.erase("certificateFile");
        }
    }
    return doc;
}

void seed_registry(registry& reg, const std::filesystem::path& file) {
    const auto doc = load_seed_file(file);
    try {
        if (auto e = reg.import(doc)) refuse("seed", *e);
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(file.string() + ": " + e.what());
    }
}

status registry::import(const json& doc) {
    try {
        const auto each = [&](const char* list, auto&& f) {
            if (!doc.contains(list)) return;
            if (!doc[list].is_array()) throw std::runtime_error(std::string(list) + ": expected a list");
            std::size_t i = 0;
            for (const auto& e : doc[list]) {
                if (!e.is_object()) throw std::runtime_error(std::string(list) + "[" + std::to_string(i) + "]: expected a map");
                f(e, std::string(list) + "[" + std::to_string(i++) + "]");
            }
        };
        each("thingTypes", [&](const json& t, const std::string& w) {
            ok_or_exists(create_thing_type(str(t, "thingTypeName"), str(t, "thingTypeDescription"),
                                           string_list(t, "searchableAttributes")), w);
            if (t.value("deprecated", false)) ok(deprecate_thing_type(str(t, "thingTypeName"), false), w);
        });
        each("thingGroups", [&](const json& g, const std::string& w) {
            ok_or_exists(create_thing_group(str(g, "thingGroupName"), str(g, "parentGroupName"), str(g, "description"),
                                            string_map(g, "attributes")), w);
        });
        each("things", [&](const json& t, const std::string& w) {
            ok_or_exists(create_thing(str(t, "thingName"), str(t, "thingTypeName"), string_map(t, "attributes")), w);
        });
        each("thingGroups", [&](const json& g, const std::string& w) {
            for (const auto& t : string_list(g, "things")) ok(add_thing_to_group(str(g, "thingGroupName"), t), w);
        });
        each("policies", [&](const json& p, const std::string& w) {
            const auto& d = p.contains("policyDocument") ? p["policyDocument"] : json();
            const std::string name = str(p, "policyName");
            if (!get_policy(name)) ok_or_exists(create_policy(name, d.is_string() ? d.get<std::string>() : d.dump()), w);
        });
        each("caCertificates", [&](const json& c, const std::string& w) {
            std::string why;
            const auto parsed = parse_certificate_pem(str(c, "certificatePem"), &why);
            if (!parsed) throw std::runtime_error(w + ": certificatePem: " + why);
            if (describe_ca_certificate(parsed->id)) return;
            // A seed is trusted: no verification certificate (as certificateMode SNI_ONLY does).
            auto r = register_ca_certificate(parsed->pem, "", c.value("status", "ACTIVE") == std::string("ACTIVE"),
                                             c.value("autoRegistrationStatus", "DISABLE") == std::string("ENABLE"),
                                             c.value("registrationConfig", json::object()), "SNI_ONLY");
            ok_or_exists(r, w);
        });
        each("certificates", [&](const json& c, const std::string& w) {
            const auto st = parse_cert_status(c.value("status", std::string("ACTIVE")));
            if (!st) throw std::runtime_error(w + ": status: not a CertificateStatus");
            std::string why;
            const auto parsed = parse_certificate_pem(str(c, "certificatePem"), &why);
            if (!parsed) throw std::runtime_error(w + ": certificatePem: " + why);
            std::string ca_id = str(c, "caCertificateId");
            if (ca_id.empty()) {
                std::shared_lock lock(mu_);
                for (const auto& [id, ca] : st_->cas)
                    if (const auto pc = parse_certificate_pem(ca.pem, nullptr); pc && is_signed_by(*parsed, *pc)) ca_id = id;
            }
            ok_or_exists(add_certificate(parsed->pem, ca_id, *st, c.value("certificateMode", std::string("DEFAULT")), false), w);
            const std::string arn = certificate_arn(parsed->id);
            for (const auto& p : string_list(c, "policies")) ok(attach_policy(p, arn), w + ": policies");
            for (const auto& t : string_list(c, "things")) ok(attach_thing_principal(t, arn), w + ": things");
        });
        each("policies", [&](const json& p, const std::string& w) {
            for (const auto& t : string_list(p, "targets")) ok(attach_policy(str(p, "policyName"), t), w + ": targets");
        });
        each("thingGroups", [&](const json& g, const std::string& w) {
            for (const auto& p : string_list(g, "policies"))
                ok(attach_policy(p, opts_.acct.arn("thinggroup", str(g, "thingGroupName"))), w + ": policies");
        });
        each("topicRules", [&](const json& r, const std::string& w) {
            if (get_topic_rule(str(r, "ruleName"))) return;
            ok(create_topic_rule(str(r, "ruleName"), r.value("topicRulePayload", json::object())), w);
        });
    } catch (const std::runtime_error& e) {
        return fail(errc::invalid_request, e.what());
    } catch (const json::exception& e) {
        return fail(errc::invalid_request, e.what());
    }
    return std::nullopt;
}

json registry::snapshot() const {
    std::shared_lock lock(mu_);
    const auto& s = *st_;
    json out = json::object();
    json& types = out["thingTypes"] = json::array();
    for (const auto& [n, t] : s.types) {
        json j{{"thingTypeName", n}, {"thingTypeDescription", t.description}, {"searchableAttributes", t.searchable_attributes}};
        if (t.deprecated) j["deprecated"] = true;
        types.push_back(std::move(j));
    }
    json& groups = out["thingGroups"] = json::array();
    for (const auto& [n, g] : s.groups) {
        json j{{"thingGroupName", n}, {"description", g.description}, {"attributes", g.attributes},
               {"things", keys_of(s.group_things.of(n))}};
        if (!g.parent.empty()) j["parentGroupName"] = g.parent;
        std::vector<std::string> pol(s.policy_targets.to(opts_.acct.arn("thinggroup", n)).begin(),
                                     s.policy_targets.to(opts_.acct.arn("thinggroup", n)).end());
        if (!pol.empty()) j["policies"] = pol;
        groups.push_back(std::move(j));
    }
    json& things = out["things"] = json::array();
    for (const auto& [n, t] : s.things) {
        json j{{"thingName", n}, {"attributes", t.attributes}};
        if (!t.type.empty()) j["thingTypeName"] = t.type;
        things.push_back(std::move(j));
    }
    json& policies = out["policies"] = json::array();
    const std::string cert_prefix = opts_.acct.arn("cert", "");
    const std::string group_prefix = opts_.acct.arn("thinggroup", "");
    for (const auto& [n, p] : s.policies) {
        json j{{"policyName", n}, {"policyDocument", p.current().document}};
        std::vector<std::string> other;  // targets not written with their certificate or group
        for (const auto& t : s.policy_targets.of(n))
            if (t.rfind(cert_prefix, 0) != 0 && t.rfind(group_prefix, 0) != 0) other.push_back(t);
        if (!other.empty()) j["targets"] = other;
        policies.push_back(std::move(j));
    }
    json& cas = out["caCertificates"] = json::array();
    for (const auto& [id, c] : s.cas)
        cas.push_back({{"certificatePem", c.pem}, {"status", c.active ? "ACTIVE" : "INACTIVE"},
                       {"autoRegistrationStatus", c.auto_registration ? "ENABLE" : "DISABLE"},
                       {"registrationConfig", c.registration_config}});
    json& certs = out["certificates"] = json::array();
    for (const auto& [id, c] : s.certs) {
        const std::string arn = opts_.acct.arn("cert", id);
        json j{{"certificatePem", c.pem}, {"status", std::string(to_string(c.status))}, {"certificateMode", c.mode},
               {"policies", keys_of(s.policy_targets.to(arn))}, {"things", keys_of(s.thing_principals.to(arn))}};
        if (!c.ca_id.empty()) j["caCertificateId"] = c.ca_id;
        certs.push_back(std::move(j));
    }
    json& rules = out["topicRules"] = json::array();
    for (const auto& [n, r] : s.rules) rules.push_back({{"ruleName", n}, {"topicRulePayload", r.payload}});
    return out;
}

std::string export_seed_yaml(const registry& reg) {
    YAML::Emitter e;
    e << json_to_yaml(reg.snapshot());
    return std::string("# wvgate registry-export: seed a registry with it (control_plane: {seed: <this file>})\n") +
           e.c_str() + "\n";
}

}  // namespace wv::registry
