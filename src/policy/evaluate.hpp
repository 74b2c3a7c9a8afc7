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
// X.509 connections carry a registry principal (request_context::principal): then
// ${iot:Connection.Thing.ThingName}, .ThingTypeName, .Attributes[<name>] resolve from the thing
// attached to the certificate whose name is the client id, .IsAttached is "true" or "false",
// and ${iot:Certificate.<Subject|Issuer>.<attribute>}, ${iot:Certificate.<Subject|Issuer>
// AlternativeName.<kind>} and ${iot:Certificate.SerialNumber} resolve from the certificate
// when it has exactly one value; the same names with ".List" are condition keys with every
// value (for ForAnyValue / ForAllValues).
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
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.hpp"

namespace wv::policy {

// What the registry knows about an X.509 connection's principal (its certificate).
struct principal_facts {
    struct thing_facts {
        std::string name{};
        std::string type_name{};                       // empty: none
        std::vector<std::pair<std::string, std::string>> attributes{};
    };
    std::optional<thing_facts> thing{};                // attached and named as the client id
    // Certificate attributes by AWS's variable suffix ("Subject.CommonName",
    // "Issuer.Organization", "SubjectAlternativeName.DNSName", "SerialNumber"), every value.
    std::vector<std::pair<std::string, std::vector<std::string>>> certificate{};
};

struct request_context {
    std::string client_id{};
    std::optional<std::string> source_ip{};         // aws:SourceIp
    std::optional<std::string> domain_name{};       // iot:DomainName (the SNI)
    // iot:ConnectAttributes: "PersistentConnect" (clean session 0) and/or "LastWill".
    std::vector<std::string> connect_attributes{};
    std::optional<std::string> last_will_topic{};   // iot:LastWillTopic, as a topic ARN
    const principal_facts* principal = nullptr;     // X.509 connections only; not owned
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

// True when a document names a thing or certificate variable (iot:Connection.Thing.*,
// iot:Certificate.*, any case) in an action, a resource or a condition key or value: only
// then does evaluate() read request_context::principal, so a connection whose policies name
// none needs no principal_facts (X.509 connections then keep none: ~1 KiB each).
bool uses_principal_variables(std::span<const policy> policies);

// The wildcard matcher used for resources: `*` any run (crossing `/`), `?` one character.
bool wildcard_match(std::string_view pattern, std::string_view text, bool ignore_case = false);

}  // namespace wv::policy
