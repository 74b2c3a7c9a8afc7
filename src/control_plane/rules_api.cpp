// Topic rules: CreateTopicRule, ReplaceTopicRule, GetTopicRule, ListTopicRules,
// DeleteTopicRule, EnableTopicRule, DisableTopicRule. The request body is the
// TopicRulePayload itself (the model's `payload`).
#include "control_plane/routes.hpp"
#include "rules/rule.hpp"

namespace wv::control_plane {
namespace {

using nlohmann::json;
using registry::errc;

// AWS answers a rule that does not exist with UnauthorizedException (401), not
// ResourceNotFoundException: botocore's model lists no not-found error for these operations.
http_response rule_error(const registry::error& e) {
    if (e.code != errc::not_found) return error_response(e);
    return {401, json{{"message", e.message}}.dump(), "UnauthorizedException"};
}

std::string rule_arn(const context& c, const std::string& name) { return c.reg.acct().arn("rule", name); }

http_response create_topic_rule(const context& c, const parsed_request& r, const std::vector<std::string>& v) {
    if (auto e = c.reg.create_topic_rule(v[0], r.body)) return rule_error(*e);
    return empty_response();
}

http_response replace_topic_rule(const context& c, const parsed_request& r, const std::vector<std::string>& v) {
    if (auto e = c.reg.replace_topic_rule(v[0], r.body)) return rule_error(*e);
    return empty_response();
}

http_response get_topic_rule(const context& c, const parsed_request&, const std::vector<std::string>& v) {
    const auto rule = c.reg.get_topic_rule(v[0]);
    if (!rule) return rule_error(rule.err());
    json j = rule.value().payload;
    j["ruleName"] = rule.value().name;
    j["createdAt"] = rule.value().created_at;
    if (!j.contains("ruleDisabled")) j["ruleDisabled"] = false;
    if (!j.contains("awsIotSqlVersion")) j["awsIotSqlVersion"] = "2015-10-08";
    return json_response({{"ruleArn", rule_arn(c, v[0])}, {"rule", j}});
}

http_response list_topic_rules(const context& c, const parsed_request& r, const std::vector<std::string>&) {
    const auto p = token_page(r, 10000);
    if (!p) return error_response(p.err());
    const auto disabled = query_bool(r, "ruleDisabled");
    if (!disabled) return error_response(disabled.err());
    const auto page = c.reg.list_topic_rules(r.q("topic"), disabled.value(), p.value());
    if (!page) return error_response(page.err());
    json items = json::array();
    for (const auto& x : page.value().items) {
        const auto compiled = rules::parse_rule(x.payload.value("sql", ""));
        items.push_back({{"ruleArn", rule_arn(c, x.name)},
                         {"ruleName", x.name},
                         {"topicPattern", compiled.ok() ? compiled.value->topic_filter() : std::string{}},
                         {"createdAt", x.created_at},
                         {"ruleDisabled", x.disabled()}});
    }
    json body{{"rules", items}};
    if (!page.value().next.empty()) body["nextToken"] = page.value().next;
    return json_response(body);
}

http_response delete_topic_rule(const context& c, const parsed_request&, const std::vector<std::string>& v) {
    if (auto e = c.reg.delete_topic_rule(v[0])) return rule_error(*e);
    return empty_response();
}

http_response enable_topic_rule(const context& c, const parsed_request&, const std::vector<std::string>& v) {
    if (auto e = c.reg.set_topic_rule_enabled(v[0], true)) return rule_error(*e);
    return empty_response();
}

http_response disable_topic_rule(const context& c, const parsed_request&, const std::vector<std::string>& v) {
    if (auto e = c.reg.set_topic_rule_enabled(v[0], false)) return rule_error(*e);
    return empty_response();
}

}  // namespace

void add_rules_routes(std::vector<route>& r) {
    r.insert(r.end(), {
        {"GET", "rules", list_topic_rules},
        {"POST", "rules/{}", [](const context& c, const parsed_request& r, const std::vector<std::string>& v) {
             return with_create_tags(c, r, v, create_topic_rule, nullptr);
         }},
        {"PATCH", "rules/{}", replace_topic_rule},
        {"GET", "rules/{}", get_topic_rule},
        {"DELETE", "rules/{}", delete_topic_rule},
        {"POST", "rules/{}/enable", enable_topic_rule},
        {"POST", "rules/{}/disable", disable_topic_rule},
    });
}

}  // namespace wv::control_plane
