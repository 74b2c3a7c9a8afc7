#pragma once
// Shared by the operator and function tables: evaluates one SQL expression on one payload.
#include <doctest/doctest.h>

#include <string>

#include "rules/rule.hpp"

namespace wv::rules::test {

// The payload every table row reads (AWS's examples use these shapes).
inline const char* const vector_payload =
    R"({"temperature":50,"t":21.5,"color":"yellow","state":"on","arr":[1,2,3],"arr2":[4,5,6],)"
    R"("up":["HELLO"],"lo":["hello"],"obj":{"a":"b"},"s":"abc","ns":"7","n":null,"value":7,"zero":0,)"
    R"("lat_long":[47.606,-122.332],"lat":47.696,"long":-122.332,"encoded_temp":"eyAidGVtcGVyYXR1cmUiOiAzMyB9Cg=="})";

// The expression's value as JSON text, "undefined" for Undefined, or "error: ..." when the
// statement does not parse.
inline std::string eval_expression(const std::string& expr, sql_version v, const std::string& payload = vector_payload) {
    const auto r = parse_rule("SELECT " + expr + " AS v FROM '#'", v);
    if (!r.ok()) return "error: " + r.error;
    const message m{.topic = "a/b", .payload = payload, .client_id = "c1", .principal = std::nullopt,
                    .timestamp_ms = 1, .trace_id = std::nullopt, .properties = {}};
    const auto out = r.value->evaluate(m);
    if (!out) return "no match";
    if (!out->value.contains("v")) return "undefined";
    return out->value["v"].dump();
}

struct expression_row {
    const char* expr;
    const char* v2;        // the result under 2016-03-23 (JSON text, "undefined", "error: ...")
    const char* v1 = nullptr;  // under 2015-10-08 when it differs (nullptr: the same)
};

inline void check_rows(std::initializer_list<expression_row> rows) {
    for (const auto& r : rows) {
        const std::string expr = r.expr;
        CAPTURE(expr);
        CHECK(eval_expression(expr, sql_version::v2016_03_23) == r.v2);
        CHECK(eval_expression(expr, sql_version::v2015_10_08) == (r.v1 ? r.v1 : r.v2));
    }
}

struct parse_error_row {
    const char* sql;
    std::size_t column;
    const char* message_start;  // the error after "column N: " starts with this
};

inline void check_parse_errors(std::initializer_list<parse_error_row> rows) {
    for (const auto& r : rows) {
        const std::string sql = r.sql;
        CAPTURE(sql);
        const auto p = parse_rule(r.sql, sql_version::v2016_03_23);
        REQUIRE_FALSE(p.ok());
        CHECK(p.error_column == r.column);
        CHECK(p.error.starts_with("column " + std::to_string(r.column) + ": " + r.message_start));
    }
}

}  // namespace wv::rules::test
