#pragma once
// Validation of an authorizer's reply as AWS IoT checks it (spec 2.1). Every rule is
// checked and reported separately so that wvauthz can print the verdict rule by rule and
// the gateway can log exactly which one failed. Anything that is not a valid, authenticated
// reply denies (fail closed).
//
// Rules, in the order they are reported (rule ids are stable: logs and tests use them):
//   json                  the body parses as a JSON object
//   isAuthenticated       present and a boolean
//   principalId           a string matching [a-zA-Z0-9]{1,128}
//   policyDocuments       an array of at most 10 entries
//   policyDocumentSize    each entry at most 2,048 characters
//   policyDocumentJson    each entry is an object, or a string holding a JSON object
//   policyDocumentSyntax  each entry parses as an IoT policy (Version, Statement, ...)
//   disconnectAfterInSeconds  an integer in 300..86,400, or absent (default below)
//   refreshAfterInSeconds     an integer in 300..86,400, or absent (default below)
//
// When isAuthenticated is false the connection is denied whatever else the reply says, so
// the remaining rules are reported as skipped (AWS's samples deny with 0 for both TTLs).
//
// Counting characters: a string entry counts as its Unicode code points, as written. An
// object entry counts as the code points of its compact JSON serialization (no whitespace):
// the same measure AWS uses for stored IoT policies ("2,048 characters excluding whitespace").
//
// Defaults when a TTL is absent (AWS does not document them): disconnectAfterInSeconds
// 86,400 (the longest AWS accepts, so a missing value never shortens a connection) and
// refreshAfterInSeconds 86,400 (likewise: no extra invocations). A present value outside
// 300..86,400, or one that is not an integer, fails its rule.
//
// Pure; thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/policy.hpp"

namespace wv::auth {

inline constexpr std::int64_t min_ttl_s = 300;
inline constexpr std::int64_t max_ttl_s = 86'400;
inline constexpr std::int64_t default_disconnect_after_s = 86'400;
inline constexpr std::int64_t default_refresh_after_s = 86'400;
inline constexpr std::size_t max_policy_documents = 10;
inline constexpr std::size_t max_policy_document_chars = 2'048;

enum class rule_status { pass, fail, skipped };
const char* to_string(rule_status s) noexcept;

struct rule_check {
    std::string rule{};     // e.g. "principalId"
    rule_status status = rule_status::pass;
    std::string detail{};   // what was seen; for a failure, what is wrong and how to fix it
};

// The usable content of a valid reply.
struct authorizer_response {
    bool is_authenticated = false;
    std::string principal_id{};
    std::vector<std::string> policy_documents{};   // each as compact JSON text of an object
    std::vector<policy::policy> policies{};         // the same, parsed (when every one parsed)
    std::int64_t disconnect_after_s = default_disconnect_after_s;
    std::int64_t refresh_after_s = default_refresh_after_s;
    bool disconnect_defaulted = true;
    bool refresh_defaulted = true;
    std::optional<nlohmann::json> context{};       // undocumented, passed through
};

struct response_verdict {
    bool allowed = false;          // valid and isAuthenticated == true
    bool valid = false;            // every checked rule passed (a valid deny is valid)
    std::vector<rule_check> checks{};
    std::string reason{};            // one line: the first failed rule, or the outcome
    authorizer_response response{};  // filled as far as parsing got
};

response_verdict validate_response(std::string_view body);

// Characters of one policyDocuments entry, counted as described above.
std::size_t policy_document_chars(const nlohmann::json& entry);

}  // namespace wv::auth
