#pragma once
// What a device sees from one authorizer answer: the one classification wvauthz invoke, test
// and bench all use, so the three never disagree.
//
//   allowed             the reply allows and its policies allow iot:Connect on client/<id>:
//                       CONNACK 0
//   denied              a valid reply with isAuthenticated false
//   denied_by_policy    a valid reply with isAuthenticated true whose policies do not allow
//                       iot:Connect (Ayyeka's samples refuse a wrong password this way)
//   invalid_response    the reply broke one of AWS's rules (null, bad principalId, ...)
//   backend_error, timeout, overloaded, shut_down   as auth::authorization_outcome
//
// Only `allowed` connects. `denied` and `denied_by_policy` are valid refusals; the others are
// failures of the authorizer (or of the call to it).
//
// Pure; thread-safe.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/authorizer_service.hpp"
#include "policy/arn.hpp"
#include "policy/evaluate.hpp"
#include "policy/policy.hpp"
#include "policy/scope_check.hpp"

namespace wv::auth {

enum class connect_outcome {
    allowed, denied, denied_by_policy, invalid_response, backend_error, timeout, overloaded, shut_down
};
const char* to_string(connect_outcome o) noexcept;
bool is_valid_refusal(connect_outcome o) noexcept;  // denied or denied_by_policy

struct connect_verdict {
    connect_outcome outcome = connect_outcome::shut_down;
    std::string reason{};                     // one line: why
    std::vector<policy::policy> policies{};   // the reply's documents that parsed
    policy::evaluation connect{};             // iot:Connect on client/<id> (when the reply allowed)
    // The policies name another region/account than `scope` (see policy/scope_check.hpp).
    std::optional<policy::scope_mismatch> scope_mismatch{};
    bool connects() const { return outcome == connect_outcome::allowed; }
};

// `scope`: the region/account of the ARNs the gateway builds. `server_name`: the SNI, for
// iot:DomainName (empty: none).
connect_verdict judge_connect(const authorization_result& r, const policy::arn_scope& scope, std::string_view client_id,
                              std::string_view server_name = {});

}  // namespace wv::auth
