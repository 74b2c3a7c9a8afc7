#include "registry/model_json.hpp"

namespace wv::registry {

using nlohmann::json;

void to_json(json& j, const thing& t) {
    j = json{{"thingName", t.name}, {"thingId", t.id}, {"attributes", t.attributes}, {"version", t.version}};
    if (!t.type.empty()) j["thingTypeName"] = t.type;
}
void from_json(const json& j, thing& t) {
    t.name = j.at("thingName").get<std::string>();
    t.id = j.value("thingId", std::string{});
    t.type = j.value("thingTypeName", std::string{});
    t.attributes = j.value("attributes", std::map<std::string, std::string>{});
    t.version = j.value("version", std::int64_t{1});
}

void to_json(json& j, const thing_type& t) {
    j = json{{"thingTypeName", t.name},
             {"thingTypeId", t.id},
             {"thingTypeDescription", t.description},
             {"searchableAttributes", t.searchable_attributes},
             {"deprecated", t.deprecated},
             {"deprecationDate", t.deprecation_date},
             {"creationDate", t.creation_date}};
}
void from_json(const json& j, thing_type& t) {
    t.name = j.at("thingTypeName").get<std::string>();
    t.id = j.value("thingTypeId", std::string{});
    t.description = j.value("thingTypeDescription", std::string{});
    t.searchable_attributes = j.value("searchableAttributes", std::vector<std::string>{});
    t.deprecated = j.value("deprecated", false);
    t.deprecation_date = j.value("deprecationDate", 0.0);
    t.creation_date = j.value("creationDate", 0.0);
}

void to_json(json& j, const thing_group& g) {
    j = json{{"thingGroupName", g.name}, {"thingGroupId", g.id},         {"parentGroupName", g.parent},
             {"description", g.description}, {"attributes", g.attributes}, {"version", g.version},
             {"creationDate", g.creation_date}};
}
void from_json(const json& j, thing_group& g) {
    g.name = j.at("thingGroupName").get<std::string>();
    g.id = j.value("thingGroupId", std::string{});
    g.parent = j.value("parentGroupName", std::string{});
    g.description = j.value("description", std::string{});
    g.attributes = j.value("attributes", std::map<std::string, std::string>{});
    g.version = j.value("version", std::int64_t{1});
    g.creation_date = j.value("creationDate", 0.0);
}

void to_json(json& j, const certificate& c) {
    j = json{{"certificateId", c.id},
             {"certificatePem", c.pem},
             {"status", std::string(to_string(c.status))},
             {"certificateMode", c.mode},
             {"creationDate", c.creation_date},
             {"lastModifiedDate", c.last_modified},
             {"notBefore", c.not_before},
             {"notAfter", c.not_after},
             {"customerVersion", c.customer_version},
             {"generationId", c.generation_id}};
    if (!c.ca_id.empty()) j["caCertificateId"] = c.ca_id;
}
void from_json(const json& j, certificate& c) {
    c.id = j.at("certificateId").get<std::string>();
    c.pem = j.at("certificatePem").get<std::string>();
    const auto s = parse_cert_status(j.value("status", std::string("INACTIVE")));
    if (!s) throw std::invalid_argument("status: not a CertificateStatus: " + j.value("status", std::string{}));
    c.status = *s;
    c.ca_id = j.value("caCertificateId", std::string{});
    c.mode = j.value("certificateMode", std::string("DEFAULT"));
    c.creation_date = j.value("creationDate", 0.0);
    c.last_modified = j.value("lastModifiedDate", c.creation_date);
    c.not_before = j.value("notBefore", 0.0);
    c.not_after = j.value("notAfter", 0.0);
    c.customer_version = j.value("customerVersion", 1);
    c.generation_id = j.value("generationId", std::string{});
}

void to_json(json& j, const ca_certificate& c) {
    j = json{{"certificateId", c.id},
             {"certificatePem", c.pem},
             {"status", c.active ? "ACTIVE" : "INACTIVE"},
             {"autoRegistrationStatus", c.auto_registration ? "ENABLE" : "DISABLE"},
             {"certificateMode", c.mode},
             {"creationDate", c.creation_date},
             {"lastModifiedDate", c.last_modified},
             {"notBefore", c.not_before},
             {"notAfter", c.not_after},
             {"customerVersion", c.customer_version},
             {"generationId", c.generation_id},
             {"registrationConfig", c.registration_config}};
}
void from_json(const json& j, ca_certificate& c) {
    c.id = j.at("certificateId").get<std::string>();
    c.pem = j.at("certificatePem").get<std::string>();
    c.active = j.value("status", std::string("INACTIVE")) == "ACTIVE";
    c.auto_registration = j.value("autoRegistrationStatus", std::string("DISABLE")) == "ENABLE";
    c.mode = j.value("certificateMode", std::string("DEFAULT"));
    c.creation_date = j.value("creationDate", 0.0);
    c.last_modified = j.value("lastModifiedDate", c.creation_date);
    c.not_before = j.value("notBefore", 0.0);
    c.not_after = j.value("notAfter", 0.0);
    c.customer_version = j.value("customerVersion", 1);
    c.generation_id = j.value("generationId", std::string{});
    c.registration_config = j.value("registrationConfig", json::object());
}

void to_json(json& j, const policy& p) {
    json versions = json::array();
    for (const auto& v : p.versions)
        versions.push_back({{"versionId", v.id}, {"policyDocument", v.document}, {"createDate", v.create_date}});
    j = json{{"policyName", p.name},           {"defaultVersionId", p.default_version}, {"versions", versions},
             {"nextVersion", p.next_version},  {"creationDate", p.creation_date},
             {"lastModifiedDate", p.last_modified}, {"generationId", p.generation_id}};
}
void from_json(const json& j, policy& p) {
    p.name = j.at("policyName").get<std::string>();
    p.default_version = j.at("defaultVersionId").get<std::string>();
    p.versions.clear();
    for (const auto& v : j.at("versions"))
        p.versions.push_back({v.at("versionId").get<std::string>(), v.at("policyDocument").get<std::string>(),
                              v.value("createDate", 0.0)});
    p.next_version = j.value("nextVersion", static_cast<std::int64_t>(p.versions.size()) + 1);
    p.creation_date = j.value("creationDate", 0.0);
    p.last_modified = j.value("lastModifiedDate", p.creation_date);
    p.generation_id = j.value("generationId", std::string{});
    if (!p.find_version(p.default_version))
        throw std::invalid_argument("policy " + p.name + ": defaultVersionId names no version");
}

void to_json(json& j, const topic_rule& r) {
    j = json{{"ruleName", r.name}, {"topicRulePayload", r.payload}, {"createdAt", r.created_at}};
}
void from_json(const json& j, topic_rule& r) {
    r.name = j.at("ruleName").get<std::string>();
    r.payload = j.at("topicRulePayload");
    r.created_at = j.value("createdAt", 0.0);
}

}  // namespace wv::registry
