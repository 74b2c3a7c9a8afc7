// Fleet provisioning: Create/Describe/List/Update/DeleteProvisioningTemplate, template
// versions (Create/Describe/List/Delete), CreateProvisioningClaim. Template bodies are checked
// by src/provisioning's engine before they are kept, so a template that would fail every
// device is refused here, as AWS refuses it.
#include <regex>

#include "control_plane/routes.hpp"
#include "provisioning/provisioning_template.hpp"

namespace wv::control_plane {
namespace {

using nlohmann::json;
using registry::errc;

// AWS's claim certificate lifetime (developer guide, provision-wo-cert.html).
constexpr double claim_ttl_seconds = 300;

std::string template_arn(const context& c, const std::string& name) {
    return c.reg.acct().arn("provisioningtemplate", name);
}

registry::status check_name(const std::string& name) {
    static const std::regex pattern("^[0-9A-Za-z_-]{1,36}$");
    if (!std::regex_match(name, pattern))
        return registry::fail(errc::invalid_request, "templateName '" + name +
                                                         "' must be 1 to 36 characters of [0-9A-Za-z_-]");
    return std::nullopt;
}

registry::status check_body(const std::string& body) {
    if (body.size() > 10240) return registry::fail(errc::invalid_request, "templateBody is longer than 10240 characters");
    const auto t = provisioning::parse_template(body);
    if (const auto* p = std::get_if<provisioning::template_problem>(&t))
        return registry::fail(errc::invalid_request, "templateBody: " + p->message);
    return std::nullopt;
}

registry::outcome<std::optional<registry::provisioning_hook>> hook_of(const parsed_request& r) {
    const auto it = r.body.find("preProvisioningHook");
    if (it == r.body.end() || it->is_null()) return std::optional<registry::provisioning_hook>{};
    if (!it->is_object() || !it->contains("targetArn") || !(*it)["targetArn"].is_string())
        return registry::fail(errc::invalid_request, "preProvisioningHook needs a targetArn (a Lambda function ARN)");
    registry::provisioning_hook h{(*it)["targetArn"].get<std::string>(), "2020-04-01"};
    if (it->contains("payloadVersion")) {
        if (!(*it)["payloadVersion"].is_string() || (*it)["payloadVersion"] != "2020-04-01")
            return registry::fail(errc::invalid_request, "preProvisioningHook.payloadVersion must be 2020-04-01");
    }
    return std::optional<registry::provisioning_hook>{h};
}

json hook_json(const registry::provisioning_hook& h) {
    return {{"targetArn", h.target_arn}, {"payloadVersion", h.payload_version}};
}

http_response create_template(const context& c, const parsed_request& r, const std::vector<std::string>&) {
    const auto name = body_string(r, "templateName");
    if (!name) return error_response(name.err());
    if (!name.value()) return error_response(errc::invalid_request, "templateName is required");
    if (auto e = check_name(*name.value())) return error_response(*e);
    const auto body = body_string(r, "templateBody");
    if (!body) return error_response(body.err());
    if (!body.value()) return error_response(errc::invalid_request, "templateBody is required");
    if (auto e = check_body(*body.value())) return error_response(*e);
    const auto role = body_string(r, "provisioningRoleArn");
    if (!role) return error_response(role.err());
    if (!role.value()) return error_response(errc::invalid_request, "provisioningRoleArn is required");
    const auto description = body_string(r, "description");
    if (!description) return error_response(description.err());
    const auto enabled = body_bool(r, "enabled");
    if (!enabled) return error_response(enabled.err());
    const auto type = body_string(r, "type");
    if (!type) return error_response(type.err());
    const std::string t = type.value().value_or("FLEET_PROVISIONING");
    if (t != "FLEET_PROVISIONING" && t != "JITP")
        return error_response(errc::invalid_request, "type must be FLEET_PROVISIONING or JITP");
    const auto hook = hook_of(r);
    if (!hook) return error_response(hook.err());
    if (hook.value() && t == "JITP")
        return error_response(errc::invalid_request, "a pre-provisioning hook is only supported for FLEET_PROVISIONING templates");
    registry::provisioning_template_record rec;
    rec.name = *name.value();
    rec.description = description.value().value_or("");
    rec.enabled = enabled.value().value_or(false);
    rec.role_arn = *role.value();
    rec.hook = hook.value();
    rec.type = t;
    rec.versions.push_back({1, *body.value(), 0});
    const auto created = c.reg.create_provisioning_template(std::move(rec));
    if (!created) return error_response(created.err());
    return json_response({{"templateArn", template_arn(c, created.value().name)},
                          {"templateName", created.value().name},
                          {"defaultVersionId", created.value().default_version}});
}

http_response describe_template(const context& c, const parsed_request&, const std::vector<std::string>& v) {
    const auto t = c.reg.describe_provisioning_template(v[0]);
    if (!t) return error_response(t.err());
    const auto& x = t.value();
    json out{{"templateArn", template_arn(c, x.name)},
             {"templateName", x.name},
             {"description", x.description},
             {"creationDate", x.creation_date},
             {"lastModifiedDate", x.last_modified},
             {"defaultVersionId", x.default_version},
             {"templateBody", x.current().body},
             {"enabled", x.enabled},
             {"provisioningRoleArn", x.role_arn},
             {"type", x.type}};
    if (x.hook) out["preProvisioningHook"] = hook_json(*x.hook);
    return json_response(out);
}

http_response list_templates(const context& c, const parsed_request& r, const std::vector<std::string>&) {
    const auto p = token_page(r, 250);
    if (!p) return error_response(p.err());
    const auto page = c.reg.list_provisioning_templates(p.value());
    if (!page) return error_response(page.err());
    json items = json::array();
    for (const auto& x : page.value().items)
        items.push_back({{"templateArn", template_arn(c, x.name)},
                         {"templateName", x.name},
                         {"description", x.description},
                         {"creationDate", x.creation_date},
                         {"lastModifiedDate", x.last_modified},
                         {"enabled", x.enabled},
                         {"type", x.type}});
    json body{{"templates", items}};
    if (!page.value().next.empty()) body["nextToken"] = page.value().next;
    return json_response(body);
}

http_response update_template(const context& c, const parsed_request& r, const std::vector<std::string>& v) {
    registry::provisioning_template_update u;
    const auto description = body_string(r, "description");
    if (!description) return error_response(description.err());
    u.description = description.value();
    const auto enabled = body_bool(r, "enabled");
    if (!enabled) return error_response(enabled.err());
    u.enabled = enabled.value();
    if (const auto it = r.body.find("defaultVersionId"); it != r.body.end() && !it->is_null()) {
        if (!it->is_number_integer()) return error_response(errc::invalid_request, "defaultVersionId must be an integer");
        u.default_version = it->get<std::int64_t>();
    }
    const auto role = body_string(r, "provisioningRoleArn");
    if (!role) return error_response(role.err());
    u.role_arn = role.value();
    const auto hook = hook_of(r);
    if (!hook) return error_response(hook.err());
    u.hook = hook.value();
    const auto remove = body_bool(r, "removePreProvisioningHook");
    if (!remove) return error_response(remove.err());
    u.remove_hook = remove.value().value_or(false);
    if (auto e = c.reg.update_provisioning_template(v[0], u)) return error_response(*e);
    return empty_response();
}

http_response delete_template(const context& c, const parsed_request&, const std::vector<std::string>& v) {
    if (auto e = c.reg.delete_provisioning_template(v[0])) return error_response(*e);
    return empty_response();
}

registry::outcome<std::int64_t> version_of(const std::string& text) {
    try {
        std::size_t used = 0;
        const auto n = std::stoll(text, &used);
        if (used == text.size()) return static_cast<std::int64_t>(n);
    } catch (const std::exception&) {
    }
    return registry::fail(errc::invalid_request, "versionId '" + text + "' is not an integer");
}

http_response create_version(const context& c, const parsed_request& r, const std::vector<std::string>& v) {
    const auto body = body_string(r, "templateBody");
    if (!body) return error_response(body.err());
    if (!body.value()) return error_response(errc::invalid_request, "templateBody is required");
    if (auto e = check_body(*body.value())) return error_response(*e);
    const auto set_default = query_bool(r, "setAsDefault");
    if (!set_default) return error_response(set_default.err());
    const bool make_default = set_default.value().value_or(false);
    const auto ver = c.reg.create_provisioning_template_version(v[0], *body.value(), make_default);
    if (!ver) return error_response(ver.err());
    return json_response({{"templateArn", template_arn(c, v[0])},
                          {"templateName", v[0]},
                          {"versionId", ver.value().id},
                          {"isDefaultVersion", make_default}});
}

http_response describe_version(const context& c, const parsed_request&, const std::vector<std::string>& v) {
    const auto id = version_of(v[1]);
    if (!id) return error_response(id.err());
    const auto t = c.reg.describe_provisioning_template(v[0]);
    if (!t) return error_response(t.err());
    const auto* ver = t.value().find_version(id.value());
    if (!ver) return error_response(errc::not_found, "The provisioning template " + v[0] + " has no version " + v[1]);
    return json_response({{"versionId", ver->id},
                          {"creationDate", ver->creation_date},
                          {"templateBody", ver->body},
                          {"isDefaultVersion", ver->id == t.value().default_version}});
}

http_response list_versions(const context& c, const parsed_request& r, const std::vector<std::string>& v) {
    const auto p = token_page(r, 250);
    if (!p) return error_response(p.err());
    const auto t = c.reg.describe_provisioning_template(v[0]);
    if (!t) return error_response(t.err());
    // At most 5 versions: one page always holds them, so the token is the index of the next.
    std::size_t start = 0;
    if (!p.value().marker.empty()) {
        const auto n = version_of(p.value().marker);
        if (!n || n.value() < 0) return error_response(errc::invalid_request, "nextToken was not issued by this control plane");
        start = static_cast<std::size_t>(n.value());
    }
    json items = json::array();
    const auto& vs = t.value().versions;
    std::size_t i = start;
    for (; i < vs.size() && items.size() < p.value().page_size; ++i)
        items.push_back({{"versionId", vs[i].id},
                         {"creationDate", vs[i].creation_date},
                         {"isDefaultVersion", vs[i].id == t.value().default_version}});
    json body{{"versions", items}};
    if (i < vs.size()) body["nextToken"] = std::to_string(i);
    return json_response(body);
}

http_response delete_version(const context& c, const parsed_request&, const std::vector<std::string>& v) {
    const auto id = version_of(v[1]);
    if (!id) return error_response(id.err());
    if (auto e = c.reg.delete_provisioning_template_version(v[0], id.value())) return error_response(*e);
    return empty_response();
}

http_response create_claim(const context& c, const parsed_request&, const std::vector<std::string>& v) {
    const auto claim = c.reg.create_provisioning_claim(v[0], claim_ttl_seconds);
    if (!claim) return error_response(claim.err());
    const auto& x = claim.value();
    return json_response({{"certificateId", x.claim.certificate_id},
                          {"certificatePem", x.claim.certificate_pem},
                          {"keyPair", {{"PublicKey", x.keys.public_key_pem}, {"PrivateKey", x.keys.private_key_pem}}},
                          {"expiration", x.claim.expiration}});
}

}  // namespace

void add_provisioning_routes(std::vector<route>& r) {
    r.push_back({"POST", "provisioning-templates", &create_template});
    r.push_back({"GET", "provisioning-templates", &list_templates});
    r.push_back({"GET", "provisioning-templates/{}", &describe_template});
    r.push_back({"PATCH", "provisioning-templates/{}", &update_template});
    r.push_back({"DELETE", "provisioning-templates/{}", &delete_template});
    r.push_back({"POST", "provisioning-templates/{}/versions", &create_version});
    r.push_back({"GET", "provisioning-templates/{}/versions", &list_versions});
    r.push_back({"GET", "provisioning-templates/{}/versions/{}", &describe_version});
    r.push_back({"DELETE", "provisioning-templates/{}/versions/{}", &delete_version});
    r.push_back({"POST", "provisioning-templates/{}/provisioning-claim", &create_claim});
}

}  // namespace wv::control_plane
