#pragma once
// One authorizer backend as config describes it (config/authorizers/README.md):
//
//   authorizers:
//     - name: ayyeka
//       backend: handler                  # static | registry | lambda | handler
//       handler: python:ayyeka_registry.py[:lambda_handler]
//       workers: 4
//       environment: {region: eu-central-1, account_id: "123456789012"}
//       things: things.csv                # a local things registry for boto3 'iot' clients
//     - name: aws
//       backend: lambda
//       url: https://lambda.eu-central-1.amazonaws.com
//       function: my-authorizer
//       qualifier: live                   # optional
//       region: eu-central-1              # SigV4; optional for lambda.<region>.amazonaws.com URLs
//       profile: lab                      # optional: shared credentials file profile
//       sign: auto                        # auto (https only) | always | never
//       max_connections: 64
//       tail_logs: false
//     - name: devices
//       backend: registry
//       registry: devices.csv             # the credentials CSV (config/credentials.md)
//     - name: fixed
//       backend: static
//       credentials:
//         - {username: dev1, password: s3cret, principal_id: dev1, client_id: "dev*",
//            policies: ['{"Version":"2012-10-17","Statement":[...]}']}
//
// Relative paths are relative to the config file's folder. Parsing checks shapes and names
// every problem as "<file>:<line>: authorizers[i].<key>: <problem>" (std::runtime_error);
// files are opened only by build_backend().
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "functions/registry_backend.hpp"
#include "functions/static_backend.hpp"
#include "functions/handler/handler_backend.hpp"
#include "functions/lambda_http/lambda_backend.hpp"

namespace YAML {
class Node;
}

namespace wv::backends {

enum class backend_kind { static_credentials, registry, lambda, handler };
const char* to_string(backend_kind k) noexcept;

struct backend_spec {
    std::string name{};
    backend_kind kind = backend_kind::static_credentials;
    std::vector<auth::static_credential> credentials{};  // static
    std::filesystem::path registry_file{};               // registry
    auth::registry_options registry{};
    lambda_http::lambda_options lambda{};                // lambda
    std::string profile{};                               // lambda: credentials profile
    handler::handler_options handler{};                  // handler
    std::filesystem::path things_file{};                 // handler: local things registry to host
    std::string region = "us-east-1";                    // ARNs (policies, things, the function's own)
    std::string account = "123456789012";
    std::chrono::milliseconds timeout{3000};             // `timeout_ms`: the function's own (Lambda's default)
};

struct authorizers_file {
    std::string region = "us-east-1";
    std::string account = "123456789012";
    std::vector<backend_spec> authorizers{};
    const backend_spec* find(std::string_view name) const;
};

// `node` is one entry of `authorizers:`; `base` resolves relative paths; `file` and
// `key_prefix` (e.g. "authorizers[2].") name the place in error messages.
backend_spec parse_backend_spec(const YAML::Node& node, const std::filesystem::path& base, const std::string& file,
                                const std::string& key_prefix);
// The same with `where` = "<file>|<key prefix>", the form this API first had (kept so that
// callers written against it keep compiling).
backend_spec parse_backend_spec(const YAML::Node& node, const std::filesystem::path& base, const std::string& where);
authorizers_file load_authorizers_file(const std::filesystem::path& file);

}  // namespace wv::backends
