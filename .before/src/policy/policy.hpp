#pragma once
// AWS IoT policy documents (spec 4.1), parsed into typed statements.
//
//   { "Version": "2012-10-17",
//     "Statement": [ { "Sid": "optional", "Effect": "Allow" | "Deny",
//                      "Action": "iot:Publish" | [ ... ],      (or NotAction)
//                      "Resource": "arn:..." | [ ... ],        (or NotResource)
//                      "Condition": { "<operator>": { "<key>": "v" | ["v", ...] } } } ] }
//
// Accepted as IAM accepts it: Statement may be one object instead of an array; Action and
// Resource a string or an array of strings; condition values strings, numbers or booleans
// (kept as their text). Rejected with a message naming the place ("Statement[2].Effect: ..."):
// non-object documents, missing Statement/Effect/Action/Resource, Effect other than exactly
// "Allow"/"Deny", non-string actions or resources, a Resource that is not an ARN or "*"
// (AWS: "is not in valid ARN format"), unknown condition operators, unknown top-level or
// statement keys.
//
// Version: policy variables (${iot:ClientId}, ...) are only substituted under "2012-10-17", as
// IAM does; under "2008-10-17" (IAM's default when Version is absent) they are literal text.
//
// Pure; thread-safe.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace wv::policy {

enum class effect { allow, deny };

// One condition operator with its key and values, e.g.
// {"ForAnyValue:StringEquals": {"iot:ConnectAttributes": ["LastWill"]}}.
struct condition {
    std::string op{};          // the operator as written, e.g. "ForAnyValue:StringEquals"
    std::string key{};         // e.g. "iot:ConnectAttributes" (compared case-insensitively)
    std::vector<std::string> values{};
};

struct statement {
    std::string sid{};
    effect eff = effect::deny;
    std::vector<std::string> actions{};      // Action, or NotAction when not_action
    bool not_action = false;
    std::vector<std::string> resources{};    // Resource, or NotResource when not_resource
    bool not_resource = false;
    std::vector<condition> conditions{};     // all must hold (AND), as in IAM
};

struct policy {
    std::string version{};                   // "2012-10-17" enables policy variables
    std::vector<statement> statements{};
    bool substitutes_variables() const { return version == "2012-10-17"; }
};

struct parse_result {
    std::optional<policy> value{};
    std::string error{};                     // when !value: where and what
    bool ok() const { return value.has_value(); }
};

parse_result parse_policy(std::string_view json_text);
// The same for an already parsed document (named apart: a std::string converts to both).
parse_result parse_policy_json(const nlohmann::json& document);

// True for the condition operators we evaluate (with optional ForAnyValue:/ForAllValues:
// prefixes and IfExists suffix): StringEquals, StringNotEquals, StringEqualsIgnoreCase,
// StringNotEqualsIgnoreCase, StringLike, StringNotLike, ArnEquals, ArnLike, ArnNotEquals,
// ArnNotLike, IpAddress, NotIpAddress, Bool, Null.
bool is_supported_condition_operator(std::string_view op);

}  // namespace wv::policy
