#pragma once
// Fleet provisioning's objects in the registry (botocore's iot 2015-05-28 shapes): provisioning
// templates with versions, and the temporary claim certificates of provisioning by trusted
// user (CreateProvisioningClaim). Times are seconds since the epoch.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "registry/model.hpp"

namespace wv::registry {

struct provisioning_template_version {
    std::int64_t id = 1;        // TemplateVersionId: 1, 2, ...
    std::string body{};         // templateBody as given
    double creation_date = 0;
};

struct provisioning_hook {
    std::string target_arn{};   // a function: arn:aws:lambda:<region>:<account>:function:<name> or a name
    std::string payload_version = "2020-04-01";
};

struct provisioning_template_record {
    std::string name{};
    std::string description{};
    bool enabled = false;       // CreateProvisioningTemplate's default, as AWS
    std::string role_arn{};     // provisioningRoleArn (kept, not enforced here)
    std::optional<provisioning_hook> hook{};
    std::string type = "FLEET_PROVISIONING";  // or JITP
    std::vector<provisioning_template_version> versions{};  // oldest first; at most 5 (AWS)
    std::int64_t default_version = 1;
    std::int64_t next_version = 2;
    double creation_date = 0, last_modified = 0;
    const provisioning_template_version* find_version(std::int64_t id) const;
    const provisioning_template_version& current() const { return *find_version(default_version); }
};

// A claim certificate from CreateProvisioningClaim: valid for 5 minutes, tied to its template,
// not listed among the account's certificates; what it may do is its claim policy.
struct provisioning_claim {
    std::string certificate_id{};
    std::string certificate_pem{};
    std::string template_name{};
    double expiration = 0;
};

// What the claim certificate of `template_name` may do (the developer guide's claim policy):
// connect, and publish/subscribe/receive on the fleet-provisioning topics of that template.
std::string claim_policy_document(const account& acct, const std::string& template_name);

void to_json(nlohmann::json& j, const provisioning_template_record& t);
void from_json(const nlohmann::json& j, provisioning_template_record& t);
void to_json(nlohmann::json& j, const provisioning_claim& c);
void from_json(const nlohmann::json& j, provisioning_claim& c);

}  // namespace wv::registry
