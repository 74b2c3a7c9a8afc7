#include "rules_engine/topic_rule_payload.hpp"

namespace wv::rules_engine {

namespace {

using json = nlohmann::json;

std::string text_of(const json& o, const char* key) {
    const auto it = o.find(key);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

}  // namespace

std::variant<converted_rule, std::string> from_topic_rule_payload(const std::string& name, const json& payload,
                                                                  const function_resolver& resolve) {
    converted_rule out;
    auto& r = out.rule;
    r.name = name;
    r.origin = "topic rule " + name + " (control plane)";
    r.sql = text_of(payload, "sql");
    if (r.sql.empty()) return "topic rule " + name + ": no sql";
    if (const auto v = text_of(payload, "awsIotSqlVersion"); !v.empty()) {
        const auto parsed = rules::parse_sql_version(v);
        if (!parsed) return "topic rule " + name + ": awsIotSqlVersion " + v + " is not 2015-10-08, 2016-03-23 or beta";
        r.version = *parsed;
    }
    auto compiled = rules::parse_rule(r.sql, r.version);
    if (!compiled.ok()) return "topic rule " + name + ": " + compiled.error;
    r.compiled = std::move(compiled.value);
    r.enabled = !payload.value("ruleDisabled", false);
    const auto actions = payload.find("actions");
    if (actions == payload.end() || !actions->is_array()) return "topic rule " + name + ": actions must be a list";
    for (const auto& a : *actions) {
        if (!a.is_object() || a.size() != 1) {
            out.skipped.push_back("an action that is not one {kind: settings} object");
            continue;
        }
        const std::string kind = a.begin().key();
        const json& body = a.begin().value();
        if (kind == "republish") {
            republish_action_config c;
            c.topic = text_of(body, "topic");
            if (c.topic.empty()) return "topic rule " + name + ": republish needs a topic";
            const auto qos = body.value("qos", 0);
            if (qos != 0 && qos != 1) return "topic rule " + name + ": republish qos must be 0 or 1";
            c.qos = static_cast<std::uint8_t>(qos);
            if (const auto h = body.find("headers"); h != body.end() && h->is_object()) {
                auto& hd = c.headers.emplace();
                hd.payload_format_indicator = text_of(*h, "payloadFormatIndicator");
                hd.content_type = text_of(*h, "contentType");
                hd.response_topic = text_of(*h, "responseTopic");
                hd.correlation_data = text_of(*h, "correlationData");
                hd.message_expiry = text_of(*h, "messageExpiry");
                if (const auto up = h->find("userProperties"); up != h->end() && up->is_array())
                    for (const auto& kv : *up) hd.user_properties.emplace_back(text_of(kv, "key"), text_of(kv, "value"));
            }
            r.actions.emplace_back(std::move(c));
        } else if (kind == "lambda") {
            const auto arn = text_of(body, "functionArn");
            auto spec = resolve && !arn.empty() ? resolve(arn) : std::nullopt;
            if (!spec) {
                out.skipped.push_back("lambda " + (arn.empty() ? std::string("without functionArn") : arn) +
                                      ": no such function on this gateway");
                continue;
            }
            lambda_action_config c;
            c.function = std::move(*spec);
            r.actions.emplace_back(std::move(c));
        } else if (kind == "http") {
            http_action_config c;
            c.url = text_of(body, "url");
            if (c.url.rfind("http://", 0) != 0) return "topic rule " + name + ": http url must be http://... here";
            if (const auto h = body.find("headers"); h != body.end() && h->is_array())
                for (const auto& kv : *h) c.headers[text_of(kv, "key")] = text_of(kv, "value");
            r.actions.emplace_back(std::move(c));
        } else {
            out.skipped.push_back(kind + ": not run by this gateway");
        }
    }
    if (payload.contains("errorAction")) out.skipped.push_back("errorAction: not run by this gateway");
    return out;
}

}  // namespace wv::rules_engine
