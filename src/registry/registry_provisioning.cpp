// Fleet provisioning in the registry: provisioning templates with versions, claim certificates
// (CreateProvisioningClaim), and the certificate calls the fleet-provisioning MQTT API makes.
#include <algorithm>
#include <mutex>

#include "registry/certificate_pem.hpp"
#include "registry/registry.hpp"
#include "registry/registry_state.hpp"

namespace wv::registry {

using nlohmann::json;

const provisioning_template_version* provisioning_template_record::find_version(std::int64_t id) const {
    for (const auto& v : versions)
        if (v.id == id) return &v;
    return nullptr;
}

std::string claim_policy_document(const account& acct, const std::string& template_name) {
    const std::string topic = "arn:aws:iot:" + acct.region + ":" + acct.id + ":topic/";
    const std::string filter = "arn:aws:iot:" + acct.region + ":" + acct.id + ":topicfilter/";
    const json topics = json::array({topic + "$aws/certificates/create/*", topic + "$aws/certificates/create-from-csr/*",
                                     topic + "$aws/provisioning-templates/" + template_name + "/provision/*"});
    const json filters = json::array({filter + "$aws/certificates/create/*", filter + "$aws/certificates/create-from-csr/*",
                                      filter + "$aws/provisioning-templates/" + template_name + "/provision/*"});
    return json{{"Version", "2012-10-17"},
                {"Statement", json::array({{{"Effect", "Allow"}, {"Action", "iot:Connect"}, {"Resource", "*"}},
                                           {{"Effect", "Allow"}, {"Action", json::array({"iot:Publish", "iot:Receive"})},
                                            {"Resource", topics}},
                                           {{"Effect", "Allow"}, {"Action", "iot:Subscribe"}, {"Resource", filters}}})}}
        .dump();
}

void to_json(json& j, const provisioning_template_record& t) {
    json versions = json::array();
    for (const auto& v : t.versions)
        versions.push_back({{"versionId", v.id}, {"templateBody", v.body}, {"creationDate", v.creation_date}});
    j = json{{"templateName", t.name},       {"description", t.description},   {"enabled", t.enabled},
             {"provisioningRoleArn", t.role_arn}, {"type", t.type},          {"versions", versions},
             {"defaultVersionId", t.default_version}, {"nextVersionId", t.next_version},
             {"creationDate", t.creation_date}, {"lastModifiedDate", t.last_modified}};
    if (t.hook) j["preProvisioningHook"] = {{"targetArn", t.hook->target_arn}, {"payloadVersion", t.hook->payload_version}};
}

void from_json(const json& j, provisioning_template_record& t) {
    t.name = j.at("templateName").get<std::string>();
    t.description = j.value("description", std::string{});
    t.enabled = j.value("enabled", false);
    t.role_arn = j.value("provisioningRoleArn", std::string{});
    t.type = j.value("type", std::string("FLEET_PROVISIONING"));
    t.versions.clear();
    for (const auto& v : j.at("versions"))
        t.versions.push_back({v.at("versionId").get<std::int64_t>(), v.at("templateBody").get<std::string>(),
                              v.value("creationDate", 0.0)});
    t.default_version = j.value("defaultVersionId", std::int64_t{1});
    t.next_version = j.value("nextVersionId", static_cast<std::int64_t>(t.versions.size()) + 1);
    t.creation_date = j.value("creationDate", 0.0);
    t.last_modified = j.value("lastModifiedDate", t.creation_date);
    t.hook.reset();
    if (j.contains("preProvisioningHook"))
        t.hook = provisioning_hook{j["preProvisioningHook"].at("targetArn").get<std::string>(),
                                   j["preProvisioningHook"].value("payloadVersion", std::string("2020-04-01"))};
    if (!t.find_version(t.default_version)) throw std::invalid_argument("defaultVersionId names no version");
}

void to_json(json& j, const provisioning_claim& c) {
    j = json{{"certificateId", c.certificate_id}, {"certificatePem", c.certificate_pem},
             {"templateName", c.template_name}, {"expiration", c.expiration}};
}

void from_json(const json& j, provisioning_claim& c) {
    c.certificate_id = j.at("certificateId").get<std::string>();
    c.certificate_pem = j.at("certificatePem").get<std::string>();
    c.template_name = j.at("templateName").get<std::string>();
    c.expiration = j.at("expiration").get<double>();
}

namespace {

status template_not_found(const std::string& name) {
    return fail(errc::not_found, "The provisioning template " + name + " does not exist.");
}

}  // namespace

outcome<provisioning_template_record> registry::create_provisioning_template(provisioning_template_record t) {
    if (t.versions.size() != 1) return fail(errc::invalid_request, "a new template has exactly one version (its body)");
    const double now = now_seconds();
    t.versions[0].id = 1;
    t.versions[0].creation_date = now;
    t.default_version = 1;
    t.next_version = 2;
    t.creation_date = t.last_modified = now;
    std::unique_lock lock(mu_);
    if (st_->templates.count(t.name))
        return fail(errc::already_exists, "The provisioning template " + t.name + " already exists.");
    if (auto e = commit({put_op(kind::provisioning_template, t.name, t)})) return *e;
    st_->templates.emplace(t.name, t);
    return t;
}

outcome<provisioning_template_record> registry::describe_provisioning_template(const std::string& name) const {
    std::shared_lock lock(mu_);
    const auto it = st_->templates.find(name);
    if (it == st_->templates.end()) return *template_not_found(name);
    return it->second;
}

outcome<page<provisioning_template_record>> registry::list_provisioning_templates(const page_request& p) const {
    std::shared_lock lock(mu_);
    const auto keys = keys_of(st_->templates);
    return make_page<std::string>(keys, p, [&](const std::string& k) { return st_->templates.at(k); }, &self_text);
}

status registry::update_provisioning_template(const std::string& name, const provisioning_template_update& u) {
    std::unique_lock lock(mu_);
    const auto it = st_->templates.find(name);
    if (it == st_->templates.end()) return template_not_found(name);
    auto t = it->second;
    if (u.default_version) {
        if (!t.find_version(*u.default_version))
            return fail(errc::invalid_request, "The provisioning template " + name + " has no version " +
                                                   std::to_string(*u.default_version));
        t.default_version = *u.default_version;
    }
    if (u.description) t.description = *u.description;
    if (u.enabled) t.enabled = *u.enabled;
    if (u.role_arn) t.role_arn = *u.role_arn;
    if (u.remove_hook) t.hook.reset();
    else if (u.hook) t.hook = u.hook;
    t.last_modified = now_seconds();
    if (auto e = commit({put_op(kind::provisioning_template, name, t)})) return e;
    it->second = std::move(t);
    return std::nullopt;
}

status registry::delete_provisioning_template(const std::string& name) {
    std::unique_lock lock(mu_);
    const auto it = st_->templates.find(name);
    if (it == st_->templates.end()) return template_not_found(name);
    if (auto e = commit({erase_op(kind::provisioning_template, name)})) return e;
    st_->templates.erase(it);
    return std::nullopt;
}

outcome<provisioning_template_version> registry::create_provisioning_template_version(const std::string& name,
                                                                                      const std::string& body,
                                                                                      bool set_default) {
    std::unique_lock lock(mu_);
    const auto it = st_->templates.find(name);
    if (it == st_->templates.end()) return *template_not_found(name);
    auto t = it->second;
    if (t.versions.size() >= 5)
        return fail(errc::versions_limit_exceeded, "The provisioning template " + name +
                                                       " already has 5 versions; delete one first");
    provisioning_template_version v{t.next_version++, body, now_seconds()};
    t.versions.push_back(v);
    if (set_default) t.default_version = v.id;
    t.last_modified = v.creation_date;
    if (auto e = commit({put_op(kind::provisioning_template, name, t)})) return *e;
    it->second = std::move(t);
    return v;
}

status registry::delete_provisioning_template_version(const std::string& name, std::int64_t version) {
    std::unique_lock lock(mu_);
    const auto it = st_->templates.find(name);
    if (it == st_->templates.end()) return template_not_found(name);
    auto t = it->second;
    if (!t.find_version(version))
        return fail(errc::not_found, "The provisioning template " + name + " has no version " + std::to_string(version));
    if (t.default_version == version)
        return fail(errc::delete_conflict, "Version " + std::to_string(version) + " is the default version of " + name +
                                               "; make another version the default first");
    std::erase_if(t.versions, [&](const provisioning_template_version& v) { return v.id == version; });
    if (auto e = commit({put_op(kind::provisioning_template, name, t)})) return e;
    it->second = std::move(t);
    return std::nullopt;
}

status registry::set_certificate_status(const std::string& id, cert_status target) {
    {
        std::unique_lock lock(mu_);
        const auto it = st_->certs.find(id);
        if (it == st_->certs.end()) return fail(errc::not_found, "The certificate " + id + " does not exist.");
        certificate c = it->second;
        if (c.status == target) return std::nullopt;
        c.status = target;
        c.last_modified = now_seconds();
        if (auto e = commit({put_op(kind::certificate, id, c)})) return e;
        it->second = std::move(c);
    }
    notify_certificates({{.certificate_id = id, .status = target}});
    return std::nullopt;
}

outcome<created_claim> registry::create_provisioning_claim(const std::string& template_name, double ttl_seconds) {
    if (auto t = describe_provisioning_template(template_name); !t) return t.err();
    issued_keys keys;
    try {
        keys = ca_->create_keys_and_certificate(opts_.key_type);  // outside the lock
    } catch (const std::exception& e) {
        return fail(errc::internal, e.what());
    }
    std::string why;
    const auto parsed = parse_certificate_pem(keys.certificate_pem, &why);
    if (!parsed) return fail(errc::internal, "the claim certificate does not parse: " + why);
    const double now = now_seconds();
    provisioning_claim c{parsed->id, parsed->pem, template_name, now + ttl_seconds};
    std::unique_lock lock(mu_);
    // Expired claims go with this write: a claim is never valid again once expired.
    std::vector<store_op> ops{put_op(kind::provisioning_claim, c.certificate_id, c)};
    std::vector<std::string> expired;
    for (const auto& [id, old] : st_->claims)
        if (old.expiration <= now) {
            expired.push_back(id);
            ops.push_back(erase_op(kind::provisioning_claim, id));
        }
    if (auto e = commit(ops)) return *e;
    for (const auto& id : expired) st_->claims.erase(id);
    st_->claims.emplace(c.certificate_id, c);
    return created_claim{std::move(c), std::move(keys)};
}

std::optional<provisioning_claim> registry::find_provisioning_claim(const std::string& certificate_id) const {
    std::shared_lock lock(mu_);
    const auto it = st_->claims.find(certificate_id);
    if (it == st_->claims.end()) return std::nullopt;
    return it->second;
}

}  // namespace wv::registry
