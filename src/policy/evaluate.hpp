#pragma once
// Evaluation of IoT policies for one request, with IAM's logic (spec 4.1): everything is
// implicitly denied; a matching Allow grants; a matching explicit Deny beats every Allow;
// statement and policy order do not matter.
//
// A statement matches when its Action (case-insensitive, `*` and `?` wildcards) covers the
// request's action, its Resource covers the ARN, and all its conditions hold.
//
// Resource matching (spec 4.3): `*` is any run of characters and crosses `/`; `?` is exactly
// one character; `+` and `#` are literal. Policy variables are substituted first (only in
// "2012-10-17" policies): ${iot:ClientId}, ${aws:SourceIp}, ${iot:DomainName}, and the
// escapes $(*), $(?), $($) for a literal `*`, `?`, `$`. Substituted values are literal text:
// a `*` in a client id does not become a wildcard.
//
// Unresolvable variables: thing variables (${iot:Connection.Thing.*}) and certificate
// variables never resolve under custom authentication (the connection has no registry
// principal, spec 4.4), nor does any variable whose value the request lacks. AWS leaves this
// unspecified; we make the resource (or condition value) that uses it match nothing, so
// an Allow built on it grants nothing and a Deny built on it denies nothing. The reason text
// says so, since it is the commonest surprise.
//
// Pure; thread-safe.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.hpp"

namespace wv::policy {

struct request_context {
    std::string client_id{};
    std::optional<std::string> source_ip{};         // aws:SourceIp
    std::optional<std::string> domain_name{};       // iot:DomainName (the SNI)
    // iot:ConnectAttributes: "PersistentConnect" (clean session 0) and/or "LastWill".
    std::vector<std::string> connect_attributes{};
    std::optional<std::string> last_will_topic{};   // iot:LastWillTopic, as a topic ARN
};

struct request {
    std::string action{};     // "iot:Connect", "iot:Publish", "iot:Subscribe", "iot:Receive", ...
    std::string resource{};   // full ARN, see arn.hpp
    request_context context{};
};

enum class decision { allow, explicit_deny, implicit_deny };
const char* to_string(decision d) noexcept;

struct statement_ref {
    std::size_t policy_index = 0;
    std::size_t statement_index = 0;
};

struct evaluation {
    decision result = decision::implicit_deny;
    std::optional<statement_ref> matched{};   // the deciding statement (Deny, else first Allow)
    std::string reason{};                     // one line, e.g. "allowed by policy 0 statement 1"
    std::vector<std::string> notes{};         // e.g. unresolved variables met on the way
    bool allowed() const { return result == decision::allow; }
};

evaluation evaluate(std::span<const policy> policies, const request& r);

// The wildcard matcher used for resources: `*` any run (crossing `/`), `?` one character.
bool wildcard_match(std::string_view pattern, std::string_view text, bool ignore_case = false);

}  // namespace wv::policy
