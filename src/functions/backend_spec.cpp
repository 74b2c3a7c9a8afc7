#include "functions/backend_spec.hpp"

#include <yaml-cpp/yaml.h>

#include <set>
#include <stdexcept>

namespace wv::backends {
namespace {

// Where a key sits, for messages: "<file>:<line>: <prefix><key>: <problem>".
struct place {
    std::string file;
    std::string prefix;  // e.g. "authorizers[2]."
    place operator+(const std::string& more) const { return {file, prefix + more}; }
};

std::runtime_error problem(const YAML::Node& n, const place& where, const std::string& what) {
    return std::runtime_error(where.file + ":" + std::to_string(n.Mark().line + 1) + ": " + where.prefix + what);
}

std::string scalar(const YAML::Node& n, const place& where, const char* key) {
    if (!n.IsScalar()) throw problem(n, where, std::string(key) + ": expected a single value");
    return n.Scalar();
}

template <class T>
T number(const YAML::Node& n, const place& where, const char* key) {
    try {
        return n.as<T>();
    } catch (const YAML::Exception&) {
        throw problem(n, where, std::string(key) + ": expected a number, got '" + (n.IsScalar() ? n.Scalar() : "?") + "'");
    }
}

bool boolean(const YAML::Node& n, const place& where, const char* key) {
    try {
        return n.as<bool>();
    } catch (const YAML::Exception&) {
        throw problem(n, where, std::string(key) + ": expected true or false");
    }
}

std::filesystem::path resolve(const std::filesystem::path& base, const std::string& p) {
    const std::filesystem::path path(p);
    return path.is_absolute() || base.empty() ? path : base / path;
}

}  // namespace

const char* to_string(backend_kind k) noexcept {
    switch (k) {
        case backend_kind::static_credentials: return "static";
        case backend_kind::registry: return "registry";
        case backend_kind::lambda: return "lambda";
        case backend_kind::handler: return "handler";
    }
    return "?";
}

const backend_spec* authorizers_file::find(std::string_view name) const {
    for (const auto& a : authorizers)
        if (a.name == name) return &a;
    return nullptr;
}

backend_spec parse_backend_spec(const YAML::Node& node, const std::filesystem::path& base, const std::string& file,
                                const std::string& key_prefix) {
    const place where{file, key_prefix};
    if (!node.IsMap()) throw problem(node, where, "expected a map with name and backend");
    backend_spec s;
    static const std::set<std::string> known{"name", "backend", "credentials", "registry", "url", "function",
                                             "qualifier", "region", "account", "profile", "sign", "max_connections",
                                             "max_queue", "tail_logs", "ca_file", "verify_tls", "handler", "workers",
                                             "environment", "things", "memory_mb", "function_name", "interpreter",
                                             "refresh_after_s", "disconnect_after_s", "policy_templates", "status",
                                             "signing_disabled", "token_key_name", "token_signing_public_keys",
                                             "timeout_ms", "max_concurrency", "default_policies"};
    for (const auto& kv : node) {
        const std::string key = kv.first.Scalar();
        if (!known.count(key)) throw problem(kv.first, where, key + ": unknown key");
    }
    if (!node["name"]) throw problem(node, where, "name: missing");
    s.name = scalar(node["name"], where, "name");
    if (!node["backend"]) throw problem(node, where, "backend: missing (static, registry, lambda or handler)");
    const std::string kind = scalar(node["backend"], where, "backend");
    if (kind == "static") s.kind = backend_kind::static_credentials;
    else if (kind == "registry") s.kind = backend_kind::registry;
    else if (kind == "lambda") s.kind = backend_kind::lambda;
    else if (kind == "handler") s.kind = backend_kind::handler;
    else throw problem(node["backend"], where, "backend: '" + kind + "' is not static, registry, lambda or handler");
    if (node["region"]) s.region = scalar(node["region"], where, "region");
    if (node["account"]) s.account = scalar(node["account"], where, "account");
    if (node["timeout_ms"]) s.timeout = std::chrono::milliseconds(number<std::int64_t>(node["timeout_ms"], where, "timeout_ms"));

    switch (s.kind) {
        case backend_kind::static_credentials: {
            const auto creds = node["credentials"];
            if (!creds || !creds.IsSequence()) throw problem(node, where, "credentials: expected a list");
            for (std::size_t i = 0; i < creds.size(); ++i) {
                const auto c = creds[i];
                const place w = where + ("credentials[" + std::to_string(i) + "].");
                if (!c.IsMap() || !c["username"] || !c["password"])
                    throw problem(c, w, "expected username and password");
                auth::static_credential sc;
                sc.username = scalar(c["username"], w, "username");
                sc.password = scalar(c["password"], w, "password");
                sc.principal_id = c["principal_id"] ? scalar(c["principal_id"], w, "principal_id") : sc.username;
                if (c["client_id"]) sc.client_id_pattern = scalar(c["client_id"], w, "client_id");
                if (const auto p = c["policies"]) {
                    if (!p.IsSequence()) throw problem(p, w, "policies: expected a list of policy JSON texts");
                    for (const auto& doc : p) sc.policy_documents.push_back(scalar(doc, w, "policies"));
                }
                if (c["refresh_after_s"]) sc.refresh_after_s = number<std::int64_t>(c["refresh_after_s"], w, "refresh_after_s");
                if (c["disconnect_after_s"])
                    sc.disconnect_after_s = number<std::int64_t>(c["disconnect_after_s"], w, "disconnect_after_s");
                s.credentials.push_back(std::move(sc));
            }
            break;
        }
        case backend_kind::registry:
            if (!node["registry"]) throw problem(node, where, "registry: missing (the devices CSV)");
            s.registry_file = resolve(base, scalar(node["registry"], where, "registry"));
            s.registry.region = s.region;
            s.registry.account = s.account;
            if (node["refresh_after_s"]) s.registry.refresh_after_s = number<std::int64_t>(node["refresh_after_s"], where, "refresh_after_s");
            if (node["disconnect_after_s"])
                s.registry.disconnect_after_s = number<std::int64_t>(node["disconnect_after_s"], where, "disconnect_after_s");
            break;
        case backend_kind::lambda:
            if (!node["url"]) throw problem(node, where, "url: missing (http://host:port or https://lambda.<region>.amazonaws.com)");
            if (!node["function"]) throw problem(node, where, "function: missing");
            s.lambda.url = scalar(node["url"], where, "url");
            s.lambda.function = scalar(node["function"], where, "function");
            if (node["qualifier"]) s.lambda.qualifier = scalar(node["qualifier"], where, "qualifier");
            if (node["region"]) s.lambda.region = s.region;
            if (node["profile"]) s.profile = scalar(node["profile"], where, "profile");
            if (node["sign"]) {
                const std::string v = scalar(node["sign"], where, "sign");
                if (v == "auto") s.lambda.sign = lambda_http::signing::automatic;
                else if (v == "always") s.lambda.sign = lambda_http::signing::always;
                else if (v == "never") s.lambda.sign = lambda_http::signing::never;
                else throw problem(node["sign"], where, "sign: expected auto, always or never");
            }
            if (node["max_connections"]) s.lambda.max_connections = number<std::size_t>(node["max_connections"], where, "max_connections");
            if (node["max_queue"]) s.lambda.max_queue = number<std::size_t>(node["max_queue"], where, "max_queue");
            if (node["tail_logs"]) s.lambda.tail_logs = boolean(node["tail_logs"], where, "tail_logs");
            if (node["ca_file"]) s.lambda.ca_file = resolve(base, scalar(node["ca_file"], where, "ca_file"));
            if (node["verify_tls"]) s.lambda.verify_tls = boolean(node["verify_tls"], where, "verify_tls");
            break;
        case backend_kind::handler: {
            if (!node["handler"]) throw problem(node, where, "handler: missing (python:FILE[:FUNCTION] or node:FILE[:FUNCTION])");
            std::string spec = scalar(node["handler"], where, "handler");
            // Resolve the file part against the config's folder, keep runtime and function.
            const auto colon = spec.find(':');
            if (colon == std::string::npos) throw problem(node["handler"], where, "handler: expected python:FILE or node:FILE");
            try {
                auto parsed = handler::parse_handler_spec(spec);
                spec = spec.substr(0, colon) + ":" + resolve(base, parsed.file.string()).string() + ":" + parsed.function;
            } catch (const std::invalid_argument& e) {
                throw problem(node["handler"], where, std::string("handler: ") + e.what());
            }
            s.handler.spec = spec;
            s.handler.region = s.region;
            if (node["workers"]) s.handler.workers = number<std::size_t>(node["workers"], where, "workers");
            if (node["memory_mb"]) s.handler.memory_mb = number<int>(node["memory_mb"], where, "memory_mb");
            if (node["function_name"]) s.handler.function_name = scalar(node["function_name"], where, "function_name");
            if (node["interpreter"]) s.handler.interpreter = scalar(node["interpreter"], where, "interpreter");
            if (const auto env = node["environment"]) {
                if (!env.IsMap()) throw problem(env, where, "environment: expected a map of NAME: value");
                for (const auto& kv : env) s.handler.environment[kv.first.Scalar()] = kv.second.Scalar();
            }
            if (node["things"]) s.things_file = resolve(base, scalar(node["things"], where, "things"));
            break;
        }
    }
    return s;
}

backend_spec parse_backend_spec(const YAML::Node& node, const std::filesystem::path& base, const std::string& where) {
    const auto bar = where.find('|');
    return bar == std::string::npos ? parse_backend_spec(node, base, where, "")
                                    : parse_backend_spec(node, base, where.substr(0, bar), where.substr(bar + 1));
}

authorizers_file load_authorizers_file(const std::filesystem::path& file) {
    YAML::Node root;
    try {
        root = YAML::LoadFile(file.string());
    } catch (const YAML::BadFile&) {
        throw std::runtime_error(file.string() + ": cannot open");
    } catch (const YAML::Exception& e) {
        throw std::runtime_error(file.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    authorizers_file out;
    const auto base = file.parent_path();
    const std::string origin = file.string();
    if (!root.IsMap()) throw std::runtime_error(origin + ":1: expected a map with `authorizers:`");
    if (root["region"]) out.region = root["region"].Scalar();
    if (root["account"]) out.account = root["account"].Scalar();
    const auto list = root["authorizers"];
    if (!list || !list.IsSequence()) throw std::runtime_error(origin + ":1: expected a list under `authorizers:`");
    std::set<std::string> names;
    for (std::size_t i = 0; i < list.size(); ++i) {
        YAML::Node entry = list[i];
        // Entries inherit the file's region and account unless they set their own.
        if (entry.IsMap() && !entry["region"] && root["region"]) entry["region"] = out.region;
        if (entry.IsMap() && !entry["account"] && root["account"]) entry["account"] = out.account;
        auto spec = parse_backend_spec(entry, base, origin, "authorizers[" + std::to_string(i) + "].");
        if (!names.insert(spec.name).second)
            throw std::runtime_error(origin + ":" + std::to_string(list[i].Mark().line + 1) + ": authorizers[" +
                                     std::to_string(i) + "].name: '" + spec.name + "' is used twice");
        out.authorizers.push_back(std::move(spec));
    }
    return out;
}

}  // namespace wv::backends
