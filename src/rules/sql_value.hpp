#pragma once
// Internal: AWS IoT SQL values and the standard conversions between their types, as AWS's
// "Data types" page documents them
// (https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-data-types.html#iot-sql-conversions).
// Every operator and function converts through these, so each rule is written once.
//
// Numbers: AWS has Int (34 digits) and Decimal (34 significant digits). Here an Int is a
// JSON integer that fits in int64 and a Decimal is a JSON double; an Int result that
// overflows int64 becomes a Decimal. Under SQL version 2016-03-23 a whole-number Decimal that
// the SQL computes (10.0) is an Int (10), as AWS documents for V2; 2015-10-08 keeps 10.0.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "rules/rule.hpp"

namespace wv::rules {

using value = std::optional<json>;  // nullopt is AWS's Undefined (distinct from JSON null)

// An Int or a Decimal operand.
struct sql_number {
    bool is_int = false;
    std::int64_t i = 0;  // when is_int
    double d = 0;        // always set (i as a double for an Int)
};

// AWS's string-to-Decimal rule: the string must match ^-?\d+(\.\d+)?((?i)E-?\d+)?$.
std::optional<double> parse_sql_decimal(std::string_view s);

// The JSON number as an Int or Decimal; nullopt for anything else (no conversion).
std::optional<sql_number> as_sql_number(const json& j);

// "To Decimal": Int and Decimal as they are, a String that parses (always a Decimal, even
// "5"); Boolean, Array, Object, Null: nullopt.
std::optional<sql_number> to_sql_number(const json& j);

// "To String": Int in standard notation, Decimal possibly in scientific notation, Boolean
// "true"/"false", a String itself, Array and Object serialized to JSON; Null: nullopt.
std::optional<std::string> to_sql_string(const json& j);

// "To Boolean": a Boolean, or the strings "true"/"false" (any case); otherwise nullopt.
std::optional<bool> to_sql_bool(const json& j);

// A computed Decimal: Undefined when not finite (JSON cannot hold NaN or infinities);
// a whole number becomes an Int under 2016-03-23 (see above).
value make_decimal(double d, sql_version v);

// An Int; computed in int64.
inline json make_int(std::int64_t i) { return json(i); }

// The number of Unicode code points in UTF-8 text (AWS counts characters, not bytes).
std::size_t utf8_length(std::string_view s);
// The byte offset of code point `index` (clamped to the end).
std::size_t utf8_offset(std::string_view s, std::size_t index);

}  // namespace wv::rules
