// Topic rules: kept with their TopicRulePayload; the SQL must compile (src/rules).
#include <mutex>

#include "registry/registry.hpp"
#include "registry/registry_state.hpp"
#include "rules/rule.hpp"

namespace wv::registry {
namespace {

status validate_payload(const nlohmann::json& payload) {
    if (!payload.is_object()) return fail(errc::invalid_request, "topicRulePayload must be an object");
    if (!payload.contains("sql") || !payload["sql"].is_string())
        return fail(errc::invalid_request, "topicRulePayload.sql is required");
    if (!payload.contains("actions") || !payload["actions"].is_array())
        return fail(errc::invalid_request, "topicRulePayload.actions is required (a list)");
    rules::sql_version v = rules::sql_version::v2015_10_08;
    if (payload.contains("awsIotSqlVersion")) {
        const auto& s = payload["awsIotSqlVersion"];
        const auto parsed = s.is_string() ? rules::parse_sql_version(s.get<std::string>()) : std::nullopt;
        if (!parsed)
            return fail(errc::invalid_request, "awsIotSqlVersion must be 2015-10-08, 2016-03-23 or beta");
        v = *parsed;
    }
    const auto r = rules::parse_rule(payload["sql"].get<std::string>(), v);
    if (!r.ok()) return fail(errc::sql_parse, r.error);
    return std::nullopt;
}

}  // namespace

status registry::create_topic_rule(const std::string& name, const nlohmann::json& payload) {
    if (!is_valid_name(name, "_")) return fail(errc::invalid_request, "ruleName '" + name + "' must match [a-zA-Z0-9_]+");
    if (auto e = validate_payload(payload)) return e;
    {
        std::unique_lock lock(mu_);
        if (st_->rules.count(name)) return fail(errc::already_exists, "Rule " + name + " already exists");
        topic_rule r{.name = name, .payload = payload, .created_at = now_seconds()};
        if (auto e = commit({put_op(kind::rule, name, r)})) return e;
        st_->rules.emplace(name, std::move(r));
    }
    notify_rules();
    return std::nullopt;
}

status registry::replace_topic_rule(const std::string& name, const nlohmann::json& payload) {
    if (auto e = validate_payload(payload)) return e;
    {
        std::unique_lock lock(mu_);
        const auto it = st_->rules.find(name);
        if (it == st_->rules.end()) return fail(errc::not_found, "Rule " + name + " does not exist");
        topic_rule r = it->second;
        r.payload = payload;
        if (auto e = commit({put_op(kind::rule, name, r)})) return e;
        it->second = std::move(r);
    }
    notify_rules();
    return std::nullopt;
}

outcome<topic_rule> registry::get_topic_rule(const std::string& name) const {
    std::shared_lock lock(mu_);
    const auto it = st_->rules.find(name);
    // AWS answers GetTopicRule for a missing rule with UnauthorizedException; botocore's model
    // lists no ResourceNotFoundException for it. We answer ResourceNotFoundException's message
    // under the type the API maps not_found to for rules (see rules_api.cpp).
    if (it == st_->rules.end()) return fail(errc::not_found, "Rule " + name + " does not exist");
    return it->second;
}

outcome<page<topic_rule>> registry::list_topic_rules(const std::optional<std::string>& topic,
                                                     std::optional<bool> disabled, const page_request& p) const {
    std::shared_lock lock(mu_);
    std::vector<std::string> keys;
    for (const auto& [n, r] : st_->rules) {
        if (disabled && r.disabled() != *disabled) continue;
        if (topic) {
            const auto compiled = rules::parse_rule(r.payload.value("sql", ""));
            if (!compiled.ok() || !rules::rule_topic_matches(compiled.value->topic_filter(), *topic)) continue;
        }
        keys.push_back(n);
    }
    return make_page<std::string>(keys, p, [&](const std::string& k) { return st_->rules.at(k); }, self_text);
}

status registry::delete_topic_rule(const std::string& name) {
    {
        std::unique_lock lock(mu_);
        const auto it = st_->rules.find(name);
        if (it == st_->rules.end()) return fail(errc::not_found, "Rule " + name + " does not exist");
        if (auto e = commit({erase_op(kind::rule, name)})) return e;
        st_->rules.erase(it);
        drop_tags(opts_.acct.arn("rule", name));
    }
    notify_rules();
    return std::nullopt;
}

status registry::set_topic_rule_enabled(const std::string& name, bool enabled) {
    {
        std::unique_lock lock(mu_);
        const auto it = st_->rules.find(name);
        if (it == st_->rules.end()) return fail(errc::not_found, "Rule " + name + " does not exist");
        topic_rule r = it->second;
        r.payload["ruleDisabled"] = !enabled;
        if (auto e = commit({put_op(kind::rule, name, r)})) return e;
        it->second = std::move(r);
    }
    notify_rules();
    return std::nullopt;
}

std::vector<topic_rule> registry::topic_rules() const {
    std::shared_lock lock(mu_);
    std::vector<topic_rule> out;
    for (const auto& [n, r] : st_->rules) out.push_back(r);
    return out;
}

}  // namespace wv::registry
