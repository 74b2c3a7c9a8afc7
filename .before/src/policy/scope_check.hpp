#pragma once
// Does an authorizer's policy name the same region and account as the ARNs we build?
//
// A gateway builds resource ARNs from its own region and account (arn:aws:iot:<region>:
// <account>:client/<id>); an authorizer that hard-codes another region (Ayyeka's simple
// sample says eu-central-1, wvgate's example us-east-1) returns statements that can never
// match, so every device is refused iot:Connect and the only symptom is "closed without
// CONNACK". find_scope_mismatch() spots that from the policies alone; describe() says it in
// words, with the fix, for the tool at hand.
//
// Only `Resource` entries of service `iot` count (NotResource and other services say nothing
// about our ARNs); a region or account written with wildcards counts when it cannot match ours
// (`*`, `eu-*` against eu-central-1 are fine).
//
// Pure; thread-safe.
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "policy/arn.hpp"
#include "policy/policy.hpp"

namespace wv::policy {

struct scope_mismatch {
    std::string region{};       // the policies' region when it differs from ours, else empty
    std::string account{};      // likewise for the account
    std::string example_arn{};  // the first Resource that shows it
    arn_scope ours{};
};

std::optional<scope_mismatch> find_scope_mismatch(std::span<const policy> policies, const arn_scope& ours);

// Where the tool reading the policies takes its region and account from, for the fix:
// e.g. {"region:", "account:", "the gateway config (wvgate YAML)"} gives
// "set `region: eu-central-1` in the gateway config (wvgate YAML)".
struct scope_settings {
    std::string region_key{};
    std::string account_key{};
    std::string where{};
};

// One paragraph: what the policies name, what we use, the effect, and the fix.
std::string describe(const scope_mismatch& m, const scope_settings& s);

}  // namespace wv::policy
