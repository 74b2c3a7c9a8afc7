#pragma once
// What the gateway knows about custom authorizers (spec 1.1) and how it picks one for a
// connection (spec 1.2).
//
// Selection order, as AWS documents it:
//   1. the user name names an authorizer (`x-amz-customauthorizer-name`): that one, unless the
//      endpoint has a default authorizer with allow_authorizer_override = false, in which case
//      the name is ignored and the default is used (AWS: the default "cannot be overridden");
//   2. otherwise the endpoint's default authorizer, only when the device presents no AWS
//      credentials (no client certificate / SigV4);
//   3. otherwise no custom auth: the connection fails, with a named reason.
// A named authorizer that does not exist or is INACTIVE fails the connection; we do not
// fall back to the default (the device asked for a specific one).
//
// Pure, no I/O. Thread-safe for concurrent const use.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/username.hpp"

namespace wv::auth {

enum class authorizer_status { active, inactive };

struct authorizer_config {
    std::string name{};                                 // 1-128 chars of [\w=,@-]
    authorizer_status status = authorizer_status::active;
    bool signing_disabled = false;                    // AWS's default: signing enabled
    std::string token_key_name{};                       // 1-128 of [a-zA-Z0-9_-]; required when signing
    std::map<std::string, std::string> token_signing_public_keys{};  // key name -> PEM (RSA >= 2048 bits)
    std::string function{};                             // which backend answers (the gateway's concern)
    // AWS's enableCachingForHttp: HTTPS publish reuses an allowed answer on the same kept-alive
    // connection for the same token until its refreshAfterInSeconds (http_verdict_cache).
    bool enable_caching_for_http = false;
};

// Problems in one authorizer, as AWS's CreateAuthorizer would report them, each prefixed with
// the field name ("authorizerName: ..."). Empty when valid. Parses the PEM keys (OpenSSL).
std::vector<std::string> validate(const authorizer_config& a);

// AWS's authorizerName rule: 1-128 characters from [A-Za-z0-9_=,@-].
bool is_valid_authorizer_name(std::string_view name);
// AWS's tokenKeyName rule: 1-128 characters from [A-Za-z0-9_-].
bool is_valid_token_key_name(std::string_view name);

struct endpoint_authorizers {
    std::vector<authorizer_config> authorizers{};
    std::optional<std::string> default_authorizer{};    // SetDefaultAuthorizer / domain config
    bool allow_authorizer_override = true;            // domain config authorizerConfig
    const authorizer_config* find(std::string_view name) const;
};

// Every authorizer's problems plus duplicate names and a default that does not exist.
std::vector<std::string> validate(const endpoint_authorizers& e);

enum class selection_errc {
    none = 0,
    no_authorizer,        // no name in the user name and no default for the endpoint
    not_found,            // the named authorizer does not exist
    inactive,             // the chosen authorizer's status is INACTIVE
    credentials_present,  // no name, a default exists, but the device presented AWS credentials
};
const char* to_string(selection_errc e) noexcept;

struct authorizer_selection {
    const authorizer_config* authorizer = nullptr;  // points into the endpoint_authorizers
    selection_errc error = selection_errc::none;
    bool used_default = false;
    bool name_ignored = false;   // a name was given but override is not allowed
    std::string reason{};          // one line for logs, names the authorizer involved
    bool ok() const { return error == selection_errc::none; }
};

authorizer_selection select_authorizer(const endpoint_authorizers& e, const parsed_username& u,
                                       bool presents_aws_credentials = false);

}  // namespace wv::auth
