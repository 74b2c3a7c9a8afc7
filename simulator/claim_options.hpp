#pragma once
// The flags of `wvsim --onboard claim:<template>` / `trusted-user:<template>` (onboard_claim.hpp
// runs them). Kept apart so that options.hpp stays free of Asio.
#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace wv::sim {

// The flags (options.cpp fills it; checked by parse_onboard).
struct claim_options {
    std::string mode;           // "claim" or "trusted-user"; empty: not onboarding by provisioning
    std::string template_name;
    std::filesystem::path claim_cert, claim_key;    // --claim-cert/--claim-key (claim mode)
    std::vector<std::string> params;                // --provision-param NAME=TEMPLATE, repeatable
    std::string key = "csr";                        // --provision-key csr | keys
    std::string format = "json";                    // --provision-format json | cbor: the API's topics and payloads
    std::filesystem::path refuse_file;              // --provision-refuse FILE: client ids, one a line
    double reply_timeout_s = 10;                    // --provision-timeout: per request
};

// "jitr", "claim:<template>", "trusted-user:<template>"; fills `out` for the latter two.
// Throws config_error with what to write instead.
void parse_onboard(const std::string& value, claim_options& out);

// The client ids of a --provision-refuse file (one a line; blank lines and # comments skipped).
std::set<std::string> load_refusals(const std::filesystem::path& file);

}  // namespace wv::sim
