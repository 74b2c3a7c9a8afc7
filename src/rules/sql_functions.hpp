#pragma once
// Internal: AWS IoT SQL's built-in functions that read only their arguments (math, strings,
// type tests, newuuid), after AWS's "Functions" page
// (https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-functions.html), and cast().
// The functions that read the message (clientid(), topic(n), encode(*, ...), ...) are
// evaluated in rule.cpp. config/rules/README.md lists them all with the differences from AWS.
//
// AWS's general rule applies throughout: a function called with an argument of a type it
// cannot convert returns Undefined, and an Undefined argument gives an Undefined result
// (except isUndefined, isNull and nanvl, which test for it).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "rules/sql_value.hpp"

namespace wv::rules {

struct builtin_function {
    const char* name;               // as AWS spells it; looked up case-insensitively
    std::uint8_t min_args;
    std::uint8_t max_args;          // any_args: no limit
    sql_version since;              // the first SQL version that has it
    bool sees_undefined;            // false: an Undefined argument is an Undefined result
    value (*eval)(std::span<const value> args, sql_version v);
};
inline constexpr std::uint8_t any_args = 255;

// nullptr when there is no such built-in function.
const builtin_function* find_builtin(std::string_view name);

// Every function the SQL supports, for the unknown-function error: "abs, ceil, ...".
std::string supported_functions();

// cast(value AS type). AWS's type keywords: String, Nvarchar, Text, Ntext, varchar, Int,
// Integer, Double in both versions; Decimal, Bool, Boolean only from 2016-03-23.
enum class cast_type { string, integer, decimal, boolean };
value cast_value(const value& v, cast_type t, sql_version ver);

// 2015-10-08 < 2016-03-23 < beta.
bool version_at_least(sql_version v, sql_version since);

}  // namespace wv::rules
