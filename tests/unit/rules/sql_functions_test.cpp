// AWS IoT SQL functions: AWS's documented examples, one row each, from
// https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-functions.html (anchor in
// each section's comment), plus Undefined and type-error rows. Array arguments come from
// the payload (arr = [1,2,3], arr2 = [4,5,6], up = ["HELLO"], lo = ["hello"]).
#include <doctest/doctest.h>

#include <regex>

#include "sql_expression_vectors.hpp"

using namespace wv::rules;
using namespace wv::rules::test;

TEST_CASE("math: abs ceil floor round sign mod power sqrt ln log exp trunc") {
    check_rows({
        {"abs(-5)", "5"},                         // #iot-func-abs
        {"abs(-2.5)", "2.5"},
        {"abs('-5.123')", "5.123"},               // #iot-sql-conversions: abs("-5.123")
        {"abs(true)", "undefined"},
        {"abs(arr)", "undefined"},
        {"abs(n)", "undefined"},
        {"abs(missing)", "undefined"},
        {"ceil(1.2)", "2"},                       // #iot-func-ceil
        {"ceil(-1.2)", "-1"},
        {"ceil(5)", "5"},
        {"ceil('1.2')", "2"},
        {"ceil('x')", "undefined"},
        {"floor(1.2)", "1"},                      // #iot-func-floor
        {"floor(-1.2)", "-2"},
        {"round(1.2)", "1"},                      // #iot-func-round
        {"round(1.5)", "2"},
        {"round(1.7)", "2"},
        {"round(-1.1)", "-1"},
        {"round(-1.5)", "-2"},
        {"sign(-7)", "-1"},                       // #iot-func-sign
        {"sign(0)", "0"},
        {"sign(13)", "1"},
        {"sign(-0.5)", "-1"},
        {"mod(8, 3)", "2"},                       // #iot-func-mod
        {"remainder(8, 3)", "2"},                 // #iot-func-remainder
        {"mod(8, 0)", "undefined"},
        {"power(2, 5)", "32", "32.0"},            // #iot-func-power: 32.0 (a Decimal)
        {"power('2', 0.5)", "1.4142135623730951"},
        {"sqrt(9)", "3", "3.0"},                  // #iot-func-sqrt: 3.0
        {"sqrt(-1)", "undefined"},                // not a real number
        {"exp(1)", "2.718281828459045"},          // #iot-func-exp: e
        {"ln(exp(1))", "1", "1.0"},               // #iot-func-nln: ln(e) = 1
        {"ln(0)", "undefined"},
        {"log(100)", "2", "2.0"},                 // #iot-func-log: 2.0
        {"trunc(2.3, 0)", "2"},                   // #iot-func-trunc
        {"trunc(2.3123, 2)", "2.31"},
        {"trunc(2.888, 2)", "2.88"},
        {"trunc(2.00, 5)", "2"},
        {"trunc(7, 2)", "7"},
        {"trunc(-2.777, 1)", "-2.7"},
        {"trunc('2.55', 1)", "2.5"},
        {"trunc(s, 1)", "undefined"},
        {"acos(0)", "1.5707963267948966"},        // #iot-func-acos
        {"atan2(1, 0)", "1.5707963267948966"},    // #iot-func-atan2
        {"cosh(2.3)", "5.037220649268761"},       // #iot-func-cosh
        {"tan(3)", "-0.1425465430742778"},        // #iot-func-tan
        {"bitand(13, 5)", "5"},                   // #iot-func-bitand
        {"bitor(8, 5)", "13"},                    // #iot-func-bitor
        {"bitxor(13, 5)", "8"},                   // #iot-func-xbitor
    });
}

TEST_CASE("strings: lower upper concat substring length trim startswith endswith indexof replace lpad rpad") {
    check_rows({
        {"lower('HELLO')", "\"hello\""},          // #iot-func-lower
        {"lower(up)", R"("[\"hello\"]")"},        // lower(["HELLO"]) = "[\"hello\"]"
        {"upper('hello')", "\"HELLO\""},          // #iot-sql-function-upper
        {"upper(lo)", R"("[\"HELLO\"]")"},
        {"upper(color)", "\"YELLOW\""},
        {"upper(n)", "undefined"},
        {"concat()", "undefined"},                // #iot-func-concat
        {"concat(1)", "\"1\""},
        {"concat(arr, 4)", "[1,2,3,4]"},
        {"concat(arr, 'hello')", R"([1,2,3,"hello"])"},
        {"concat('con', 'cat')", "\"concat\""},
        {"concat(1, 'hello')", "\"1hello\""},
        {"concat('he', 'is', 'man')", "\"heisman\""},
        {"concat(arr, 'hello', arr2)", R"([1,2,3,"hello",4,5,6])"},
        {"concat('a', missing)", "undefined"},
        {"concat('a', n)", "undefined"},
        {"substring('012345', 0)", "\"012345\""}, // #iot-func-substring
        {"substring('012345', 2)", "\"2345\""},
        {"substring('012345', 2.745)", "\"2345\""},
        {"substring(123, 2)", "\"3\""},
        {"substring('012345', -1)", "\"012345\""},
        {"substring(true, 1.2)", "\"rue\""},
        {"substring(false, -2.411E247)", "\"false\""},
        {"substring('012345', 1, 3)", "\"12\""},
        {"substring('012345', -50, 50)", "\"012345\""},
        {"substring('012345', 3, 1)", "\"\""},
        {"substring('h\xc3\xa9llo', 1, 2)", "\"\xc3\xa9\""},  // characters, not bytes
        {"substring('abc', s)", "undefined"},
        {"length('hi')", "2", "error: column 8: length() needs SQL version 2016-03-23 (awsIotSqlVersion); this rule uses 2015-10-08"},
        {"length(false)", "5", "error: column 8: length() needs SQL version 2016-03-23 (awsIotSqlVersion); this rule uses 2015-10-08"},
        {"numbytes('\xe2\x82\xac')", "3", "error: column 8: numbytes() needs SQL version 2016-03-23 (awsIotSqlVersion); this rule uses 2015-10-08"},
        {"trim(' hi ')", "\"hi\""},               // #iot-func-trim
        {"ltrim(' h i ')", "\"h i \""},           // #iot-func-ltrim
        {"rtrim(' h i ')", "\" h i\""},           // #iot-func-rtrim
        {"trim(5)", "\"5\""},
        {"trim(n)", "undefined"},
        {"startswith('ranger', 'ran')", "true"},  // #iot-func-startswith
        {"startswith('ranger', 'x')", "false"},
        {"startswith(n, 'a')", "undefined"},
        {"endswith('cat', 'at')", "true"},        // #iot-func-endswith
        {"endswith(123, 3)", "true"},
        {"indexof('abcd', 'bc')", "1", "error: column 8: indexof() needs SQL version 2016-03-23 (awsIotSqlVersion); this rule uses 2015-10-08"},
        {"indexof('abcd', 'x')", "-1", "error: column 8: indexof() needs SQL version 2016-03-23 (awsIotSqlVersion); this rule uses 2015-10-08"},
        {"replace('abcd', 'bc', 'x')", "\"axd\""},          // #iot-func-replace
        {"replace('abcdabcd', 'b', 'x')", "\"axcdaxcd\""},
        {"replace('abc', n, 'x')", "undefined"},
        {"lpad('hello', 2)", "\"  hello\""},      // #iot-func-lpad
        {"lpad(1, 3)", "\"   1\""},
        {"lpad('a', 2.9)", "\"  a\""},
        {"lpad('a', -4)", "\"a\""},
        {"lpad('a', true)", "undefined"},
        {"rpad('hello', 2)", "\"hello  \""},      // #iot-func-rpad
        {"rpad(1, 3)", "\"1   \""},
        {"length(lpad('a', 5000))", "1001", "error: column 8: length() needs SQL version 2016-03-23 (awsIotSqlVersion); this rule uses 2015-10-08"},
        {"chr(65)", "\"A\""},                     // #iot-func-chr
        {"chr(49)", "\"1\""},
        {"chr(300)", "undefined"},
        {"\"con\" + \"cat\"", "\"concat\""},      // AWS's examples quote strings with "
    });
}

TEST_CASE("isUndefined isNull nanvl get newuuid sql_version") {
    check_rows({
        {"isNull(5)", "false"},                   // #iot-sql-function-isNull
        {"isNull(NULL)", "true"},
        {"isNull(n)", "true"},
        {"isNull(missing)", "false"},
        {"isUndefined(5)", "false", "error: column 8: isUndefined() needs SQL version 2016-03-23 (awsIotSqlVersion); this rule uses 2015-10-08"},
        {"isUndefined(floor(arr))", "true", "error: column 8: isUndefined() needs SQL version 2016-03-23 (awsIotSqlVersion); this rule uses 2015-10-08"},
        {"isUndefined(n)", "false", "error: column 8: isUndefined() needs SQL version 2016-03-23 (awsIotSqlVersion); this rule uses 2015-10-08"},
        {"nanvl(8, 3)", "8"},                     // #iot-func-nanvl
        {"nanvl(missing, 3)", "3"},
        {"nanvl(n, 3)", "3"},
        {"nanvl('x', 3)", "\"x\""},
        {"get(arr, 1)", "2"},                     // #iot-sql-function-get: get(["a","b","c"], 1) = "b"
        {"get(obj, 'a')", "\"b\""},
        {"get('abc', 1)", "\"b\""},               // 0-based, as the table says
        {"get(arr, 3)", "undefined"},
        {"get(arr, -1)", "undefined"},
        {"sql_version()", "\"2016-03-23\"", "\"2015-10-08\""},
    });
    const std::regex uuid("\"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\"");
    const auto a = eval_expression("newuuid()", sql_version::v2016_03_23);
    const auto b = eval_expression("newuuid()", sql_version::v2016_03_23);
    CHECK_MESSAGE(std::regex_match(a, uuid), a);
    CHECK(a != b);
}

TEST_CASE("cast(value AS type)") {
    check_rows({
        {"cast(true AS Int)", "1"},               // #iot-sql-function-cast
        {"cast(false AS Integer)", "0"},
        {"cast(2.7 AS Int)", "2"},                // rounded down
        {"cast(-1.5 AS Int)", "-2"},
        {"cast('5.7' AS Int)", "5"},
        {"cast('x' AS Int)", "undefined"},
        {"cast(arr AS Int)", "undefined"},
        {"cast(n AS Int)", "undefined"},
        {"cast(missing AS Int)", "undefined"},
        {"cast(5 AS Double)", "5", "5.0"},
        {"cast('2.5' AS Double)", "2.5"},
        {"cast(true AS Double)", "1", "1.0"},
        {"cast(12 AS String)", "\"12\""},
        {"cast(2.5 AS varchar)", "\"2.5\""},
        {"cast(true AS Text)", "\"true\""},
        {"cast(obj AS String)", R"("{\"a\":\"b\"}")"},
        {"cast(n AS String)", "undefined"},
        {"cast(10.0 AS Decimal)", "10", "error: column 21: cast(... AS Decimal) needs SQL version 2016-03-23; 2015-10-08 casts only to String, Int or Double"},
        {"cast(1 AS Bool)", "true", "error: column 18: cast(... AS Bool) needs SQL version 2016-03-23; 2015-10-08 casts only to String, Int or Double"},
        {"cast(0.0 AS Boolean)", "false", "error: column 20: cast(... AS Boolean) needs SQL version 2016-03-23; 2015-10-08 casts only to String, Int or Double"},
        {"cast('TRUE' AS Bool)", "true", "error: column 23: cast(... AS Bool) needs SQL version 2016-03-23; 2015-10-08 casts only to String, Int or Double"},
        {"cast('yes' AS Bool)", "undefined", "error: column 22: cast(... AS Bool) needs SQL version 2016-03-23; 2015-10-08 casts only to String, Int or Double"},
        {"cast(1 AS Float)", "error: column 18: expected a cast type (String, Int, Double, Decimal, Bool), found 'Float'",
         "error: column 18: expected a cast type (String, Int, Double), found 'Float'"},
    });
}

TEST_CASE("CASE v WHEN t THEN r ... ELSE e END") {
    check_rows({
        // AWS's example (iot-sql-case.html) on {"color":"yellow"}.
        {"CASE color WHEN 'green' THEN 'go' WHEN 'yellow' THEN 'caution' WHEN 'red' THEN 'stop' "
         "ELSE 'you are not at a stop light' END",
         "\"caution\""},
        {"CASE color WHEN 'green' THEN 'go' ELSE 'other' END", "\"other\""},
        {"CASE color WHEN 'green' THEN 'go' END", "undefined"},   // no match, no ELSE
        {"CASE missing WHEN 'a' THEN 1 ELSE 2 END", "undefined"}, // an Undefined value
        {"CASE temperature WHEN 50.0 THEN 'fifty' END", "\"fifty\""},  // compared with =
        {"CASE true WHEN t > 20 THEN 'hot' ELSE 'ok' END", "\"hot\""},
        {"CASE state WHEN 'on' THEN 1 WHEN 'on' THEN 2 END", "1"},      // the first match
        {"upper(CASE state WHEN 'on' THEN 'x' END) + '!'", "\"X!\""},
    });
}

TEST_CASE("parse: unknown functions, arity, CASE and cast errors") {
    check_parse_errors({
        {"SELECT foo(1) FROM 'a'", 8, "unknown or unsupported function foo(); supported: cast, clientid, "},
        {"SELECT abs(1, 2) FROM 'a'", 8, "abs() takes 1 argument, found 2"},
        {"SELECT substring('a') FROM 'a'", 8, "substring() takes 2 to 3 arguments, found 1"},
        {"SELECT newuuid(1) FROM 'a'", 8, "newuuid() takes 0 arguments, found 1"},
        {"SELECT CASE WHEN a > 1 THEN 1 END FROM 'a'", 13, "AWS's CASE compares one value"},
        {"SELECT CASE a THEN 1 END FROM 'a'", 15, "expected WHEN (CASE needs at least one), found 'THEN'"},
        {"SELECT CASE a WHEN 1 THEN 2 FROM 'a'", 29, "expected END, found 'FROM'"},
        {"SELECT cast(a, Int) FROM 'a'", 14, "expected AS, found ','"},
    });
    const auto unknown = parse_rule("SELECT foo(1) FROM 'a'", sql_version::v2016_03_23).error;
    CHECK(unknown.find("upper") != std::string::npos);
    CHECK(unknown.ends_with("(see config/rules/README.md)"));
}

TEST_CASE("SELECT VALUE: the output is the value itself") {
    const message m{.topic = "a/b", .payload = R"({"color":"red","temperature":50,"value":3})", .client_id = "c1",
                    .principal = std::nullopt, .timestamp_ms = 1, .trace_id = std::nullopt, .properties = {}};
    // AWS's example (iot-sql-select.html): SELECT VALUE color FROM 'a/b' gives "red".
    auto r = parse_rule("SELECT VALUE color FROM 'a/b'");
    REQUIRE_MESSAGE(r.ok(), r.error);
    auto out = r.value->evaluate(m);
    REQUIRE(out);
    CHECK(out->value.dump() == "\"red\"");
    CHECK_FALSE(out->raw);
    r = parse_rule("select value (temperature - 32) * 5 / 9 from 'a/b'");
    REQUIRE_MESSAGE(r.ok(), r.error);
    CHECK(r.value->evaluate(m)->value.dump() == "10");
    // Undefined serializes to an empty string by itself: an empty payload.
    r = parse_rule("SELECT VALUE missing FROM 'a/b'");
    out = r.value->evaluate(m);
    REQUIRE(out);
    REQUIRE(out->raw);
    CHECK(out->raw->empty());
    // "value" stays usable as a field name.
    r = parse_rule("SELECT value, value - 1 AS less FROM 'a/b'");
    REQUIRE_MESSAGE(r.ok(), r.error);
    CHECK(r.value->evaluate(m)->value.dump() == R"({"value":3,"less":2})");
    CHECK(parse_rule("SELECT VALUE a, b FROM 'a/b'").error == "column 15: SELECT VALUE takes exactly one expression");
    CHECK(parse_rule("SELECT VALUE a AS b FROM 'a/b'").error ==
          "column 16: SELECT VALUE gives the value itself: it has no name to set with AS");
}

TEST_CASE("unaliased function items are named after the function") {
    const auto r = parse_rule("SELECT upper(color), abs(-1), (1 + 1) FROM 'a/b'");
    REQUIRE_MESSAGE(r.ok(), r.error);
    const auto out = r.value->evaluate({.topic = "a/b", .payload = R"({"color":"red"})", .client_id = "c",
                                        .principal = std::nullopt, .timestamp_ms = 1, .trace_id = std::nullopt,
                                        .properties = {}});
    REQUIRE(out);
    CHECK(out->value.dump() == R"({"upper":"RED","abs":1,"_3":2})");
}

TEST_CASE("JSON literals (V2), member access on any value, hashing") {
    const char* v1_literal = "error: column 8: JSON literals ([...], {...}) need SQL version 2016-03-23 (awsIotSqlVersion); "
                             "this rule uses 2015-10-08";
    check_rows({
        // AWS's "Literals" page examples.
        {"{'latitude': get(lat_long, 0),'longitude':get(lat_long, 1)}", R"({"latitude":47.606,"longitude":-122.332})",
         v1_literal},
        {"[lat,long]", "[47.696,-122.332]", v1_literal},
        {"[]", "[]", v1_literal},
        {"{\"k\": missing, 'j': 1}", R"({"j":1})", v1_literal},    // an Undefined member is left out
        {"[1, missing]", "[1,null]", v1_literal},                   // an Undefined item is null (ours)
        {"[1, 2][1]", "2", v1_literal},
        // AWS's decode example: {"temperature": 33} in base64, then .temperature.
        {"decode(encoded_temp, \"base64\").temperature", "33"},
        {"decode(encoded_temp, 'base64').missing", "undefined"},
        {"(obj).a", "\"b\""},
        {"md5('hello')", "\"5d41402abc4b2a76b9719d911017c592\""},      // #iot-sql-function-hash
        {"sha256('hello')", "\"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\""},
        {"sha1(5)", "\"ac3478d69a3c81fa62e60f5c3696165a4e5e6ac4\""},
        {"md5(n)", "undefined"},
    });
}
