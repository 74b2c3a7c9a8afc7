#include <doctest/doctest.h>

#include "rules/rule.hpp"

using namespace wv::rules;

namespace {

rule compile(const std::string& sql) {
    auto r = parse_rule(sql, sql_version::v2016_03_23);
    REQUIRE_MESSAGE(r.ok(), r.error);
    return *r.value;
}

message msg(std::string topic, std::string payload) {
    return {.topic = std::move(topic), .payload = std::move(payload), .client_id = "2453AC035CBCBC9A",
            .principal = "2453AC035CBCBC9A", .timestamp_ms = 1621953222194, .trace_id = std::nullopt, .properties = {}};
}

}  // namespace

TEST_CASE("the Wavelet rule (spec 6.1) produces exactly the decoder Lambda's event") {
    const auto r = compile("SELECT clientid() as client_id, topic() as topic, encode(*, 'base64') as data, "
                           "timestamp() as timestamp FROM 'wv/#'");
    const std::string payload("\x0a\x03\x08\x96\x01\x00\xff", 7);  // protobuf bytes, not JSON
    const auto out = r.evaluate(msg("wv/2453AC035CBCBC9A/1/samp/p1", payload));
    REQUIRE(out);
    CHECK_FALSE(out->raw);
    CHECK(out->value.dump() ==
          R"({"client_id":"2453AC035CBCBC9A","topic":"wv/2453AC035CBCBC9A/1/samp/p1","data":"CgMIlgEA/w==","timestamp":1621953222194})");

    CHECK_FALSE(r.evaluate(msg("/wv/2453AC035CBCBC9A/1/samp/p1", payload)));  // leading '/': empty first level
    CHECK_FALSE(r.evaluate(msg("wv", payload)));                              // '#' needs a level below
    CHECK_FALSE(r.evaluate(msg("xv/1", payload)));
}

TEST_CASE("FROM matching: '+', '#', '$' topics") {
    CHECK(rule_topic_matches("a/+/c", "a/b/c"));
    CHECK(rule_topic_matches("a/+/c", "a//c"));
    CHECK_FALSE(rule_topic_matches("a/+/c", "a/b/c/d"));
    CHECK_FALSE(rule_topic_matches("a/+", "a"));
    CHECK(rule_topic_matches("a/#", "a/b/c"));
    CHECK_FALSE(rule_topic_matches("a/#", "a"));
    CHECK(rule_topic_matches("#", "a"));
    CHECK_FALSE(rule_topic_matches("#", "$aws/things/x"));
    CHECK_FALSE(rule_topic_matches("+/things/x", "$aws/things/x"));
    CHECK(rule_topic_matches("$aws/things/+", "$aws/things/x"));
    CHECK(rule_topic_matches("a/b", "a/b"));
    CHECK_FALSE(rule_topic_matches("a/b", "a/b/"));
}

TEST_CASE("SELECT *, fields, paths, aliases and literals on JSON payloads") {
    const auto r = compile("SELECT *, a.b AS ab, arr[1], 'lit' AS s, 2.5 AS n, missing FROM 't/+'");
    const auto out = r.evaluate(msg("t/1", R"({"x":1,"a":{"b":"deep"},"arr":[10,20]})"));
    REQUIRE(out);
    CHECK(out->value.dump() == R"({"x":1,"a":{"b":"deep"},"arr":20,"ab":"deep","s":"lit","n":2.5})");
}

TEST_CASE("SELECT * passes a non-JSON payload through raw") {
    const auto out = compile("SELECT * FROM 'b/#'").evaluate(msg("b/1", std::string("\x00\x01", 2)));
    REQUIRE(out);
    REQUIRE(out->raw);
    CHECK(*out->raw == std::string("\x00\x01", 2));
}

TEST_CASE("field references into a non-JSON payload are Undefined and left out") {
    const auto out = compile("SELECT a, clientid() AS c FROM 'b/#'").evaluate(msg("b/1", "not json"));
    REQUIRE(out);
    CHECK(out->value.dump() == R"({"c":"2453AC035CBCBC9A"})");
}

TEST_CASE("functions: clientid, topic(n), timestamp, principal, traceid, encode of a value") {
    auto m = msg("wv/AKID/1/samp/p1", R"({"s":"hi","o":{"k":1}})");
    const auto r = compile("SELECT clientid(), topic(1) AS t1, topic(4) AS t4, topic(6) AS t6, timestamp(), principal(), "
                           "traceid(), encode(s, 'base64') AS es, encode(o, 'base64') AS eo FROM '#'");
    auto out = r.evaluate(m);
    REQUIRE(out);
    CHECK(out->value.dump() ==
          R"({"clientid":"2453AC035CBCBC9A","t1":"wv","t4":"samp","timestamp":1621953222194,"principal":"2453AC035CBCBC9A","es":"aGk=","eo":"eyJrIjoxfQ=="})");
    m.client_id.reset();
    m.principal.reset();
    m.trace_id = "6a1f9c2e-7d3b-4c8a-9e5f-0b1c2d3e4f50";
    out = r.evaluate(m);
    CHECK(out->value["clientid"] == "n/a");  // not MQTT
    CHECK_FALSE(out->value.contains("principal"));
    CHECK(out->value["traceid"] == "6a1f9c2e-7d3b-4c8a-9e5f-0b1c2d3e4f50");
}

TEST_CASE("WHERE: comparisons, AND/OR/NOT, parentheses, Undefined is false") {
    const std::string payload = R"({"t":21.5,"n":3,"s":"abc","ns":"10","ok":true,"z":null})";
    struct row {
        const char* where;
        bool matches;
    };
    const row rows[] = {
        {"t > 20", true},
        {"t >= 21.5", true},
        {"t < 21.5", false},
        {"t <= 21.5", true},
        {"n = 3", true},
        {"n = 3.0", true},
        {"n <> 3", false},
        {"n != 4", true},
        {"s = 'abc'", true},
        {"s < 'abd'", true},
        {"ns > 9", true},          // string converted to a number
        {"s > 9", false},          // does not convert: Undefined
        {"s = 9", false},
        {"s <> 9", true},
        {"ok = true", true},
        {"ok", true},
        {"NOT ok", false},
        {"z = NULL", true},
        {"missing = 1", false},    // Undefined
        {"NOT (missing = 1)", false},
        {"missing = 1 OR n = 3", true},
        {"missing = 1 AND n = 3", false},
        {"n = 3 AND (s = 'x' OR t > 1)", true},
        {"NOT n = 3", false},
        {"topic(2) = 'AKID' AND clientid() = '2453AC035CBCBC9A'", true},
        {"topic() = 'wv/AKID/1/samp/p1'", true},
        {"n", false},              // a number is not a boolean
    };
    for (const auto& r : rows) {
        const std::string where = r.where;
        CAPTURE(where);
        const auto rule = compile(std::string("SELECT n FROM 'wv/#' WHERE ") + r.where);
        CHECK(rule.evaluate(msg("wv/AKID/1/samp/p1", payload)).has_value() == r.matches);
    }
    CHECK_FALSE(compile("SELECT * FROM 'wv/#' WHERE a = 1").evaluate(msg("wv/x", "\x01binary")));
}

TEST_CASE("keywords and function names are case-insensitive") {
    const auto r = compile("select CLIENTID() as c from 'a' where TRUE and not false");
    const auto out = r.evaluate(msg("a", "{}"));
    REQUIRE(out);
    CHECK(out->value["c"] == "2453AC035CBCBC9A");
}

TEST_CASE("decode(value, 'base64'): an object for JSON text, a string otherwise, NULL when undecodable") {
    const auto r = compile("SELECT decode(j, 'base64') AS j, decode(t, 'base64') AS t, decode(bad, 'base64') AS bad, "
                           "decode(bin, 'base64') AS bin, decode(n, 'base64') AS n, decode(missing, 'base64') AS m FROM 'x'");
    // j = {"k":1}, t = "hello", bin = 0xff 0xfe
    const auto out = r.evaluate(msg("x", R"({"j":"eyJrIjoxfQ==","t":"aGVsbG8=","bad":"***","bin":"//4=","n":5})"));
    REQUIRE(out);
    CHECK(out->value.dump() == R"({"j":{"k":1},"t":"hello","bad":null,"bin":null,"n":null})");
    // Multi-byte UTF-8 survives; an overlong encoding or a lone surrogate does not.
    const auto u = compile("SELECT decode(a, 'base64') AS a, decode(b, 'base64') AS b, decode(c, 'base64') AS c FROM 'x'")
                       .evaluate(msg("x", R"({"a":"w6nwn5iA","b":"wIA=","c":"7aCA"})"));
    REQUIRE(u);
    CHECK(u->value["a"] == "\xc3\xa9\xf0\x9f\x98\x80");
    CHECK(u->value["b"].is_null());
    CHECK(u->value["c"].is_null());
}

TEST_CASE("MQTT 5 properties: get_user_properties(name), get_user_properties(), get_mqtt_property(name)") {
    auto m = msg("wv/d1", R"({"t":1})");
    m.properties.user_properties = {{"site", "lab-3"}, {"fw", "2.1"}, {"site", "lab-4"}};
    m.properties.payload_format_indicator = 1;
    m.properties.content_type = "application/json";
    m.properties.response_topic = "wv/d1/reply";
    m.properties.correlation_data = std::string("\x00\xff" "c1", 4);
    const auto r = compile("SELECT get_user_properties('site') AS site, get_user_properties('none') AS none, "
                           "get_user_properties() AS all, get_mqtt_property('format_indicator') AS pfi, "
                           "get_mqtt_property('content_type') AS ct, get_mqtt_property('response_topic') AS rt, "
                           "get_mqtt_property('correlation_data') AS cd, get_mqtt_property('bogus') AS b FROM 'wv/#' "
                           "WHERE get_mqtt_property('content_type') = 'application/json'");
    auto out = r.evaluate(m);
    REQUIRE(out);
    CHECK(out->value.dump() ==
          R"({"site":["lab-3","lab-4"],"all":[{"site":"lab-3"},{"fw":"2.1"},{"site":"lab-4"}],"pfi":"UTF8_DATA",)"
          R"("ct":"application/json","rt":"wv/d1/reply","cd":"AP9jMQ=="})");

    // A message without properties (MQTT 3.1.1, HTTPS, or a 5 PUBLISH with none): Undefined,
    // except the format indicator, which is the standard's default.
    auto plain = msg("wv/d1", R"({"t":1})");
    CHECK_FALSE(r.evaluate(plain));  // WHERE on a missing property is Undefined: false
    out = compile("SELECT get_user_properties() AS all, get_user_properties('site') AS site, "
                  "get_mqtt_property('format_indicator') AS pfi, get_mqtt_property('content_type') AS ct, "
                  "get_mqtt_property('correlation_data') AS cd FROM 'wv/#'")
              .evaluate(plain);
    REQUIRE(out);
    CHECK(out->value.dump() == R"({"pfi":"UNSPECIFIED_BYTES"})");
}

TEST_CASE("MQTT 5 property functions: unnamed items take the function's name; AWS's spelling is checked") {
    auto m = msg("wv/d1", "{}");
    m.properties.user_properties = {{"k", "v"}};
    const auto out = compile("SELECT get_user_properties('k'), get_mqtt_property('format_indicator') FROM '#'").evaluate(m);
    REQUIRE(out);
    CHECK(out->value.dump() == R"({"get_user_properties":["v"],"get_mqtt_property":"UNSPECIFIED_BYTES"})");
    const auto bad = parse_rule("SELECT get_user_property('k') AS k FROM '#'", sql_version::v2016_03_23);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error.find("get_user_properties") != std::string::npos);
    CHECK_FALSE(parse_rule("SELECT get_mqtt_property() FROM '#'", sql_version::v2016_03_23).ok());
    CHECK_FALSE(parse_rule("SELECT get_user_properties('a', 'b') FROM '#'", sql_version::v2016_03_23).ok());
}
