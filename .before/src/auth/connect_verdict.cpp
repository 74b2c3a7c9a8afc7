#include "auth/connect_verdict.hpp"

namespace wv::auth {

const char* to_string(connect_outcome o) noexcept {
    switch (o) {
        case connect_outcome::allowed: return "allowed";
        case connect_outcome::denied: return "denied";
        case connect_outcome::denied_by_policy: return "denied_by_policy";
        case connect_outcome::invalid_response: return "invalid_response";
        case connect_outcome::backend_error: return "backend_error";
        case connect_outcome::timeout: return "timeout";
        case connect_outcome::overloaded: return "overloaded";
        case connect_outcome::shut_down: return "shut_down";
    }
    return "?";
}

bool is_valid_refusal(connect_outcome o) noexcept {
    return o == connect_outcome::denied || o == connect_outcome::denied_by_policy;
}

connect_verdict judge_connect(const authorization_result& r, const policy::arn_scope& scope, std::string_view client_id,
                              std::string_view server_name) {
    connect_verdict v;
    v.reason = r.reason;
    const auto& resp = r.verdict.response;
    if (resp.policies.size() == resp.policy_documents.size()) {
        v.policies = resp.policies;  // validate_response parsed every one already
    } else {
        for (const auto& doc : resp.policy_documents)
            if (auto parsed = policy::parse_policy(doc); parsed.ok()) v.policies.push_back(*parsed.value);
    }
    switch (r.outcome) {
        case authorization_outcome::allowed: break;
        case authorization_outcome::denied: v.outcome = connect_outcome::denied; break;
        case authorization_outcome::invalid_response: v.outcome = connect_outcome::invalid_response; break;
        case authorization_outcome::backend_error:
            v.outcome = connect_outcome::backend_error;
            v.reason = std::string(to_string(r.reply.error)) + ": " + r.reply.detail;
            break;
        case authorization_outcome::timeout: v.outcome = connect_outcome::timeout; break;
        case authorization_outcome::overloaded: v.outcome = connect_outcome::overloaded; break;
        case authorization_outcome::shut_down: v.outcome = connect_outcome::shut_down; break;
    }
    if (r.outcome != authorization_outcome::allowed) {
        v.connect.reason = "not evaluated: the authorizer did not allow";
        return v;
    }
    policy::request req;
    req.action = "iot:Connect";
    req.resource = policy::client_arn(scope, client_id);
    req.context.client_id = std::string(client_id);
    if (!server_name.empty()) req.context.domain_name = std::string(server_name);
    v.connect = policy::evaluate(v.policies, req);
    v.outcome = v.connect.allowed() ? connect_outcome::allowed : connect_outcome::denied_by_policy;
    if (!v.connect.allowed()) v.reason = v.connect.reason;  // names the action and the ARN
    // Also when allowed: a Connect on "*" still leaves topic statements that never match.
    v.scope_mismatch = policy::find_scope_mismatch(v.policies, scope);
    return v;
}

}  // namespace wv::auth
