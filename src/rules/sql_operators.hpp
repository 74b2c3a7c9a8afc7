#pragma once
// Internal: AWS IoT SQL's binary and unary operators on values, after AWS's "Operators" page
// (https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-operators.html). Pure.
#include "rules/sql_value.hpp"

namespace wv::rules {

enum class cmp_op { eq, ne, lt, le, gt, ge };
enum class arith_op { add, sub, mul, div, mod };

// = <> < <= > >=: see rule.hpp. Undefined operands are handled by the caller.
value compare_values(cmp_op op, const json& a, const json& b);

// + - * / % on two defined values:
// - `+` concatenates when either side is a String (the other converted to a string; a Null
//   does not convert: Undefined), so '1' + '2' is "12" and 'a' + 1 is "a1";
// - otherwise Int op Int is an Int (division truncates toward zero, % keeps the dividend's
//   sign); with a Decimal, or a String that parses as a number (- * / % only), a Decimal;
// - anything else (Boolean, Null, Array, Object, a String that does not parse) is Undefined,
//   and so is a division or remainder by zero (AWS does not document it; JSON has no NaN).
// Decimal results of + - * / % are rounded to 15 significant digits: AWS computes them in
// 34-digit decimal arithmetic, where 0.1 + 0.2 is 0.3; binary doubles would give
// 0.30000000000000004. 15 digits is what a double holds exactly.
value arithmetic(arith_op op, const json& a, const json& b, sql_version v);

// Unary minus: an Int or Decimal negated, a String that parses as a number as a negated
// Decimal; anything else Undefined. (AWS documents only negative literals.)
value negate_value(const json& a, sql_version v);

}  // namespace wv::rules
