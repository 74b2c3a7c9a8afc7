#include "authorizer_clients/wvauthz/backend_flags.hpp"

#include <CLI/CLI.hpp>
#include <yaml-cpp/yaml.h>

#include <optional>
#include <stdexcept>

#include "functions/function_registry.hpp"
#include "functions/functions_section.hpp"

namespace wv::wvauthz {

void add_backend_flags(CLI::App& app, backend_flags& f) {
    app.add_option("--config", f.config, "authorizers YAML file (see config/authorizers/README.md)")->group("Backend");
    app.add_option("--authorizer", f.authorizer,
                   "which authorizer of --config (default: the first); with a wvgate config's functions: "
                   "a function's name or ARN, or an authorizer that refers to one")
        ->group("Backend");
    app.add_option("--lambda-url", f.lambda_url, "Lambda Invoke API base URL, e.g. http://127.0.0.1:9001")->group("Backend");
    app.add_option("--function", f.function, "Lambda function name or ARN (with --lambda-url)")->group("Backend");
    app.add_option("--qualifier", f.qualifier, "Lambda version or alias")->group("Backend");
    app.add_option("--region", f.region, "SigV4 region for --lambda-url (default: from the URL or AWS_REGION)")->group("Backend");
    app.add_option("--profile", f.profile, "AWS credentials profile for SigV4")->group("Backend");
    app.add_option("--sign", f.sign, "SigV4: auto (https only), always, never")
        ->check(CLI::IsMember({"auto", "always", "never"}))
        ->group("Backend");
    app.add_option("--max-connections", f.max_connections, "Lambda keep-alive pool size")->group("Backend");
    app.add_flag("--tail-logs", f.tail_logs, "ask Lambda for the last 4 KB of the function's log")->group("Backend");
    app.add_option("--handler", f.handler, "run a handler file locally: python:FILE[:FN] or node:FILE[:FN]")->group("Backend");
    app.add_option("--workers", f.workers, "handler worker processes")->group("Backend");
    app.add_option("--env", f.env, "handler environment variable NAME=VALUE (repeatable)")->group("Backend");
    app.add_option("--things", f.things, "things CSV/YAML served as a local AWS IoT registry for boto3")->group("Backend");
    app.add_option("--static", f.statics, "built-in credential USER:PASSWORD[:PRINCIPAL] (repeatable)")->group("Backend");
    app.add_option("--registry", f.registry, "devices CSV for the built-in registry backend")->group("Backend");
    app.add_option("--iot-region", f.iot_region, "region in IoT ARNs (policies, iot:Connect check)")->group("Backend");
    app.add_option("--account", f.account, "account in IoT ARNs")->group("Backend");
}

namespace {

// A config with a `functions:` section (wvgate's): --authorizer names one of its functions (by
// name or ARN) or one of its authorizers that refers to a function. nullopt: no such section.
std::optional<backends::backend_spec> function_of_config(const std::string& config, const std::string& name) {
    const auto specs = functions::load_functions_section(config);
    if (specs.empty()) return std::nullopt;
    functions::function_registry known;
    for (const auto& s : specs) known.add(s);
    if (name.empty())
        throw std::invalid_argument(config + " names its functions under functions:; choose one with --authorizer "
                                    "NAME_OR_ARN (or the name of an authorizer that refers to one); known: " +
                                    known.known());
    if (const auto* s = known.find(name)) return *s;
    const auto root = YAML::LoadFile(config);
    if (const auto list = root["authorizers"]; list && list.IsSequence())
        for (const auto& a : list) {
            if (!a.IsMap() || !a["name"] || a["name"].Scalar() != name) continue;
            const auto ref = a["function"] ? a["function"] : a["authorizerFunctionArn"];
            if (!ref || !ref.IsScalar())
                throw std::invalid_argument(config + ": authorizer '" + name +
                                            "' runs no function of functions: (use --static/--registry/--handler "
                                            "for it, or name a function); known: " + known.known());
            return known.spec(ref.Scalar());  // an unknown reference throws with the known ones listed
        }
    throw std::invalid_argument(config + ": no function or authorizer named '" + name + "'; known functions: " +
                                known.known());
}

}  // namespace

backends::backend_spec to_spec(const backend_flags& f) {
    const int chosen = !f.config.empty() + !f.lambda_url.empty() + !f.handler.empty() + !f.statics.empty() + !f.registry.empty();
    if (chosen != 1)
        throw std::invalid_argument(chosen == 0 ? "choose a backend: --config, --lambda-url, --handler, --static or --registry"
                                                : "choose only one backend");
    backends::backend_spec s;
    s.region = f.iot_region;
    s.account = f.account;
    if (!f.config.empty()) {
        if (auto fn = function_of_config(f.config, f.authorizer)) return *fn;
        const auto file = backends::load_authorizers_file(f.config);
        if (file.authorizers.empty()) throw std::runtime_error(f.config + ": no authorizers");
        const auto* a = f.authorizer.empty() ? &file.authorizers.front() : file.find(f.authorizer);
        if (!a) throw std::invalid_argument(f.config + ": no authorizer named '" + f.authorizer + "'");
        return *a;
    }
    if (!f.lambda_url.empty()) {
        if (f.function.empty()) throw std::invalid_argument("--lambda-url needs --function");
        s.kind = backends::backend_kind::lambda;
        s.lambda.url = f.lambda_url;
        s.lambda.function = f.function;
        s.lambda.qualifier = f.qualifier;
        s.lambda.region = f.region;
        s.lambda.max_connections = f.max_connections;
        s.lambda.tail_logs = f.tail_logs;
        s.lambda.sign = f.sign == "always" ? lambda_http::signing::always
                        : f.sign == "never" ? lambda_http::signing::never
                                            : lambda_http::signing::automatic;
        s.profile = f.profile;
        s.name = "lambda";
    } else if (!f.handler.empty()) {
        s.kind = backends::backend_kind::handler;
        s.handler.spec = f.handler;
        s.handler.workers = f.workers;
        s.handler.region = f.iot_region;
        for (const auto& kv : f.env) {
            const auto eq = kv.find('=');
            if (eq == std::string::npos || eq == 0) throw std::invalid_argument("--env '" + kv + "': expected NAME=VALUE");
            s.handler.environment[kv.substr(0, eq)] = kv.substr(eq + 1);
        }
        s.things_file = f.things;
        s.name = "handler";
    } else if (!f.statics.empty()) {
        s.kind = backends::backend_kind::static_credentials;
        for (const auto& c : f.statics) {
            const auto a = c.find(':');
            if (a == std::string::npos) throw std::invalid_argument("--static '" + c + "': expected USER:PASSWORD[:PRINCIPAL]");
            auth::static_credential sc;
            sc.username = c.substr(0, a);
            const auto b = c.find(':', a + 1);
            sc.password = c.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
            sc.principal_id = b == std::string::npos ? sc.username : c.substr(b + 1);
            // Without policies in config, allow what a device needs, scoped to its client id.
            sc.policy_documents.push_back(
                R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"arn:aws:iot:)" +
                f.iot_region + ":" + f.account +
                R"(:client/${iot:ClientId}"},{"Effect":"Allow","Action":["iot:Publish","iot:Receive"],"Resource":"arn:aws:iot:)" +
                f.iot_region + ":" + f.account + R"(:topic/*"},{"Effect":"Allow","Action":"iot:Subscribe","Resource":"arn:aws:iot:)" +
                f.iot_region + ":" + f.account + R"(:topicfilter/*"}]})");
            s.credentials.push_back(std::move(sc));
        }
        s.name = "static";
    } else {
        s.kind = backends::backend_kind::registry;
        s.registry_file = f.registry;
        s.registry.region = f.iot_region;
        s.registry.account = f.account;
        s.name = "registry";
    }
    return s;
}

}  // namespace wv::wvauthz
