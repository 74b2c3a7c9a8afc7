// Policies and their attachments: Create/Get/List/DeletePolicy, Create/Get/List/Delete
// PolicyVersion, SetDefaultPolicyVersion, Attach/DetachPolicy, the legacy
// Attach/DetachPrincipalPolicy and ListPrincipalPolicies, ListAttachedPolicies,
// ListTargetsForPolicy.
#include "control_plane/routes.hpp"

namespace wv::control_plane {
namespace {

using nlohmann::json;
using registry::errc;

std::string policy_arn(const context& c, const std::string& name) { return c.reg.acct().arn("policy", name); }

// policyDocument: botocore sends a string; a JSON object is accepted too (the CLI's file://).
registry::outcome<std::string> document(const parsed_request& r) {
    const auto it = r.body.find("policyDocument");
    if (it == r.body.end() || it->is_null()) return registry::fail(errc::invalid_request, "policyDocument is required");
    if (it->is_string()) return it->get<std::string>();
    if (it->is_object()) return it->dump();
    return registry::fail(errc::malformed_policy, "policyDocument must be a JSON document");
}

http_response create_policy(const context& c, const parsed_request& r, const std::vector<std::string>& v) {
    const auto doc = document(r);
    if (!doc) return error_response(doc.err());
    const auto p = c.reg.create_policy(v[0], doc.value());
    if (!p) return error_response(p.err());
    return json_response({{"policyName", v[0]}, {"policyArn", policy_arn(c, v[0])}, {"policyDocument", doc.value()},
                          {"policyVersionId", p.value().default_version}});
}

http_response get_policy(const context& c, const parsed_request&, const std::vector<std::string>& v) {
    const auto p = c.reg.get_policy(v[0]);
    if (!p) return error_response(p.err());
    const auto& x = p.value();
    return json_response({{"policyName", x.name},
                          {"policyArn", policy_arn(c, x.name)},
                          {"policyDocument", x.current().document},
                          {"defaultVersionId", x.default_version},
                          {"creationDate", x.creation_date},
                          {"lastModifiedDate", x.last_modified},
                          {"generationId", x.generation_id}});
}

json policy_list(const context& c, const std::vector<std::string>& names) {
    json out = json::array();
    for (const auto& n : names) out.push_back({{"policyName", n}, {"policyArn", policy_arn(c, n)}});
    return out;
}

http_response list_policies(const context& c, const parsed_request& r, const std::vector<std::string>&) {
    const auto p = marker_page(r);
    if (!p) return error_response(p.err());
    const auto page = c.reg.list_policies(p.value());
    if (!page) return error_response(page.err());
    std::vector<std::string> names;
    for (const auto& x : page.value().items) names.push_back(x.name);
    json body{{"policies", policy_list(c, names)}};
    if (!page.value().next.empty()) body["nextMarker"] = page.value().next;
    return json_response(body);
}

http_response delete_policy(const context& c, const parsed_request&, const std::vector<std::string>& v) {
    if (auto e = c.reg.delete_policy(v[0])) return error_response(*e);
    return empty_response();
}

http_response create_policy_version(const context& c, const parsed_request& r, const std::vector<std::string>& v) {
    const auto doc = document(r);
    if (!doc) return error_response(doc.err());
    const auto set_default = query_bool(r, "setAsDefault");
    if (!set_default) return error_response(set_default.err());
    const auto pv = c.reg.create_policy_version(v[0], doc.value(), set_default.value().value_or(false));
    if (!pv) return error_response(pv.err());
    return json_response({{"policyArn", policy_arn(c, v[0])}, {"policyDocument", doc.value()},
                          {"policyVersionId", pv.value().id},
                          {"isDefaultVersion", set_default.value().value_or(false)}});
}

http_response get_policy_version(const context& c, const parsed_request&, const std::vector<std::string>& v) {
    const auto p = c.reg.get_policy(v[0]);
    if (!p) return error_response(p.err());
    const auto* pv = p.value().find_version(v[1]);
    if (!pv) return error_response(errc::not_found, "Policy version not found (name=" + v[0] + ", versionId=" + v[1] + ")");
    return json_response({{"policyArn", policy_arn(c, v[0])},
                          {"policyName", v[0]},
                          {"policyDocument", pv->document},
                          {"policyVersionId", pv->id},
                          {"isDefaultVersion", pv->id == p.value().default_version},
                          {"creationDate", pv->create_date},
                          {"lastModifiedDate", p.value().last_modified},
                          {"generationId", p.value().generation_id}});
}

http_response list_policy_versions(const context& c, const parsed_request&, const std::vector<std::string>& v) {
    const auto p = c.reg.get_policy(v[0]);
    if (!p) return error_response(p.err());
    json versions = json::array();
    // AWS lists the newest version first.
    for (auto it = p.value().versions.rbegin(); it != p.value().versions.rend(); ++it)
        versions.push_back({{"versionId", it->id},
                            {"isDefaultVersion", it->id == p.value().default_version},
                            {"createDate", it->create_date}});
    return json_response({{"policyVersions", versions}});
}

http_response delete_policy_version(const context& c, const parsed_request&, const std::vector<std::string>& v) {
    if (auto e = c.reg.delete_policy_version(v[0], v[1])) return error_response(*e);
    return empty_response();
}

http_response set_default_policy_version(const context& c, const parsed_request&, const std::vector<std::string>& v) {
    if (auto e = c.reg.set_default_policy_version(v[0], v[1])) return error_response(*e);
    return empty_response();
}

registry::outcome<std::string> target(const parsed_request& r) {
    const auto t = body_string(r, "target");
    if (!t) return t.err();
    if (!t.value() || t.value()->empty()) return registry::fail(errc::invalid_request, "target is required");
    return *t.value();
}

registry::outcome<std::string> iot_principal(const parsed_request& r) {
    const auto p = r.header("x-amzn-iot-principal");
    if (!p || p->empty()) return registry::fail(errc::invalid_request, "the x-amzn-iot-principal header (principal) is required");
    return *p;
}

http_response attach_policy(const context& c, const parsed_request& r, const std::vector<std::string>& v) {
    const auto t = target(r);
    if (!t) return error_response(t.err());
    if (auto e = c.reg.attach_policy(v[0], t.value())) return error_response(*e);
    return empty_response();
}

http_response detach_policy(const context& c, const parsed_request& r, const std::vector<std::string>& v) {
    const auto t = target(r);
    if (!t) return error_response(t.err());
    if (auto e = c.reg.detach_policy(v[0], t.value())) return error_response(*e);
    return empty_response();
}

http_response attach_principal_policy(const context& c, const parsed_request& r, const std::vector<std::string>& v) {
    const auto p = iot_principal(r);
    if (!p) return error_response(p.err());
    if (auto e = c.reg.attach_policy(v[0], p.value())) return error_response(*e);
    return empty_response();
}

http_response detach_principal_policy(const context& c, const parsed_request& r, const std::vector<std::string>& v) {
    const auto p = iot_principal(r);
    if (!p) return error_response(p.err());
    if (!c.reg.get_policy(v[0])) return error_response(errc::not_found, "Policy not found (name=" + v[0] + ")");
    if (auto e = c.reg.detach_policy(v[0], p.value())) return error_response(*e);
    return empty_response();
}

http_response attached(const context& c, const parsed_request& r, const std::string& who, bool recursive = false) {
    const auto p = marker_page(r);
    if (!p) return error_response(p.err());
    const auto page = c.reg.attached_policies(who, p.value(), recursive);
    if (!page) return error_response(page.err());
    json body{{"policies", policy_list(c, page.value().items)}};
    if (!page.value().next.empty()) body["nextMarker"] = page.value().next;
    return json_response(body);
}

http_response list_attached_policies(const context& c, const parsed_request& r, const std::vector<std::string>& v) {
    const auto recursive = query_bool(r, "recursive");
    if (!recursive) return error_response(recursive.err());
    return attached(c, r, v[0], recursive.value().value_or(false));
}

http_response list_principal_policies(const context& c, const parsed_request& r, const std::vector<std::string>&) {
    const auto p = iot_principal(r);
    if (!p) return error_response(p.err());
    return attached(c, r, p.value());
}

http_response list_targets_for_policy(const context& c, const parsed_request& r, const std::vector<std::string>& v) {
    const auto p = marker_page(r);
    if (!p) return error_response(p.err());
    const auto page = c.reg.policy_targets(v[0], p.value());
    if (!page) return error_response(page.err());
    json body{{"targets", page.value().items}};
    if (!page.value().next.empty()) body["nextMarker"] = page.value().next;
    return json_response(body);
}

}  // namespace

void add_policies_routes(std::vector<route>& r) {
    r.insert(r.end(), {
        {"GET", "policies", list_policies},
        {"POST", "policies/{}", [](const context& c, const parsed_request& r, const std::vector<std::string>& v) {
             return with_create_tags(c, r, v, create_policy, "policyArn");
         }},
        {"GET", "policies/{}", get_policy},
        {"DELETE", "policies/{}", delete_policy},
        {"POST", "policies/{}/version", create_policy_version},
        {"GET", "policies/{}/version", list_policy_versions},
        {"GET", "policies/{}/version/{}", get_policy_version},
        {"DELETE", "policies/{}/version/{}", delete_policy_version},
        {"PATCH", "policies/{}/version/{}", set_default_policy_version},
        {"PUT", "target-policies/{}", attach_policy},
        {"POST", "target-policies/{}", detach_policy},
        {"PUT", "principal-policies/{}", attach_principal_policy},
        {"DELETE", "principal-policies/{}", detach_principal_policy},
        {"GET", "principal-policies", list_principal_policies},
        {"POST", "attached-policies/{}", list_attached_policies},
        {"POST", "policy-targets/{}", list_targets_for_policy},
    });
}

}  // namespace wv::control_plane
