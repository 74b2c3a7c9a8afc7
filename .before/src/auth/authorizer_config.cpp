#include "auth/authorizer_config.hpp"

#include <set>

#include "auth/token_signature.hpp"
#include "util/ascii.hpp"

namespace wv::auth {

bool is_valid_authorizer_name(std::string_view name) {
    if (name.empty() || name.size() > 128) return false;
    for (char c : name)
        if (!util::is_ascii_alnum(c) && c != '_' && c != '=' && c != ',' && c != '@' && c != '-') return false;
    return true;
}

bool is_valid_token_key_name(std::string_view name) {
    if (name.empty() || name.size() > 128) return false;
    for (char c : name)
        if (!util::is_ascii_alnum(c) && c != '_' && c != '-') return false;
    return true;
}

std::vector<std::string> validate(const authorizer_config& a) {
    std::vector<std::string> problems;
    const std::string where = "authorizer '" + a.name + "': ";
    if (!is_valid_authorizer_name(a.name))
        problems.push_back(where + "authorizerName must be 1-128 characters of [A-Za-z0-9_=,@-]");
    if (!a.token_key_name.empty() && !is_valid_token_key_name(a.token_key_name))
        problems.push_back(where + "tokenKeyName must be 1-128 characters of [A-Za-z0-9_-]");
    if (!a.signing_disabled) {
        if (a.token_key_name.empty())
            problems.push_back(where + "tokenKeyName is required when signing is enabled (or set signing disabled)");
        if (a.token_signing_public_keys.empty())
            problems.push_back(where + "tokenSigningPublicKeys is required when signing is enabled (or set signing disabled)");
    }
    for (const auto& [name, pem] : a.token_signing_public_keys)
        if (auto p = check_public_key(pem); !p.empty())
            problems.push_back(where + "tokenSigningPublicKeys." + name + ": " + p);
    return problems;
}

const authorizer_config* endpoint_authorizers::find(std::string_view name) const {
    for (const auto& a : authorizers)
        if (a.name == name) return &a;
    return nullptr;
}

std::vector<std::string> validate(const endpoint_authorizers& e) {
    std::vector<std::string> problems;
    std::set<std::string> seen;
    for (const auto& a : e.authorizers) {
        for (auto& p : validate(a)) problems.push_back(std::move(p));
        if (!seen.insert(a.name).second) problems.push_back("authorizer '" + a.name + "' is defined twice");
    }
    if (e.default_authorizer && !e.find(*e.default_authorizer))
        problems.push_back("default authorizer '" + *e.default_authorizer + "' is not defined");
    return problems;
}

const char* to_string(selection_errc e) noexcept {
    switch (e) {
    case selection_errc::none: return "ok";
    case selection_errc::no_authorizer: return "no_authorizer";
    case selection_errc::not_found: return "authorizer_not_found";
    case selection_errc::inactive: return "authorizer_inactive";
    case selection_errc::credentials_present: return "credentials_present";
    }
    return "unknown";
}

authorizer_selection select_authorizer(const endpoint_authorizers& e, const parsed_username& u,
                                       bool presents_aws_credentials) {
    authorizer_selection s;
    const auto named = u.authorizer_name();
    const bool default_locked = e.default_authorizer && !e.allow_authorizer_override;
    std::string name;
    if (named && !named->empty() && !default_locked) {
        name = *named;
    } else if (e.default_authorizer) {
        if (presents_aws_credentials) {
            s.error = selection_errc::credentials_present;
            s.reason = "the device presented AWS credentials, so the default authorizer '" + *e.default_authorizer +
                       "' does not apply";
            return s;
        }
        name = *e.default_authorizer;
        s.used_default = true;
        s.name_ignored = named && !named->empty() && *named != name;
    } else {
        s.error = selection_errc::no_authorizer;
        s.reason = "the user name names no authorizer (x-amz-customauthorizer-name) and the endpoint has no default authorizer";
        return s;
    }
    s.authorizer = e.find(name);
    if (!s.authorizer) {
        s.error = selection_errc::not_found;
        s.reason = "no authorizer named '" + name + "'";
        return s;
    }
    if (s.authorizer->status == authorizer_status::inactive) {
        s.error = selection_errc::inactive;
        s.reason = "authorizer '" + name + "' is INACTIVE";
        return s;
    }
    s.reason = "authorizer '" + name + "'" + (s.used_default ? " (endpoint default)" : "") +
               (s.name_ignored ? ", the requested '" + *named + "' ignored: override not allowed" : "");
    return s;
}

}  // namespace wv::auth
