#include "rules/sql_operators.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace wv::rules {

value compare_values(cmp_op op, const json& a, const json& b) {
    int order = 0;  // <0, 0, >0
    const auto na = as_sql_number(a), nb = as_sql_number(b);
    if (na && nb) {
        // Integers compare exactly; mixing with doubles goes through double.
        if (na->is_int && nb->is_int) order = na->i < nb->i ? -1 : na->i > nb->i ? 1 : 0;
        else order = na->d < nb->d ? -1 : na->d > nb->d ? 1 : 0;
    } else if (a.is_string() && b.is_string()) {
        const auto c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
        order = c < 0 ? -1 : c > 0 ? 1 : 0;
    } else if ((a.is_number() && b.is_string()) || (a.is_string() && b.is_number())) {
        const auto x = to_sql_number(a), y = to_sql_number(b);
        if (!x || !y) {
            // A string that is not a number cannot be ordered against one; it is simply unequal.
            if (op == cmp_op::eq) return json(false);
            if (op == cmp_op::ne) return json(true);
            return std::nullopt;
        }
        order = x->d < y->d ? -1 : x->d > y->d ? 1 : 0;
    } else if ((a.is_boolean() && b.is_boolean()) || (a.is_null() && b.is_null()) ||
               (a.is_object() && b.is_object()) || (a.is_array() && b.is_array())) {
        if (op != cmp_op::eq && op != cmp_op::ne) return std::nullopt;
        order = a == b ? 0 : 1;
    } else {
        // Different types that do not convert: = is false and <> true, ordering is Undefined.
        if (op == cmp_op::eq) return json(false);
        if (op == cmp_op::ne) return json(true);
        return std::nullopt;
    }
    switch (op) {
    case cmp_op::eq: return json(order == 0);
    case cmp_op::ne: return json(order != 0);
    case cmp_op::lt: return json(order < 0);
    case cmp_op::le: return json(order <= 0);
    case cmp_op::gt: return json(order > 0);
    case cmp_op::ge: return json(order >= 0);
    }
    return std::nullopt;
}

namespace {

// 15 significant digits: see arithmetic() in the header.
double decimal_digits_15(double d) {
    if (!std::isfinite(d) || d == 0) return d;
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.15g", d);
    return std::strtod(buf, nullptr);
}

// nullopt on int64 overflow (the caller carries on in Decimal). The divisor is not 0.
std::optional<std::int64_t> int_arithmetic(arith_op op, std::int64_t x, std::int64_t y) {
    std::int64_t r = 0;
    switch (op) {
    case arith_op::add: return __builtin_add_overflow(x, y, &r) ? std::nullopt : std::optional(r);
    case arith_op::sub: return __builtin_sub_overflow(x, y, &r) ? std::nullopt : std::optional(r);
    case arith_op::mul: return __builtin_mul_overflow(x, y, &r) ? std::nullopt : std::optional(r);
    case arith_op::div:
    case arith_op::mod:
        if (x == std::numeric_limits<std::int64_t>::min() && y == -1) return std::nullopt;
        return op == arith_op::div ? x / y : x % y;
    }
    return std::nullopt;
}

}  // namespace

value arithmetic(arith_op op, const json& a, const json& b, sql_version v) {
    if (op == arith_op::add && (a.is_string() || b.is_string())) {
        const auto x = to_sql_string(a), y = to_sql_string(b);
        if (!x || !y) return std::nullopt;
        return json(*x + *y);
    }
    // `+` takes Int/Decimal only (its table has no String-as-number row); - * / % also
    // take strings that parse as numbers.
    const auto x = op == arith_op::add ? as_sql_number(a) : to_sql_number(a);
    const auto y = op == arith_op::add ? as_sql_number(b) : to_sql_number(b);
    if (!x || !y) return std::nullopt;
    if ((op == arith_op::div || op == arith_op::mod) && y->d == 0) return std::nullopt;
    if (x->is_int && y->is_int) {
        // On int64 overflow carry on as a Decimal: AWS's Int has 34 digits.
        if (const auto r = int_arithmetic(op, x->i, y->i)) return json(*r);
    }
    double r = 0;
    switch (op) {
    case arith_op::add: r = x->d + y->d; break;
    case arith_op::sub: r = x->d - y->d; break;
    case arith_op::mul: r = x->d * y->d; break;
    case arith_op::div: r = x->d / y->d; break;
    case arith_op::mod: r = std::fmod(x->d, y->d); break;
    }
    return make_decimal(decimal_digits_15(r), v);
}

value negate_value(const json& a, sql_version v) {
    const auto x = to_sql_number(a);
    if (!x) return std::nullopt;
    if (x->is_int && x->i != std::numeric_limits<std::int64_t>::min()) return json(-x->i);
    return make_decimal(-x->d, v);
}

}  // namespace wv::rules
