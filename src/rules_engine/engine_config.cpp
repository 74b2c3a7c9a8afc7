#include "rules_engine/engine_config.hpp"

#include "functions/function_registry.hpp"

#include <yaml-cpp/yaml.h>

#include <set>
#include <stdexcept>

namespace wv::rules_engine {
namespace {

struct place {
    std::string file;
    std::string path;  // "rules[0].actions[1].http."
};

std::runtime_error problem(const YAML::Node& n, const place& at, const std::string& what) {
    const auto line = n.Mark().is_null() ? 1 : n.Mark().line + 1;
    return std::runtime_error(at.file + ":" + std::to_string(line) + ": " + at.path + what);
}

std::string scalar(const YAML::Node& n, const place& at, const std::string& key) {
    if (!n.IsScalar()) throw problem(n, at, key + ": expected a single value");
    return n.Scalar();
}

template <class T>
T number(const YAML::Node& n, const place& at, const std::string& key) {
    try {
        return n.as<T>();
    } catch (const YAML::Exception&) {
        throw problem(n, at, key + ": expected a number, got '" + (n.IsScalar() ? n.Scalar() : "?") + "'");
    }
}

std::chrono::milliseconds millis(const YAML::Node& n, const place& at, const std::string& key) {
    const auto v = number<std::int64_t>(n, at, key);
    if (v <= 0) throw problem(n, at, key + ": must be positive");
    return std::chrono::milliseconds(v);
}

void only_keys(const YAML::Node& map, const place& at, const std::set<std::string>& known) {
    for (const auto& kv : map) {
        const auto key = kv.first.Scalar();
        if (known.count(key)) continue;
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        throw problem(kv.first, at, key + ": unknown key (expected one of: " + list + ")");
    }
}

std::filesystem::path resolve(const std::filesystem::path& base, const std::string& p) {
    const std::filesystem::path path(p);
    return path.is_absolute() || base.empty() ? path : base / path;
}

// A scalar naming a function of the `functions:` section: a Lambda function name or an ARN.
bool is_reference(const std::string& text) {
    return functions::is_function_name(text) || functions::looks_like_arn(text);
}

// A reference to a function of the `functions:` section: a scalar that is not a handler
// shorthand (a name or an ARN). Its existence is checked where the functions are known.
function_ref reference(const YAML::Node& n, const place& at, const std::string& key) {
    const auto text = scalar(n, at, key);
    if (text.empty()) throw problem(n, at, key + ": empty (a function name, its ARN, python:FILE or node:FILE)");
    return function_ref{.name_or_arn = text,
                        .origin = at.file + ":" + std::to_string(n.Mark().line + 1) + ": " + at.path + key};
}

// A function to call: a backend map, or the "python:FILE" / "node:FILE" shorthand.
backends::backend_spec function_spec(YAML::Node n, const place& at, const std::string& key,
                                     const std::string& default_name, const std::filesystem::path& base) {
    if (n.IsScalar()) {
        const auto text = n.Scalar();
        if (text.rfind("python:", 0) != 0 && text.rfind("node:", 0) != 0)
            throw problem(n, at, key + ": expected python:FILE, node:FILE or a backend map");
        YAML::Node m(YAML::NodeType::Map);
        m["name"] = default_name;
        m["backend"] = "handler";
        m["handler"] = text;
        // parse_backend_spec reports against the node's mark; a built node has none, so
        // check the file part here where the line is known.
        try {
            handler::parse_handler_spec(text);
        } catch (const std::invalid_argument& e) {
            throw problem(n, at, key + ": " + e.what());
        }
        return backends::parse_backend_spec(m, base, at.file, at.path + key + ".");
    }
    if (!n.IsMap())
        throw problem(n, at, key + ": expected python:FILE, node:FILE or a backend map");
    // Nodes are handles into the loaded document: this fills the name in place, so every
    // other key keeps its line for parse_backend_spec's messages.
    if (!n["name"]) n["name"] = default_name;
    auto spec = backends::parse_backend_spec(n, base, at.file, at.path + key + ".");
    if (spec.kind != backends::backend_kind::lambda && spec.kind != backends::backend_kind::handler)
        throw problem(n["backend"], at, key + ".backend: a function must be lambda or handler, not " +
                                            std::string(backends::to_string(spec.kind)));
    return spec;
}

action_config parse_action(const YAML::Node& n, const place& at, const std::string& rule_name,
                           std::size_t index, const std::filesystem::path& base) {
    if (!n.IsMap() || n.size() != 1)
        throw problem(n, at, "expected one of lambda:, republish:, file:, http:, validate: with its settings");
    const auto kind = n.begin()->first.Scalar();
    YAML::Node body = n.begin()->second;
    const place here{at.file, at.path + kind + "."};
    const auto fn_name = rule_name + "." + kind + std::to_string(index);

    if (kind == "lambda") {
        lambda_action_config c;
        // timeout_ms is one of the backend keys parse_backend_spec accepts (and ignores).
        if (body.IsMap() && body["timeout_ms"]) c.timeout = millis(body["timeout_ms"], here, "timeout_ms");
        if (body.IsScalar() && is_reference(body.Scalar())) {
            c.ref = reference(body, at, kind);  // lambda: NAME or lambda: ARN
        } else if (body.IsMap() && (body["functionArn"] || (body["function"] && !body["backend"]))) {
            // AWS's shape, {functionArn: ...}: a function of the `functions:` section.
            if (!body["functionArn"])
                throw problem(body["function"], here,
                              "function: without backend: names a function of the `functions:` section; write it "
                              "as functionArn: " + scalar(body["function"], here, "function") +
                              " (a name or arn:aws:lambda:<region>:<account>:function:<name>), or add backend: "
                              "lambda and url: for an inline Lambda");
            only_keys(body, here, {"functionArn", "timeout_ms"});
            c.ref = reference(body["functionArn"], here, "functionArn");
            c.ref.timeout_from_function = !body["timeout_ms"];
        } else {
            c.function = function_spec(body, at, kind, fn_name, base);
        }
        return c;
    }
    if (kind == "republish") {
        if (!body.IsMap()) throw problem(body, here, "expected a map with topic (and qos, headers)");
        only_keys(body, here, {"topic", "qos", "headers"});
        republish_action_config c;
        if (!body["topic"]) throw problem(body, here, "topic: missing");
        c.topic = scalar(body["topic"], here, "topic");
        if (c.topic.empty()) throw problem(body["topic"], here, "topic: empty");
        if (body["qos"]) {
            const auto q = number<int>(body["qos"], here, "qos");
            if (q != 0 && q != 1) throw problem(body["qos"], here, "qos: must be 0 or 1 (AWS IoT has no QoS 2)");
            c.qos = static_cast<std::uint8_t>(q);
        }
        if (const auto h = body["headers"]) {
            if (!h.IsMap()) throw problem(h, here, "headers: expected a map (AWS's republish headers)");
            const place in_headers{here.file, here.path + "headers."};
            only_keys(h, in_headers, {"payloadFormatIndicator", "contentType", "responseTopic", "correlationData",
                                      "messageExpiry", "userProperties"});
            auto& hd = c.headers.emplace();
            const auto text = [&](const char* key, std::string& into) {
                if (h[key]) into = scalar(h[key], in_headers, key);
            };
            text("payloadFormatIndicator", hd.payload_format_indicator);
            text("contentType", hd.content_type);
            text("responseTopic", hd.response_topic);
            text("correlationData", hd.correlation_data);
            text("messageExpiry", hd.message_expiry);
            if (const auto up = h["userProperties"]) {
                if (!up.IsSequence()) throw problem(up, in_headers, "userProperties: expected a list of {key, value}");
                const place in_up{here.file, in_headers.path + "userProperties[]."};
                for (const auto& kv : up) {
                    if (!kv.IsMap() || !kv["key"] || !kv["value"])
                        throw problem(kv, in_headers, "userProperties: each entry needs key and value");
                    only_keys(kv, in_up, {"key", "value"});
                    hd.user_properties.emplace_back(scalar(kv["key"], in_up, "key"), scalar(kv["value"], in_up, "value"));
                }
            }
        }
        return c;
    }
    if (kind == "file") {
        if (!body.IsMap()) throw problem(body, here, "expected a map with path");
        only_keys(body, here, {"path"});
        if (!body["path"]) throw problem(body, here, "path: missing");
        return file_action_config{.path = resolve(base, scalar(body["path"], here, "path"))};
    }
    if (kind == "http") {
        if (!body.IsMap()) throw problem(body, here, "expected a map with url");
        only_keys(body, here, {"url", "timeout_ms", "connections", "headers"});
        http_action_config c;
        if (!body["url"]) throw problem(body, here, "url: missing");
        c.url = scalar(body["url"], here, "url");
        if (c.url.rfind("http://", 0) != 0) throw problem(body["url"], here, "url: only http:// URLs are supported");
        if (body["timeout_ms"]) c.timeout = millis(body["timeout_ms"], here, "timeout_ms");
        if (body["connections"]) {
            c.connections = number<std::size_t>(body["connections"], here, "connections");
            if (c.connections == 0 || c.connections > 256)
                throw problem(body["connections"], here, "connections: must be 1..256");
        }
        if (const auto h = body["headers"]) {
            if (!h.IsMap()) throw problem(h, here, "headers: expected a map of Name: value");
            for (const auto& kv : h) c.headers[kv.first.Scalar()] = scalar(kv.second, here, "headers");
        }
        return c;
    }
    if (kind == "validate") {
        if (!body.IsMap()) throw problem(body, here, "expected a map with decoder");
        only_keys(body, here,
                  {"decoder", "timeout_ms", "float_tolerance", "compare", "max_logged_mismatches", "output_from_log"});
        validate_action_config c;
        if (!body["decoder"])
            throw problem(body, here, "decoder: missing (python:FILE, node:FILE, a function name, its ARN or a backend map)");
        if (body["decoder"].IsScalar() && is_reference(body["decoder"].Scalar()))
            c.decoder_ref = reference(body["decoder"], here, "decoder");
        else
            c.decoder = function_spec(body["decoder"], here, "decoder", fn_name, base);
        if (body["timeout_ms"]) c.timeout = millis(body["timeout_ms"], here, "timeout_ms");
        c.decoder_ref.timeout_from_function = !body["timeout_ms"];
        if (body["float_tolerance"]) {
            c.float_tolerance = number<double>(body["float_tolerance"], here, "float_tolerance");
            if (!(c.float_tolerance >= 0 && c.float_tolerance < 1))
                throw problem(body["float_tolerance"], here, "float_tolerance: must be in [0, 1)");
        }
        if (const auto o = body["output_from_log"]) {
            const auto text = scalar(o, here, "output_from_log");
            using lo = validate_action_config::log_output;
            if (text == "last_json" || text == "true") c.output_from_log = lo::last_json;
            else if (text == "off" || text == "false") c.output_from_log = lo::off;
            else if (text.empty())
                throw problem(o, here, "output_from_log: empty (last_json, off, or the marker text before the JSON)");
            else {
                c.output_from_log = lo::marker;
                c.output_marker = text;
            }
        }
        // A Lambda decoder's log comes back only when asked for (X-Amz-Log-Result).
        if (c.decoder_ref.empty() && c.decoder.kind == backends::backend_kind::lambda && c.output_from_log != validate_action_config::log_output::off &&
            !(body["decoder"].IsMap() && body["decoder"]["tail_logs"]))
            c.decoder.lambda.tail_logs = true;
        if (body["max_logged_mismatches"])
            c.max_logged_mismatches = number<std::size_t>(body["max_logged_mismatches"], here, "max_logged_mismatches");
        if (const auto cmp = body["compare"]) {
            if (!cmp.IsSequence()) throw problem(cmp, here, "compare: expected a list of JSON pointers");
            c.compare.clear();
            for (const auto& p : cmp) {
                auto ptr = scalar(p, here, "compare");
                if (!ptr.empty() && ptr[0] != '/')
                    throw problem(p, here, "compare: '" + ptr + "' is not a JSON pointer (\"\" or /a/b)");
                c.compare.push_back(std::move(ptr));
            }
        }
        return c;
    }
    throw problem(n.begin()->first, at, kind + ": unknown action (expected lambda, republish, file, http or validate)");
}

}  // namespace

const char* action_kind(const action_config& a) noexcept {
    switch (a.index()) {
        case 0: return "lambda";
        case 1: return "republish";
        case 2: return "file";
        case 3: return "http";
        case 4: return "validate";
    }
    return "?";
}

rules::rule compile_or_throw(const std::string& sql, rules::sql_version v, const std::string& where) {
    auto r = rules::parse_rule(sql, v);
    if (r.ok()) return *r.value;
    // Show the statement's line holding the column, with a caret under it.
    const std::size_t at = r.error_column ? r.error_column - 1 : 0;
    const auto line_start = sql.rfind('\n', at == 0 ? 0 : at - 1);
    const std::size_t from = line_start == std::string::npos || at == 0 ? 0 : line_start + 1;
    const auto line_end = sql.find('\n', from);
    const auto text = sql.substr(from, line_end == std::string::npos ? std::string::npos : line_end - from);
    std::string msg = where + ": " + r.error + "\n    " + text + "\n    " + std::string(at - from, ' ') + "^";
    if (v == rules::sql_version::v2015_10_08 && r.error.find("2016-03-23") != std::string::npos)
        msg += "\n    (set sql_version: \"2016-03-23\" on the rule)";
    throw std::invalid_argument(msg);
}

engine_config parse_engine_config(const YAML::Node& rules_node, const YAML::Node& queue,
                                  const std::filesystem::path& file) {
    const auto base = file.parent_path();
    const place top{file.string(), ""};
    engine_config out;
    if (queue && !queue.IsNull()) {
        const place q{file.string(), "rules_queue."};
        if (!queue.IsMap()) throw problem(queue, top, "rules_queue: expected a map with max and threads");
        only_keys(queue, q, {"max", "threads"});
        if (queue["max"]) out.max_queue = number<std::size_t>(queue["max"], q, "max");
        if (queue["threads"]) out.threads = number<std::size_t>(queue["threads"], q, "threads");
        if (out.max_queue == 0) throw problem(queue["max"], q, "max: must be at least 1");
        if (out.threads == 0 || out.threads > 64) throw problem(queue["threads"], q, "threads: must be 1..64");
    }
    if (!rules_node || rules_node.IsNull()) return out;
    if (!rules_node.IsSequence()) throw problem(rules_node, top, "rules: expected a list of rules");
    std::set<std::string> names;
    for (std::size_t i = 0; i < rules_node.size(); ++i) {
        const auto n = rules_node[i];
        const place at{file.string(), "rules[" + std::to_string(i) + "]."};
        if (!n.IsMap()) throw problem(n, at, "expected a map with name, sql and actions");
        only_keys(n, at, {"name", "sql", "sql_version", "enabled", "actions", "description"});
        rule_config r;
        if (!n["name"]) throw problem(n, at, "name: missing");
        r.name = scalar(n["name"], at, "name");
        // AWS rule names: letters, digits and underscores; keeping to that keeps metric
        // labels and log lines unambiguous.
        if (r.name.empty() || r.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
                                  std::string::npos)
            throw problem(n["name"], at, "name: '" + r.name + "' must be letters, digits and _ (as AWS rule names)");
        if (!names.insert(r.name).second) throw problem(n["name"], at, "name: '" + r.name + "' is used twice");
        if (!n["sql"]) throw problem(n, at, "sql: missing");
        r.sql = scalar(n["sql"], at, "sql");
        if (n["sql_version"]) {
            const auto v = scalar(n["sql_version"], at, "sql_version");
            const auto parsed = rules::parse_sql_version(v);
            if (!parsed) throw problem(n["sql_version"], at, "sql_version: '" + v + "' is not 2015-10-08, 2016-03-23 or beta");
            r.version = *parsed;
        }
        if (n["enabled"]) {
            try {
                r.enabled = n["enabled"].as<bool>();
            } catch (const YAML::Exception&) {
                throw problem(n["enabled"], at, "enabled: expected true or false");
            }
        }
        r.origin = file.string() + ":" + std::to_string(n.Mark().line + 1);
        try {
            r.compiled = compile_or_throw(r.sql, r.version,
                                          file.string() + ":" + std::to_string(n["sql"].Mark().line + 1) + ": " +
                                              at.path + "sql");
        } catch (const std::invalid_argument& e) {
            throw std::runtime_error(e.what());
        }
        const auto actions = n["actions"];
        if (!actions || !actions.IsSequence() || actions.size() == 0)
            throw problem(actions ? actions : n, at, "actions: expected a list of at least one action");
        for (std::size_t k = 0; k < actions.size(); ++k)
            r.actions.push_back(parse_action(actions[k], {file.string(), at.path + "actions[" + std::to_string(k) + "]."},
                                             r.name, k, base));
        out.rules.push_back(std::move(r));
    }
    return out;
}

engine_config load_engine_config(const std::filesystem::path& file) {
    YAML::Node root;
    try {
        root = YAML::LoadFile(file.string());
    } catch (const YAML::BadFile&) {
        throw std::runtime_error(file.string() + ": cannot open");
    } catch (const YAML::Exception& e) {
        throw std::runtime_error(file.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    if (!root.IsMap()) throw std::runtime_error(file.string() + ":1: expected a map with `rules:`");
    return parse_engine_config(root["rules"], root["rules_queue"], file);
}

}  // namespace wv::rules_engine
