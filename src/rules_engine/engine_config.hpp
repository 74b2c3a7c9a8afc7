#pragma once
// Topic rules as config describes them (config/rules/README.md): typed once at start-up, so
// nothing below the engine's constructor reads YAML.
//
//   rules:
//     - name: wavelet_decoder
//       sql: >-
//         SELECT clientid() AS client_id, topic() AS topic, encode(*, 'base64') AS data,
//                timestamp() AS timestamp FROM 'wv/#'
//       sql_version: "2016-03-23"          # default 2015-10-08, as AWS's API
//       enabled: true                      # default true
//       actions:
//         - validate: {decoder: "python:../decoders/ayyeka_decoder.py", timeout_ms: 5000,
//                      output_from_log: "Lambda Output:"}
//         - lambda:   {backend: lambda, url: "http://127.0.0.1:9001", function: decoder}
//         - lambda:   {functionArn: "arn:aws:lambda:us-east-1:123456789012:function:decoder"}
//         - republish: {topic: "decoded/${clientid()}", qos: 0}
//         - file:     {path: wavelet.jsonl}
//         - http:     {url: "http://127.0.0.1:8080/ingest", timeout_ms: 3000}
//   rules_queue: {max: 10000, threads: 1}  # optional: actions waiting/in flight; worker threads
//
// A function (the `lambda` action's target, the `validate` action's decoder) is any
// authorizer-style backend (src/functions/backend_spec.hpp): a map with
// `backend: lambda | handler` and that backend's keys (`name` is optional), or the shorthand
// "python:FILE[:FUNCTION]" / "node:FILE[:FUNCTION]" for a local handler with 2 workers; or a
// function named once in the gateway's `functions:` section, by name or ARN: `lambda: NAME`,
// `lambda: {functionArn: ARN}` (AWS's shape), `validate: {decoder: NAME}`. The engine resolves
// names through engine_hooks::functions, so a rule and an authorizer naming one function share it.
//
// Errors: std::runtime_error "<file>:<line>: rules[i].<key>: <problem>"; bad SQL names the
// column inside the statement and shows it with a caret. Relative paths resolve against the
// config file's folder. Nothing is opened or started here (the engine does that).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "functions/backend_spec.hpp"
#include "rules/rule.hpp"

namespace YAML {
class Node;
}

namespace wv::rules_engine {

// A named function an action calls: a name in the gateway's `functions:` section or its ARN
// arn:aws:lambda:<region>:<account>:function:<name> (functions/function_registry.hpp). Empty:
// the action's own inline function (a backend map or python:FILE), started for it alone.
struct function_ref {
    std::string name_or_arn{};
    std::string origin{};  // "wvgate.yaml:12: rules[0].actions[1].lambda.functionArn", for messages
    bool timeout_from_function = true;  // no timeout_ms on the action: the function's own timeout
    bool empty() const noexcept { return name_or_arn.empty(); }
};

// AWS invokes the Lambda action asynchronously with the SELECT output as the event.
struct lambda_action_config {
    backends::backend_spec function{};         // inline (when `ref` is empty)
    function_ref ref{};                        // AWS's {functionArn: ...}, or a name
    std::chrono::milliseconds timeout{30000};  // per invocation; late replies count as failures
};

// Publishes the SELECT output (JSON, or the raw bytes of a `SELECT *` on a binary payload)
// back through the gateway. The topic is a substitution template: ${expr} is any SQL
// expression of the rule's dialect evaluated on the incoming message (topic(), topic(2),
// clientid(), principal(), timestamp(), a payload field); Undefined substitutes "".
// MQTT 5 headers of the republished message, AWS's republish `headers` (each value a
// substitution template, like the topic; empty: not set): payloadFormatIndicator
// (UNSPECIFIED_BYTES or UTF8_DATA), contentType, responseTopic, correlationData (base64),
// messageExpiry (seconds), userProperties [{key, value}]. A 5 subscriber gets them as the
// PUBLISH's properties; a message republished without headers carries none.
struct republish_headers {
    std::string payload_format_indicator{};
    std::string content_type{};
    std::string response_topic{};
    std::string correlation_data{};
    std::string message_expiry{};
    std::vector<std::pair<std::string, std::string>> user_properties{};
};

struct republish_action_config {
    std::string topic{};
    std::uint8_t qos = 0;
    std::optional<republish_headers> headers{};
};

// Appends one JSON line per matched message: the SELECT output, or {"base64": "..."} for a
// raw `SELECT *` of a binary payload.
struct file_action_config {
    std::filesystem::path path{};
};

// POSTs the SELECT output as application/json; keep-alive connections, a deadline per request
// (connect + write + read). A 2xx status is success. http:// only.
struct http_action_config {
    std::string url{};
    std::chrono::milliseconds timeout{3000};
    std::size_t connections = 2;                   // parallel keep-alive connections
    std::map<std::string, std::string> headers{};  // extra request headers
};

// Runs the user's decoder and the reference decoder (payload::lambda_result_for_event) on the
// same event and compares them (json_compare.hpp).
struct validate_action_config {
    backends::backend_spec decoder{};  // inline (when `decoder_ref` is empty)
    function_ref decoder_ref{};        // `decoder: NAME` or its ARN
    std::chrono::milliseconds timeout{5000};
    double float_tolerance = 1e-6;  // relative
    // JSON pointers compared; the rest of the results is ignored. The default skips the
    // thingMetadata fields the reference cannot know (registry lookups, ...).
    std::vector<std::string> compare{"/data_samples", "/thingMetadata/mqtt_clientid"};
    std::size_t max_logged_mismatches = 8;  // field mismatches detailed per message in the log
    // A decoder that returns nothing (None/undefined/null) may log its output instead, as decoder
    // Lambdas that write their result to CloudWatch do (logged_output.hpp). YAML
    // `output_from_log`: `last_json` or true (default: the last JSON object the call logged,
    // other than its event), a marker text such as "Lambda Output:" (the JSON after it on the
    // last line holding it), `off` or false (the return value only).
    enum class log_output { off, last_json, marker };
    log_output output_from_log = log_output::last_json;
    std::string output_marker{};
};

using action_config = std::variant<lambda_action_config, republish_action_config, file_action_config,
                                   http_action_config, validate_action_config>;

const char* action_kind(const action_config& a) noexcept;  // "lambda", "republish", ...

struct rule_config {
    std::string name{};
    std::string sql{};
    rules::sql_version version = rules::sql_version::v2015_10_08;
    bool enabled = true;
    std::vector<action_config> actions{};
    std::optional<rules::rule> compiled{};  // set by the parser; the engine compiles it when absent
    std::string origin{};                   // "rules.yaml:12", for messages
};

struct engine_config {
    std::vector<rule_config> rules{};
    std::size_t max_queue = 10000;  // actions queued or in flight before new ones are dropped
    std::size_t threads = 1;        // the engine's worker threads
};

// `rules` is the `rules:` sequence; `queue` the optional `rules_queue:` map (may be null);
// `file` names the config in errors and is the base of relative paths.
engine_config parse_engine_config(const YAML::Node& rules, const YAML::Node& queue,
                                  const std::filesystem::path& file);

// A file whose top level has `rules:` (and optionally `rules_queue:`); other keys are ignored
// so the section can live inside wvgate's own config.
engine_config load_engine_config(const std::filesystem::path& file);

// Compiles `sql`; throws std::invalid_argument "<where>: column C: <problem>" followed by the
// statement and a caret under the column.
rules::rule compile_or_throw(const std::string& sql, rules::sql_version v, const std::string& where);

}  // namespace wv::rules_engine
