#pragma once
// AWS IoT SQL, the subset decoder pipelines use (spec 6), compiled once and evaluated per
// message:
//
//   SELECT clientid() AS client_id, topic() AS topic, encode(*, 'base64') AS data,
//          timestamp() AS timestamp FROM 'wv/#' WHERE topic(4) = 'samp'
//
// Grammar (keywords and function names case-insensitive):
//   rule     := SELECT item (',' item)* FROM '<topic filter>' [WHERE expr]
//   item     := '*' | expr [AS name]
//   expr     := or;  or := and (OR and)*;  and := not (AND not)*;  not := NOT not | cmp
//   cmp      := primary [('=' | '<>' | '!=' | '<' | '<=' | '>' | '>=') primary]
//   primary  := '(' expr ')' | 'string' | number | TRUE | FALSE | NULL | path | call
//   path     := name ('.' name | '[' int ']')*          -- a JSON path into the payload
//   call     := clientid() | topic() | topic(n) | timestamp() | principal() | traceid()
//             | encode(* | expr, 'base64') | decode(expr, 'base64')
//             | get_user_properties() | get_user_properties(expr) | get_mqtt_property(expr)
// Strings are single-quoted; a quote inside is doubled ('it''s').
//
// Semantics, as AWS documents them:
// - FROM: `+` is one level, `#` one or more trailing levels (it does not match the parent:
//   'wv/#' does not match 'wv'); a leading '/' makes an empty first level; a wildcard in the
//   first level does not match topics starting with '$'.
// - WHERE runs before SELECT and cannot see aliases; the actions run only when it is true.
// - Undefined is not NULL: a path into a non-JSON payload, a missing field, topic(n) past the
//   last level, traceid() with no trace, principal() with none set, ordering values that do
//   not convert. An Undefined SELECT item is left out of the result; an Undefined
//   WHERE is false.
// - Comparisons: numbers numerically; strings byte-wise; a string against a number is
//   converted to a number when it parses as one (AWS's Decimal conversion). Values that do
//   not convert, or of different types, are unequal (= false, <> true) and unordered
//   (<, <=, >, >= Undefined).
// - encode(*, 'base64') encodes the raw payload bytes whether or not they are JSON; it needs
//   SQL version 2016-03-23 and is refused under 2015-10-08 (AWS's default when
//   awsIotSqlVersion is omitted). Only 'base64' is supported, as in AWS.
// - decode(value, 'base64') gives an object when the decoded text is a JSON object, else the
//   text as a string; NULL when the value is not a string, not base64, or not UTF-8 text
//   (JSON strings cannot hold arbitrary bytes).
// - SELECT * on a JSON object payload merges its members into the result; on a payload
//   that is not a JSON object the result carries the raw bytes (republish-style actions),
//   and any other items are dropped, as AWS passes binary payloads through unchanged.
// - MQTT 5 properties of the message (AWS's functions for them): get_user_properties('k') is
//   the array of the values of every User Property named k, in the order sent (MQTT 5 allows a
//   name more than once), Undefined when there is none; get_user_properties() is every User
//   Property as an array of one-member objects [{"k":"v"}, ...], Undefined when none.
//   get_mqtt_property(name): 'format_indicator' is "UTF8_DATA" for Payload Format Indicator 1,
//   else "UNSPECIFIED_BYTES" (the standard's meaning of 0 and of no indicator);
//   'content_type' and 'response_topic' the strings; 'correlation_data' the bytes in base64;
//   Undefined when the message has no such property or for another name. A message from an
//   MQTT 3.1.1 client or over HTTPS has none.
// - Unnamed items are named after the path's last segment, or the function's name
//   (clientid(), topic() -> "clientid", "topic"), any other expression "_<position>" (1-based);
//   AWS does not document the names it picks for unaliased function calls, so alias them.
//
// Errors: parse_rule() never throws; a bad statement is refused with the 1-based column of
// the offending character. Pure; a compiled rule is immutable and may be evaluated from any
// number of threads at once.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace wv::rules {

using json = nlohmann::ordered_json;  // keeps SELECT order in the output

enum class sql_version { v2015_10_08, v2016_03_23, beta };
// "2015-10-08", "2016-03-23", "beta"; nullopt otherwise.
std::optional<sql_version> parse_sql_version(std::string_view s);
const char* to_string(sql_version v) noexcept;

// The MQTT 5 PUBLISH properties a rule can read (get_user_properties(), get_mqtt_property()).
struct mqtt5_properties {
    std::optional<std::uint32_t> payload_format_indicator;
    std::optional<std::string> content_type;
    std::optional<std::string> response_topic;
    std::optional<std::string> correlation_data;                       // raw bytes
    std::vector<std::pair<std::string, std::string>> user_properties;  // in the order sent
};

// AWS's names for the Payload Format Indicator (the republish action's `headers`, HTTPS
// publish's x-amz-mqtt5-payload-format-indicator): UNSPECIFIED_BYTES 0, UTF8_DATA 1; nullopt
// for any other text.
std::optional<std::uint32_t> payload_format_indicator_named(std::string_view aws_name) noexcept;

struct message {
    std::string topic;
    std::string payload;                       // raw bytes
    std::optional<std::string> client_id;      // absent: not MQTT (clientid() is "n/a")
    std::optional<std::string> principal;      // principal() (for custom auth: the principalId)
    std::int64_t timestamp_ms = 0;             // timestamp(): when the rules engine saw it
    std::optional<std::string> trace_id;       // traceid()
    mqtt5_properties properties;               // empty for MQTT 3.1.1 publishers
    std::uint32_t republish_hops = 0;          // republish actions it came through (0: a device's)
};

struct rule_output {
    json value = json::object();               // the SELECT result (a JSON object)
    std::optional<std::string> raw;            // SELECT * of a non-JSON payload: the bytes
};

struct compiled_rule;  // opaque

class rule {
public:
    rule(const rule&) = default;
    rule& operator=(const rule&) = default;
    const std::string& sql() const;
    sql_version version() const;
    const std::string& topic_filter() const;   // the FROM filter, unquoted

    // nullopt when FROM or WHERE does not match.
    std::optional<rule_output> evaluate(const message& m) const;

private:
    friend struct rule_parse_result parse_rule(std::string_view, sql_version);
    explicit rule(std::shared_ptr<const compiled_rule> c) : c_(std::move(c)) {}
    std::shared_ptr<const compiled_rule> c_;
};

struct rule_parse_result {
    std::optional<rule> value;
    std::size_t error_column = 0;   // 1-based, when !value
    std::string error;              // "column 8: expected FROM, found 'FORM'"
    bool ok() const { return value.has_value(); }
};

// AWS's default version when a rule omits awsIotSqlVersion is 2015-10-08.
rule_parse_result parse_rule(std::string_view sql, sql_version version = sql_version::v2015_10_08);

// AWS rule FROM matching, described above. Exposed for tests and the gateway's routing.
bool rule_topic_matches(std::string_view filter, std::string_view topic);

}  // namespace wv::rules
