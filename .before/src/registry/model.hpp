#pragma once
// The registry's objects as AWS IoT models them (botocore's iot 2015-05-28 shapes), in plain
// structs. Times are seconds since the epoch (what rest-json puts on the wire).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace wv::registry {

// Account and region the ARNs name; the Amazon CA's region is the same.
struct account {
    std::string region = "us-east-1";
    std::string id = "123456789012";
    std::string arn(std::string_view kind, std::string_view name) const;  // arn:aws:iot:<r>:<a>:<kind>/<name>
};

struct thing {
    std::string name{};
    std::string id{};        // a UUID, fixed at creation
    std::string type{};      // empty: none
    std::map<std::string, std::string> attributes{};
    std::int64_t version = 1;
};

struct thing_type {
    std::string name{}, id{};
    std::string description{};
    std::vector<std::string> searchable_attributes{};
    bool deprecated = false;
    double deprecation_date = 0;
    double creation_date = 0;
};

struct thing_group {
    std::string name{}, id{};
    std::string parent{};    // empty: a root group
    std::string description{};
    std::map<std::string, std::string> attributes{};
    std::int64_t version = 1;
    double creation_date = 0;
};

// CertificateStatus. REGISTER_INACTIVE is deprecated by AWS but still a valid value.
enum class cert_status { active, inactive, revoked, pending_transfer, register_inactive, pending_activation };
std::string_view to_string(cert_status s);
std::optional<cert_status> parse_cert_status(std::string_view s);

struct certificate {
    std::string id{};              // SHA-256 of the DER, lower-case hex (64 characters)
    std::string pem{};
    std::string ca_id{};           // the registered CA that signed it; empty: none (Amazon CA, no-CA)
    cert_status status = cert_status::inactive;
    std::string mode = "DEFAULT";  // DEFAULT, or SNI_ONLY for RegisterCertificateWithoutCA
    double creation_date = 0, last_modified = 0;
    double not_before = 0, not_after = 0;
    int customer_version = 1;
    std::string generation_id{};
};

struct ca_certificate {
    std::string id{};
    std::string pem{};
    bool active = false;           // CACertificateStatus ACTIVE / INACTIVE
    bool auto_registration = false;  // AutoRegistrationStatus ENABLE / DISABLE
    std::string mode = "DEFAULT";
    double creation_date = 0, last_modified = 0;
    double not_before = 0, not_after = 0;
    int customer_version = 1;
    std::string generation_id{};
    nlohmann::json registration_config = nlohmann::json::object();  // templateBody, roleArn, templateName
};

struct policy_version {
    std::string id{};              // "1", "2", ...
    std::string document{};
    double create_date = 0;
};

struct policy {
    std::string name{};
    std::string default_version{};
    std::vector<policy_version> versions{};  // oldest first; at most 5 (AWS)
    std::int64_t next_version = 2;
    double creation_date = 0, last_modified = 0;
    std::string generation_id{};
    const policy_version* find_version(std::string_view id) const;
    const policy_version& current() const { return *find_version(default_version); }
};

// A topic rule: its TopicRulePayload as sent (sql, description, actions, ruleDisabled,
// awsIotSqlVersion, errorAction), kept as JSON so every action type round-trips.
struct topic_rule {
    std::string name{};
    nlohmann::json payload = nlohmann::json::object();
    double created_at = 0;
    bool disabled() const { return payload.value("ruleDisabled", false); }
};

double now_seconds();
std::string new_uuid();       // random, RFC 4122 version 4 shape
std::string new_hex(std::size_t bytes);  // random, lower-case hex

}  // namespace wv::registry
