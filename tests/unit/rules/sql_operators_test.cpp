// AWS IoT SQL operators: one row per case of AWS's operator tables
// (https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-operators.html), under both
// SQL versions (2016-03-23 turns a whole-number Decimal result into an Int:
// https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-data-types.html).
#include <doctest/doctest.h>

#include "sql_expression_vectors.hpp"

using namespace wv::rules;
using namespace wv::rules::test;

TEST_CASE("+: Int + Int is an Int, with a Decimal a Decimal, with a String a concatenation") {
    check_rows({
        {"2 + 3", "5"},
        {"2.5 + 1", "3.5"},
        {"1.5 + 1.5", "3", "3.0"},                 // V2: a whole-number Decimal is an Int
        {"'a' + 'b'", "\"ab\""},
        {"'1' + '2'", "\"12\""},                  // String + Any: concatenation, not 3
        {"'a' + 1", "\"a1\""},
        {"1 + 'a'", "\"1a\""},                    // Any + String: the left converted
        {"'a' + true", "\"atrue\""},
        {"'t=' + t", "\"t=21.5\""},
        {"'a' + arr", "\"a[1,2,3]\""},            // an Array converts to its JSON
        {"'a' + n", "undefined"},                 // Null does not convert to a String
        {"true + 1", "undefined"},                // Other Value
        {"n + 1", "undefined"},
        {"arr + 1", "undefined"},
        {"missing + 1", "undefined"},             // Undefined propagates
        {"'a' + missing", "undefined"},
        {"0.1 + 0.2", "0.3"},                     // decimal, not binary, arithmetic
        {"9223372036854775807 + 1", "9.22337203685478e+18"},  // past int64: a Decimal
    });
}

TEST_CASE("- * / %: Int op Int is an Int; a Decimal or a numeric String gives a Decimal") {
    check_rows({
        {"7 - 2", "5"},
        {"7 - 2.5", "4.5"},
        {"'7' - 2", "5", "5.0"},                  // "If all strings convert to decimals ... a Decimal"
        {"ns - 2", "5", "5.0"},
        {"'x' - 2", "undefined"},
        {"'5E1' - 1", "49", "49.0"},              // AWS's decimal syntax, exponent included
        {"' 5' - 1", "undefined"},                // ... and nothing else
        {"7 * 3", "21"},
        {"7 * 0.5", "3.5"},
        {"'3' * '2'", "6", "6.0"},
        {"s * 2", "undefined"},
        {"true * 2", "undefined"},
        {"7 / 2", "3"},                           // Int / Int is an Int: truncated
        {"-7 / 2", "-3"},
        {"7.0 / 2", "3.5"},
        {"1 / 3.0", "0.333333333333333"},         // 15 significant digits (AWS: 34)
        {"6 / 3.0", "2", "2.0"},
        {"7 % 3", "1"},
        {"-7 % 3", "-1"},                         // the dividend's sign, as Java's remainder
        {"7.5 % 2", "1.5"},
        {"'8' % 3", "2", "2.0"},
        {"1 / 0", "undefined"},                   // division by zero: Undefined (AWS is silent)
        {"1.5 / 0", "undefined"},
        {"5 % 0", "undefined"},
        {"1 / zero", "undefined"},
        {"n * 2", "undefined"},
        {"missing * 2", "undefined"},
    });
}

TEST_CASE("unary minus, precedence and parentheses") {
    check_rows({
        {"-5", "-5"},
        {"-2.5", "-2.5"},
        {"-t", "-21.5"},
        {"-ns", "-7", "-7.0"},
        {"-s", "undefined"},
        {"-(2 + 3)", "-5"},
        {"2 - -3", "5"},
        {"value-1", "6"},                         // '-' binds as an operator without spaces
        {"2 + 3 * 4", "14"},
        {"(2 + 3) * 4", "20"},
        {"10 - 2 - 3", "5"},                      // left-associative
        {"100 / 10 / 5", "2"},
        {"-2 * 3", "-6"},
        {"2 * 3 % 4", "2"},
        {"1 + 2 = 3", "true"},                    // arithmetic binds tighter than comparison
        {"NOT 1 + 1 = 3", "true"},
        // AWS's SELECT example: (temperature - 32) * 5 / 9 with temperature 50 gives 10.
        {"(temperature - 32) * 5 / 9", "10"},
        // The task's example: Fahrenheit from 21.5 degrees Celsius.
        {"(t * 1.8) + 32", "70.7"},
    });
}

TEST_CASE("arithmetic in WHERE, and AND/OR/NOT take the strings 'true'/'false'") {
    const message m{.topic = "wv/d1", .payload = vector_payload, .client_id = "c1", .principal = std::nullopt,
                    .timestamp_ms = 1, .trace_id = std::nullopt, .properties = {}};
    struct row {
        const char* where;
        bool matches;
    };
    const row rows[] = {
        {"t * 2 > 40", true},
        {"t * 2 > 50", false},
        {"temperature % 2 = 0", true},
        {"(temperature - 32) * 5 / 9 = 10", true},
        {"missing * 2 > 1", false},               // Undefined
        {"'true' AND t > 1", true},               // AWS's AND table: case-insensitive strings
        {"'FALSE' OR t > 1", true},
        {"NOT 'false'", true},
        {"'yes' AND t > 1", false},               // other strings: Undefined
    };
    for (const auto& r : rows) {
        const std::string where = r.where;
        CAPTURE(where);
        const auto p = parse_rule(std::string("SELECT t FROM 'wv/#' WHERE ") + r.where, sql_version::v2016_03_23);
        REQUIRE_MESSAGE(p.ok(), p.error);
        CHECK(p.value->evaluate(m).has_value() == r.matches);
    }
}

TEST_CASE("parse: operators keep the column caret") {
    check_parse_errors({
        {"SELECT temp * FROM 'a'", 15, "expected a value, found keyword FROM"},
        {"SELECT 1 + FROM 'a'", 12, "expected a value, found keyword FROM"},
        {"SELECT a || b FROM 'a'", 10, "operator '|' is not AWS IoT SQL; use concat(a, b) or a + b for strings"},
        {"SELECT + 1 FROM 'a'", 8, "expected a value, found '+'"},
        {"SELECT (1 + 2 FROM 'a'", 15, "expected ')', found 'FROM'"},
    });
    // The statement from the task that used to fail with "expected FROM, found '*'".
    const auto ok = parse_rule("SELECT temp * 2 AS doubled FROM 'wv/+/in'");
    REQUIRE_MESSAGE(ok.ok(), ok.error);
    const auto out = ok.value->evaluate({.topic = "wv/d1/in", .payload = R"({"temp":21})", .client_id = "c",
                                         .principal = std::nullopt, .timestamp_ms = 1, .trace_id = std::nullopt,
                                         .properties = {}});
    REQUIRE(out);
    CHECK(out->value.dump() == R"({"doubled":42})");
}

TEST_CASE("parse: a long operator chain is refused, not a stack overflow") {
    std::string sql = "SELECT 1";
    for (int i = 0; i < 100000; ++i) sql += " + 1";
    const auto r = parse_rule(sql + " FROM 'a'", sql_version::v2016_03_23);
    CHECK(r.error.find("nested too deeply") != std::string::npos);
    std::string neg = "SELECT ";
    for (int i = 0; i < 100000; ++i) neg += "- ";
    CHECK(parse_rule(neg + "1 FROM 'a'", sql_version::v2016_03_23).error.find("nested too deeply") != std::string::npos);
}
