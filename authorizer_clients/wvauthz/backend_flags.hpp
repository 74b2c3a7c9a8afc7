#pragma once
// The backend flags every wvauthz command takes, and the backend_spec they describe:
//   --config FILE [--authorizer NAME]          an authorizers YAML (config/authorizers/README.md)
//   --lambda-url URL --function NAME [...]     Lambda's Invoke API (SigV4 for https://)
//   --handler python:FILE[:FN] | node:FILE[:FN] [--workers N] [--env K=V]... [--things FILE]
//   --static USER:PASSWORD[:PRINCIPAL]...      built-in static credentials (allow everything)
//   --registry FILE                            auth's registry CSV
#include <map>
#include <string>
#include <vector>

#include "functions/backend_spec.hpp"

namespace CLI {
class App;
}

namespace wv::wvauthz {

struct backend_flags {
    std::string config, authorizer;
    std::string lambda_url, function, qualifier, region, profile, sign = "auto";
    std::size_t max_connections = 64;
    bool tail_logs = false;
    std::string handler;
    std::size_t workers = 2;
    std::vector<std::string> env;
    std::string things;
    std::vector<std::string> statics;
    std::string registry;
    std::string iot_region = "us-east-1";   // ARNs in policies and the iot:Connect check
    std::string account = "123456789012";
};

void add_backend_flags(CLI::App& app, backend_flags& f);

// Exactly one backend must be chosen; throws std::invalid_argument otherwise (a usage error).
backends::backend_spec to_spec(const backend_flags& f);

}  // namespace wv::wvauthz
