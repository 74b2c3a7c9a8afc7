#include "gateway/config_yaml.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "functions/backend_spec.hpp"
#include "functions/build_backend.hpp"
#include "functions/function_registry.hpp"
#include "functions/functions_section.hpp"
#include "policy/policy.hpp"
#include "rules_engine/engine_config.hpp"

namespace wv::gate {
namespace {

struct ctx {
    std::string file;
    std::filesystem::path base;
};

[[noreturn]] void fail(const ctx& c, const YAML::Node& n, const std::string& path, const std::string& what) {
    const int line = n.IsDefined() && n.Mark().line >= 0 ? n.Mark().line + 1 : 0;
    throw config_error(c.file + ":" + std::to_string(line) + ": " + path + ": " + what);
}

void only_keys(const ctx& c, const YAML::Node& n, const std::string& path, std::set<std::string> allowed) {
    if (!n.IsMap()) fail(c, n, path, "expected a mapping");
    for (const auto& kv : n) {
        const auto k = kv.first.as<std::string>();
        if (!allowed.contains(k)) {
            std::string list;
            for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
            fail(c, kv.first, path.empty() ? k : path + "." + k, "unknown key (expected one of: " + list + ")");
        }
    }
}

template <class T>
T get(const ctx& c, const YAML::Node& n, const std::string& path) {
    try {
        return n.as<T>();
    } catch (const YAML::Exception&) {
        if constexpr (std::is_same_v<T, bool>) fail(c, n, path, "expected true or false");
        else if constexpr (std::is_arithmetic_v<T>) fail(c, n, path, "expected a number in range");
        else fail(c, n, path, "expected a string");
    }
}

template <class T>
void opt(const ctx& c, const YAML::Node& parent, const char* key, const std::string& path, T& out) {
    if (const auto n = parent[key]; n) out = get<T>(c, n, path.empty() ? key : path + "." + key);
}

nlohmann::json yaml_to_json(const YAML::Node& n) {
    switch (n.Type()) {
        case YAML::NodeType::Map: {
            nlohmann::json j = nlohmann::json::object();
            for (const auto& kv : n) j[kv.first.as<std::string>()] = yaml_to_json(kv.second);
            return j;
        }
        case YAML::NodeType::Sequence: {
            nlohmann::json j = nlohmann::json::array();
            for (const auto& e : n) j.push_back(yaml_to_json(e));
            return j;
        }
        case YAML::NodeType::Scalar: return n.Scalar();
        default: return nullptr;
    }
}

// A policy document: inline JSON text, a YAML mapping, or a file path.
std::string policy_text(const ctx& c, const YAML::Node& n, const std::string& path) {
    if (n.IsMap()) return yaml_to_json(n).dump();
    const auto s = get<std::string>(c, n, path);
    if (s.find('{') != std::string::npos) return s;
    const auto p = std::filesystem::path(s).is_absolute() ? std::filesystem::path(s) : c.base / s;
    std::ifstream in(p);
    if (!in) fail(c, n, path, "cannot read policy file " + p.string());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<std::string> policies(const ctx& c, const YAML::Node& n, const std::string& path) {
    std::vector<std::string> out;
    if (!n) return out;
    if (!n.IsSequence()) fail(c, n, path, "expected a list of policy documents");
    for (std::size_t i = 0; i < n.size(); ++i) out.push_back(policy_text(c, n[i], path + "[" + std::to_string(i) + "]"));
    return out;
}

std::filesystem::path file_path(const ctx& c, const YAML::Node& n, const std::string& path) {
    const std::filesystem::path p = get<std::string>(c, n, path);
    return p.is_absolute() || p.empty() ? p : c.base / p;
}

listener_config parse_listener(const ctx& c, const YAML::Node& n, const std::string& path) {
    only_keys(c, n, path, {"name", "kind", "address", "port", "cert", "key", "client_ca"});
    listener_config l;
    opt(c, n, "name", path, l.name);
    if (const auto k = n["kind"]) {
        try {
            l.kind = parse_listener_kind(get<std::string>(c, k, path + ".kind"));
        } catch (const std::invalid_argument& e) {
            fail(c, k, path + ".kind", e.what());
        }
    }
    opt(c, n, "address", path, l.address);
    opt(c, n, "port", path, l.port);
    if (const auto v = n["cert"]) l.cert_file = file_path(c, v, path + ".cert");
    if (const auto v = n["key"]) l.key_file = file_path(c, v, path + ".key");
    if (const auto v = n["client_ca"]) l.client_ca_file = file_path(c, v, path + ".client_ca");
    return l;
}

static_credential parse_credential(const ctx& c, const YAML::Node& n, const std::string& path) {
    only_keys(c, n, path, {"username", "password", "client_id", "principal_id", "policies", "authenticated"});
    static_credential s;
    opt(c, n, "username", path, s.username);
    opt(c, n, "password", path, s.password);
    opt(c, n, "client_id", path, s.client_id);
    opt(c, n, "principal_id", path, s.principal_id);
    opt(c, n, "authenticated", path, s.authenticated);
    s.policy_documents = policies(c, n["policies"], path + ".policies");
    if (s.username.empty()) fail(c, n, path + ".username", "required");
    return s;
}

// A lambda/handler function in src/functions' YAML shape (config/authorizers/README.md),
// parsed by their code so wvauthz and wvgate read one format; built at first use.
std::function<std::shared_ptr<auth::authorizer_backend>(const backends::local_iot&)> function_factory(
    const ctx& c, const YAML::Node& n, const std::string& path) {
    std::shared_ptr<backends::backend_spec> spec;
    try {
        spec = std::make_shared<backends::backend_spec>(backends::parse_backend_spec(n, c.base, c.file + "|" + path + "."));
    } catch (const std::exception& e) {
        throw config_error(e.what());
    }
    return [spec](const backends::local_iot& iot) -> std::shared_ptr<auth::authorizer_backend> {
        auto built = std::make_shared<backends::built_backend>(backends::build_backend(*spec, iot));
        auto* raw = built->backend.get();
        return std::shared_ptr<auth::authorizer_backend>(std::move(built), raw);  // owns the registry too
    };
}

// token_signing_public_keys: name -> PEM text or a PEM file's path.
std::map<std::string, std::string> signing_keys(const ctx& c, const YAML::Node& keys, const std::string& path) {
    if (!keys.IsMap()) fail(c, keys, path + ".token_signing_public_keys", "expected name: PEM pairs");
    std::map<std::string, std::string> out;
    for (const auto& kv : keys) {
        auto v = get<std::string>(c, kv.second, path + ".token_signing_public_keys");
        if (v.find("-----BEGIN") == std::string::npos) {  // a file path
            std::ifstream in(std::filesystem::path(v).is_absolute() ? std::filesystem::path(v) : c.base / v);
            if (!in) fail(c, kv.second, path + ".token_signing_public_keys", "cannot read " + v);
            std::stringstream ss;
            ss << in.rdbuf();
            v = ss.str();
        }
        out[kv.first.as<std::string>()] = v;
    }
    return out;
}

// The keys of AWS's authorizer resource, whatever runs its function: name, status, signing.
void parse_authorizer_resource(const ctx& c, const YAML::Node& n, const std::string& path, authorizer_config& a) {
    opt(c, n, "name", path, a.name);
    if (const auto s = n["status"]) {
        const auto v = get<std::string>(c, s, path + ".status");
        if (v != "ACTIVE" && v != "INACTIVE") fail(c, s, path + ".status", "expected ACTIVE or INACTIVE");
        a.active = v == "ACTIVE";
    }
    opt(c, n, "signing_disabled", path, a.signing_disabled);
    opt(c, n, "token_key_name", path, a.token_key_name);
    opt(c, n, "enable_caching_for_http", path, a.enable_caching_for_http);
    if (const auto keys = n["token_signing_public_keys"]) a.token_signing_public_keys = signing_keys(c, keys, path);
}

// An authorizer whose function is one of `functions:`: `function: NAME_OR_ARN`, or AWS's
// CreateAuthorizer key `authorizerFunctionArn: ARN`. Checked against the functions later.
authorizer_config parse_authorizer_ref(const ctx& c, const YAML::Node& n, const std::string& path) {
    only_keys(c, n, path,
              {"name", "status", "signing_disabled", "token_key_name", "token_signing_public_keys", "enable_caching_for_http", "function",
               "authorizerFunctionArn", "timeout_ms", "max_concurrency", "max_queue"});
    if (n["function"] && n["authorizerFunctionArn"])
        fail(c, n["authorizerFunctionArn"], path + ".authorizerFunctionArn",
             "give the function once: function: NAME_OR_ARN or authorizerFunctionArn: ARN, not both");
    const char* key = n["function"] ? "function" : "authorizerFunctionArn";
    authorizer_config a;
    a.backend = backend_kind::function;
    a.function = get<std::string>(c, n[key], path + "." + key);
    if (a.function.empty()) fail(c, n[key], path + "." + key, "empty (a name under `functions:` or its ARN)");
    parse_authorizer_resource(c, n, path, a);
    if (const auto t = n["timeout_ms"]) a.timeout = std::chrono::milliseconds(get<std::int64_t>(c, t, path + ".timeout_ms"));
    opt(c, n, "max_concurrency", path, a.max_concurrency);
    opt(c, n, "max_queue", path, a.max_queue);
    return a;
}

authorizer_config parse_authorizer(const ctx& c, const YAML::Node& n, const std::string& path) {
    if (!n.IsMap()) fail(c, n, path, "expected a mapping");
    if (!n["backend"] && (n["function"] || n["authorizerFunctionArn"])) return parse_authorizer_ref(c, n, path);
    const auto kind = n["backend"] ? get<std::string>(c, n["backend"], path + ".backend") : std::string("static");
    if (kind == "lambda" || kind == "handler") {
        authorizer_config a;
        a.backend = kind == "lambda" ? backend_kind::lambda : backend_kind::handler;
        a.factory = function_factory(c, n, path);
        opt(c, n, "name", path, a.name);
        if (const auto s = n["status"]) a.active = get<std::string>(c, s, path + ".status") != "INACTIVE";
        opt(c, n, "signing_disabled", path, a.signing_disabled);
        opt(c, n, "token_key_name", path, a.token_key_name);
        opt(c, n, "enable_caching_for_http", path, a.enable_caching_for_http);
        if (const auto t = n["timeout_ms"]) a.timeout = std::chrono::milliseconds(get<std::int64_t>(c, t, path + ".timeout_ms"));
        opt(c, n, "max_concurrency", path, a.max_concurrency);
        if (const auto keys = n["token_signing_public_keys"]) {
            for (const auto& kv : keys) a.token_signing_public_keys[kv.first.as<std::string>()] = kv.second.as<std::string>();
        }
        return a;
    }
    only_keys(c, n, path,
              {"name", "status", "signing_disabled", "token_key_name", "token_signing_public_keys", "enable_caching_for_http", "backend",
               "credentials", "default_policies", "refresh_after_s", "disconnect_after_s", "registry_csv", "registry",
               "timeout_ms", "max_concurrency", "max_queue"});
    authorizer_config a;
    parse_authorizer_resource(c, n, path, a);
    if (const auto b = n["backend"]) {
        const auto v = get<std::string>(c, b, path + ".backend");
        if (v == "static") a.backend = backend_kind::static_credentials;
        else if (v == "registry") a.backend = backend_kind::registry;
        else fail(c, b, path + ".backend", "expected static, registry, lambda or handler");
    }
    if (const auto cr = n["credentials"]) {
        if (!cr.IsSequence()) fail(c, cr, path + ".credentials", "expected a list");
        for (std::size_t i = 0; i < cr.size(); ++i)
            a.credentials.push_back(parse_credential(c, cr[i], path + ".credentials[" + std::to_string(i) + "]"));
    }
    a.default_policies = policies(c, n["default_policies"], path + ".default_policies");
    opt(c, n, "refresh_after_s", path, a.refresh_after_s);
    opt(c, n, "disconnect_after_s", path, a.disconnect_after_s);
    if (const auto v = n["registry_csv"]) a.registry_csv = file_path(c, v, path + ".registry_csv");
    if (const auto v = n["registry"]) a.registry_csv = file_path(c, v, path + ".registry");
    if (const auto t = n["timeout_ms"]) a.timeout = std::chrono::milliseconds(get<std::int64_t>(c, t, path + ".timeout_ms"));
    opt(c, n, "max_concurrency", path, a.max_concurrency);
    opt(c, n, "max_queue", path, a.max_queue);
    if (a.backend == backend_kind::registry && a.registry_csv.empty())
        fail(c, n, path + ".registry_csv", "required with backend: registry");
    return a;
}

// `functions:`: each Lambda named once (functions/functions_section.hpp), inheriting the
// config's region and account.
void parse_functions(const ctx& c, const YAML::Node& list, gateway_config& cfg) {
    try {
        cfg.functions = functions::parse_functions_section(list, cfg.region, cfg.account, c.base, c.file);
    } catch (const std::exception& e) {
        throw config_error(e.what());
    }
}

// Every reference to a function (authorizers, rule lambda and validate actions) names one of
// `functions:`; an unknown one is refused with the known ones listed.
void check_function_refs(const ctx& c, const YAML::Node& root, gateway_config& cfg) {
    functions::function_registry known;
    for (const auto& f : cfg.functions) known.add(f);
    for (std::size_t i = 0; i < cfg.authorizers.size(); ++i) {
        const auto& a = cfg.authorizers[i];
        if (a.backend != backend_kind::function) continue;
        try {
            known.spec(a.function);
        } catch (const std::runtime_error& e) {
            const auto n = root["authorizers"][i];
            const char* key = n["function"] ? "function" : "authorizerFunctionArn";
            fail(c, n[key], "authorizers[" + std::to_string(i) + "]." + key, e.what());
        }
    }
    const auto check = [&](const rules_engine::function_ref& ref) -> backends::backend_spec* {
        if (ref.empty()) return nullptr;
        try {
            const auto& spec = known.spec(ref.name_or_arn);
            for (auto& f : cfg.functions)
                if (f.name == spec.name) return &f;
        } catch (const std::runtime_error& e) {
            throw config_error(ref.origin + ": " + e.what());
        }
        return nullptr;
    };
    // A template's hook: a function of `functions:` (name or ARN) or of provisioning.hooks.
    for (std::size_t i = 0; i < cfg.provisioning.templates.size(); ++i) {
        const auto& hook = cfg.provisioning.templates[i].hook;
        if (hook.empty() || known.find(hook)) continue;
        auto name = hook;
        if (const auto arn = functions::parse_lambda_arn(hook)) name = arn->name;
        if (cfg.provisioning.hooks.count(name)) continue;
        fail(c, root["provisioning"]["templates"][i]["hook"], "provisioning.templates[" + std::to_string(i) + "].hook",
             "unknown function '" + hook + "'; known: " + known.known());
    }
    for (auto& rule : cfg.rules.rules)
        for (auto& action : rule.actions) {
            if (const auto* l = std::get_if<rules_engine::lambda_action_config>(&action)) check(l->ref);
            if (const auto* v = std::get_if<rules_engine::validate_action_config>(&action)) {
                auto* f = check(v->decoder_ref);
                // A Lambda decoder's log comes back only when asked for (X-Amz-Log-Result).
                if (f && f->kind == backends::backend_kind::lambda &&
                    v->output_from_log != rules_engine::validate_action_config::log_output::off)
                    f->lambda.tail_logs = true;
            }
        }
}

void parse_limits(const ctx& c, const YAML::Node& n, limits_config& l) {
    const std::string p = "limits";
    only_keys(c, n, p,
              {"max_client_id_bytes", "max_topic_bytes", "max_topic_slashes", "max_payload_bytes",
               "max_filters_per_subscribe", "max_subscriptions_per_connection", "min_keep_alive_s", "max_keep_alive_s",
               "publish_rate_per_s", "connects_per_s_per_client_id", "max_inflight_qos1", "max_outbox_bytes",
               "max_offline_messages", "session_replay_per_s",
               "persistent_session_expiry_s", "max_connections", "tls_handshake_timeout_ms", "connect_timeout_ms",
               "topic_alias_maximum", "max_user_properties_bytes"});
    opt(c, n, "max_client_id_bytes", p, l.max_client_id_bytes);
    opt(c, n, "max_topic_bytes", p, l.max_topic_bytes);
    opt(c, n, "max_topic_slashes", p, l.max_topic_slashes);
    opt(c, n, "max_payload_bytes", p, l.max_payload_bytes);
    opt(c, n, "max_filters_per_subscribe", p, l.max_filters_per_subscribe);
    opt(c, n, "max_subscriptions_per_connection", p, l.max_subscriptions_per_connection);
    opt(c, n, "min_keep_alive_s", p, l.min_keep_alive_s);
    opt(c, n, "max_keep_alive_s", p, l.max_keep_alive_s);
    opt(c, n, "publish_rate_per_s", p, l.publish_rate_per_s);
    opt(c, n, "connects_per_s_per_client_id", p, l.connects_per_s_per_client_id);
    opt(c, n, "max_inflight_qos1", p, l.max_inflight_qos1);
    opt(c, n, "max_outbox_bytes", p, l.max_outbox_bytes);
    opt(c, n, "max_offline_messages", p, l.max_offline_messages);
    opt(c, n, "session_replay_per_s", p, l.session_replay_per_s);
    opt(c, n, "max_connections", p, l.max_connections);
    opt(c, n, "topic_alias_maximum", p, l.topic_alias_maximum);
    opt(c, n, "max_user_properties_bytes", p, l.max_user_properties_bytes);
    if (const auto v = n["persistent_session_expiry_s"])
        l.persistent_session_expiry = std::chrono::seconds(get<std::int64_t>(c, v, p + ".persistent_session_expiry_s"));
    if (const auto v = n["tls_handshake_timeout_ms"])
        l.tls_handshake_timeout = std::chrono::milliseconds(get<std::int64_t>(c, v, p + ".tls_handshake_timeout_ms"));
    if (const auto v = n["connect_timeout_ms"])
        l.connect_timeout = std::chrono::milliseconds(get<std::int64_t>(c, v, p + ".connect_timeout_ms"));
}

void parse_https(const ctx& c, const YAML::Node& n, https_config& h) {
    const std::string p = "https";
    only_keys(c, n, p, {"max_header_bytes", "idle_timeout_ms", "request_timeout_ms"});
    opt(c, n, "max_header_bytes", p, h.max_header_bytes);
    if (const auto v = n["idle_timeout_ms"])
        h.idle_timeout = std::chrono::milliseconds(get<std::int64_t>(c, v, p + ".idle_timeout_ms"));
    if (const auto v = n["request_timeout_ms"])
        h.request_timeout = std::chrono::milliseconds(get<std::int64_t>(c, v, p + ".request_timeout_ms"));
}

void parse_websocket(const ctx& c, const YAML::Node& n, websocket_config& w) {
    const std::string p = "websocket";
    only_keys(c, n, p, {"path", "ttl_s", "max_frame_bytes", "handshake_timeout_ms"});
    opt(c, n, "path", p, w.path);
    if (w.path.empty() || w.path[0] != '/') fail(c, n["path"], p + ".path", "must start with '/'");
    if (const auto v = n["ttl_s"]) w.ttl = std::chrono::seconds(get<std::int64_t>(c, v, p + ".ttl_s"));
    opt(c, n, "max_frame_bytes", p, w.max_frame_bytes);
    if (const auto v = n["handshake_timeout_ms"])
        w.handshake_timeout = std::chrono::milliseconds(get<std::int64_t>(c, v, p + ".handshake_timeout_ms"));
}

// iam: [{access_key_id, secret_access_key, session_token?, principal?, policy | policies}]
void parse_iam(const ctx& c, const YAML::Node& n, std::vector<auth::iam_key_config>& out) {
    if (!n.IsSequence()) fail(c, n, "iam", "expected a list of {access_key_id, secret_access_key, policy}");
    for (std::size_t i = 0; i < n.size(); ++i) {
        const std::string path = "iam[" + std::to_string(i) + "]";
        only_keys(c, n[i], path, {"access_key_id", "secret_access_key", "session_token", "principal", "policy", "policies"});
        auth::iam_key_config k;
        opt(c, n[i], "access_key_id", path, k.access_key_id);
        opt(c, n[i], "secret_access_key", path, k.secret_access_key);
        opt(c, n[i], "session_token", path, k.session_token);
        opt(c, n[i], "principal", path, k.principal);
        if (k.access_key_id.empty() || k.secret_access_key.empty())
            fail(c, n[i], path, "needs access_key_id and secret_access_key");
        if (const auto p = n[i]["policy"]) k.policy_documents.push_back(policy_text(c, p, path + ".policy"));
        for (auto& d : policies(c, n[i]["policies"], path + ".policies")) k.policy_documents.push_back(std::move(d));
        if (k.policy_documents.empty())
            fail(c, n[i], path,
                 "needs `policy` (or `policies`): the IAM policy deciding iot:Connect, iot:Publish, iot:Subscribe and "
                 "iot:Receive for this key");
        for (std::size_t d = 0; d < k.policy_documents.size(); ++d)
            if (const auto parsed = policy::parse_policy(k.policy_documents[d]); !parsed.ok())
                fail(c, n[i], path + (n[i]["policy"] ? ".policy" : ".policies[" + std::to_string(d) + "]"), parsed.error);
        out.push_back(std::move(k));
    }
}

// control_plane: {enabled, address, port, seed, issued_key_type: rsa-2048 | ec-p256,
//                 credentials: [{access_key_id, secret_access_key}]}
void parse_control_plane(const ctx& c, const YAML::Node& n, control_plane_config& cp) {
    if (!n.IsMap()) fail(c, n, "control_plane", "expected a mapping");
    only_keys(c, n, "control_plane", {"enabled", "address", "port", "seed", "issued_key_type", "credentials"});
    if (const auto cs = n["credentials"]) {
        if (!cs.IsSequence()) fail(c, cs, "control_plane.credentials", "expected a list of {access_key_id, secret_access_key}");
        for (std::size_t i = 0; i < cs.size(); ++i) {
            const std::string path = "control_plane.credentials[" + std::to_string(i) + "]";
            only_keys(c, cs[i], path, {"access_key_id", "secret_access_key"});
            std::string id, secret;
            opt(c, cs[i], "access_key_id", path, id);
            opt(c, cs[i], "secret_access_key", path, secret);
            if (id.empty() || secret.empty()) fail(c, cs[i], path, "needs access_key_id and secret_access_key");
            cp.sigv4_keys[id] = secret;
        }
    }
    opt(c, n, "enabled", "control_plane", cp.enabled);
    opt(c, n, "address", "control_plane", cp.address);
    opt(c, n, "port", "control_plane", cp.port);
    if (const auto s = n["seed"]) cp.seed = file_path(c, s, "control_plane.seed");
    if (const auto k = n["issued_key_type"]) {
        const auto v = get<std::string>(c, k, "control_plane.issued_key_type");
        if (v != "rsa-2048" && v != "ec-p256")
            fail(c, k, "control_plane.issued_key_type", "expected rsa-2048 (as AWS) or ec-p256 (faster, not what AWS issues)");
        cp.issue_ec_keys = v == "ec-p256";
    }
}

// provisioning: {threads, max_pending, hook_concurrency,
//                hooks: [{name, backend: handler | lambda, ...as an authorizer's backend}],
//                templates: [{name, body_file | body, enabled, description, hook}]}
void parse_provisioning(const ctx& c, const YAML::Node& n, provisioning_config& pc) {
    if (!n.IsMap()) fail(c, n, "provisioning", "expected a mapping");
    only_keys(c, n, "provisioning", {"threads", "max_pending", "hook_concurrency", "hooks", "templates"});
    if (const auto ts = n["templates"]) {
        if (!ts.IsSequence()) fail(c, ts, "provisioning.templates", "expected a list of templates");
        for (std::size_t i = 0; i < ts.size(); ++i) {
            const std::string path = "provisioning.templates[" + std::to_string(i) + "]";
            only_keys(c, ts[i], path, {"name", "body", "body_file", "enabled", "description", "hook"});
            provisioning_template_seed t;
            opt(c, ts[i], "name", path, t.name);
            opt(c, ts[i], "description", path, t.description);
            opt(c, ts[i], "enabled", path, t.enabled);
            opt(c, ts[i], "hook", path, t.hook);
            if (t.name.empty()) fail(c, ts[i], path + ".name", "required");
            if (ts[i]["body"] && ts[i]["body_file"]) fail(c, ts[i], path, "give body or body_file, not both");
            if (const auto b = ts[i]["body"]) {
                // A mapping is the template itself, written as YAML; a string is its JSON text.
                t.body = b.IsScalar() ? b.as<std::string>() : yaml_to_json(b).dump();
            } else if (const auto f = ts[i]["body_file"]) {
                const auto file = file_path(c, f, path + ".body_file");
                std::ifstream in(file);
                if (!in) fail(c, f, path + ".body_file", "cannot read " + file.string());
                t.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
            } else {
                fail(c, ts[i], path, "needs body or body_file");
            }
            pc.templates.push_back(std::move(t));
        }
    }
    opt(c, n, "threads", "provisioning", pc.threads);
    opt(c, n, "max_pending", "provisioning", pc.max_pending);
    opt(c, n, "hook_concurrency", "provisioning", pc.hook_concurrency);
    if (pc.threads == 0) fail(c, n["threads"], "provisioning.threads", "must be at least 1");
    if (const auto hs = n["hooks"]) {
        if (!hs.IsSequence()) fail(c, hs, "provisioning.hooks", "expected a list of functions");
        for (std::size_t i = 0; i < hs.size(); ++i) {
            const std::string path = "provisioning.hooks[" + std::to_string(i) + "]";
            if (!hs[i].IsMap() || !hs[i]["name"]) fail(c, hs[i], path, "needs a name (the function name its ARN ends with)");
            const auto kind = hs[i]["backend"] ? get<std::string>(c, hs[i]["backend"], path + ".backend") : std::string{};
            if (kind != "handler" && kind != "lambda") fail(c, hs[i], path + ".backend", "expected handler or lambda");
            const auto name = get<std::string>(c, hs[i]["name"], path + ".name");
            if (pc.hooks.count(name)) fail(c, hs[i], path + ".name", "'" + name + "' is named twice");
            pc.hooks[name] = function_factory(c, hs[i], path);
        }
    }
}

}  // namespace

listener_kind parse_listener_kind(std::string_view s) {
    if (s == "aws-443") return listener_kind::aws_443;
    if (s == "aws-8883") return listener_kind::aws_8883;
    if (s == "aws-8443") return listener_kind::aws_8443;
    if (s == "plain") return listener_kind::plain;
    throw std::invalid_argument("expected aws-443, aws-8883, aws-8443 or plain, not '" + std::string(s) + "'");
}

log_level parse_log_level(std::string_view s) {
    if (s == "debug") return log_level::debug;
    if (s == "info") return log_level::info;
    if (s == "warn") return log_level::warn;
    if (s == "error") return log_level::error;
    if (s == "off") return log_level::off;
    throw std::invalid_argument("expected debug, info, warn, error or off, not '" + std::string(s) + "'");
}

gateway_config parse_gateway_config(std::string_view yaml_text, const std::string& name,
                                    const std::filesystem::path& base_dir) {
    const ctx c{name, base_dir};
    YAML::Node root;
    try {
        root = YAML::Load(std::string(yaml_text));
    } catch (const YAML::ParserException& e) {
        throw config_error(name + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    gateway_config cfg;
    if (root.IsNull()) return cfg;
    only_keys(c, root, "",
              {"region", "account", "endpoint_host", "threads", "time_scale", "log", "metrics", "generated_ca_dir",
               "listeners", "default_authorizer", "allow_authorizer_override", "authorizers", "certificate_policies",
               "limits", "lifecycle_events", "rules", "rules_queue", "https", "websocket", "state", "control_plane",
               "provisioning", "functions", "iam"});
    opt(c, root, "region", "", cfg.region);
    opt(c, root, "account", "", cfg.account);
    opt(c, root, "endpoint_host", "", cfg.endpoint_host);
    opt(c, root, "threads", "", cfg.threads);
    opt(c, root, "time_scale", "", cfg.time_scale);
    if (cfg.time_scale <= 0) fail(c, root["time_scale"], "time_scale", "must be > 0");
    if (const auto l = root["log"]) {
        only_keys(c, l, "log", {"level", "file"});
        if (const auto lv = l["level"]) {
            try {
                cfg.level = parse_log_level(get<std::string>(c, lv, "log.level"));
            } catch (const std::invalid_argument& e) {
                fail(c, lv, "log.level", e.what());
            }
        }
        opt(c, l, "file", "log", cfg.log_file);
    }
    if (const auto m = root["metrics"]) {
        only_keys(c, m, "metrics", {"port", "address"});
        if (const auto p = m["port"]) cfg.metrics_port = get<std::uint16_t>(c, p, "metrics.port");
        opt(c, m, "address", "metrics", cfg.metrics_address);
    }
    if (const auto v = root["generated_ca_dir"]) cfg.generated_ca_dir = file_path(c, v, "generated_ca_dir");
    if (const auto ls = root["listeners"]) {
        if (!ls.IsSequence()) fail(c, ls, "listeners", "expected a list");
        cfg.listeners.clear();
        for (std::size_t i = 0; i < ls.size(); ++i)
            cfg.listeners.push_back(parse_listener(c, ls[i], "listeners[" + std::to_string(i) + "]"));
    }
    if (const auto fs = root["functions"]) parse_functions(c, fs, cfg);
    opt(c, root, "default_authorizer", "", cfg.default_authorizer);
    opt(c, root, "allow_authorizer_override", "", cfg.allow_authorizer_override);
    if (const auto as = root["authorizers"]) {
        if (!as.IsSequence()) fail(c, as, "authorizers", "expected a list");
        for (std::size_t i = 0; i < as.size(); ++i)
            cfg.authorizers.push_back(parse_authorizer(c, as[i], "authorizers[" + std::to_string(i) + "]"));
    }
    cfg.certificate_policies = policies(c, root["certificate_policies"], "certificate_policies");
    if (const auto l = root["limits"]) parse_limits(c, l, cfg.limits);
    opt(c, root, "lifecycle_events", "", cfg.lifecycle_events);
    if (const auto h = root["https"]) parse_https(c, h, cfg.https);
    if (const auto w = root["websocket"]) parse_websocket(c, w, cfg.websocket);
    if (const auto iam = root["iam"]) parse_iam(c, iam, cfg.iam);
    if (const auto st = root["state"]) cfg.control_plane.state = file_path(c, st, "state");
    if (const auto cp = root["control_plane"]) parse_control_plane(c, cp, cfg.control_plane);
    if (const auto pv = root["provisioning"]) parse_provisioning(c, pv, cfg.provisioning);
    if (const auto r = root["rules"]) {
        // The rules engine owns its section's schema and messages (file:line, SQL caret).
        try {
            cfg.rules = rules_engine::parse_engine_config(r, root["rules_queue"], c.file);
        } catch (const config_error&) {
            throw;
        } catch (const std::exception& e) {
            throw config_error(e.what());
        }
    }
    check_function_refs(c, root, cfg);
    if (!cfg.default_authorizer.empty()) {
        bool found = false;
        for (const auto& a : cfg.authorizers) found = found || a.name == cfg.default_authorizer;
        if (!found) fail(c, root["default_authorizer"], "default_authorizer", "no authorizer with that name");
    }
    return cfg;
}

gateway_config load_gateway_config(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw config_error(file.string() + ": cannot read the configuration file");
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_gateway_config(ss.str(), file.string(), file.parent_path());
}

}  // namespace wv::gate
