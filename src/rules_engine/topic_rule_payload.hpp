#pragma once
// A topic rule as the control-plane API holds it (CreateTopicRule's TopicRulePayload, botocore's
// iot model) turned into the engine's rule_config, without I/O:
//
//   {"sql": "SELECT * FROM 'wv/#'", "awsIotSqlVersion": "2016-03-23", "ruleDisabled": false,
//    "actions": [{"republish": {"topic": "copy/${topic()}", "qos": 1, "roleArn": "..."}},
//                {"lambda": {"functionArn": "arn:aws:lambda:eu-central-1:123456789012:function:decoder"}},
//                {"http": {"url": "http://127.0.0.1:8080/in", "headers": [{"key": "k", "value": "v"}]}}]}
//
// Actions run here: republish (topic template, qos; the role is not checked), lambda (the
// function the resolver finds for the ARN), http (http:// URLs; confirmationUrl and auth are
// not checked). The others AWS offers (s3, dynamoDB, kinesis, sqs, ...) and a lambda whose
// function the resolver does not know are left out and named in `skipped`, with why; the rule
// runs with the actions that remain. errorAction is not run (named in `skipped` too).
//
// Pure; thread-safe.
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "rules_engine/engine_config.hpp"

namespace wv::rules_engine {

// The function a lambda action's ARN names (arn:aws:lambda:<region>:<account>:function:<name>
// [:<qualifier>]); nullopt: not known here.
using function_resolver = std::function<std::optional<backends::backend_spec>(const std::string& function_arn)>;

struct converted_rule {
    rule_config rule;
    std::vector<std::string> skipped;  // "s3: not run by this gateway", "lambda arn:...: no such function here"
};

// The error (a one-line message) when the payload itself is unusable: no sql, SQL that does
// not compile, a republish without a topic, a bad http url.
std::variant<converted_rule, std::string> from_topic_rule_payload(const std::string& name, const nlohmann::json& payload,
                                                                  const function_resolver& resolve);

}  // namespace wv::rules_engine
