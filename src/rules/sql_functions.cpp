// AWS IoT SQL built-in functions. Each comment names AWS's documented behaviour; where the
// documentation is silent the choice is marked "(ours)" and listed in config/rules/README.md.
// Reference: https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-functions.html
#include "rules/sql_functions.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>

#include <openssl/evp.h>

#include "rules/sql_operators.hpp"
#include "util/hex.hpp"

namespace wv::rules {

bool version_at_least(sql_version v, sql_version since) {
    auto rank = [](sql_version x) { return x == sql_version::v2015_10_08 ? 0 : x == sql_version::v2016_03_23 ? 1 : 2; };
    return rank(v) >= rank(since);
}

namespace {

using fn_args = std::span<const value>;
constexpr auto fn_v1 = sql_version::v2015_10_08;
constexpr auto fn_v2 = sql_version::v2016_03_23;

// A whole double as an Int (a Decimal past int64's range stays a Decimal).
json fn_whole_number(double d) {
    constexpr double int_limit = 9223372036854775808.0;
    if (d > -int_limit && d < int_limit) return json(static_cast<std::int64_t>(d));
    return json(d);
}

std::optional<sql_number> fn_number(const value& a) { return a ? to_sql_number(*a) : std::nullopt; }
std::optional<std::string> fn_string(const value& a) { return a ? to_sql_string(*a) : std::nullopt; }

// An Int argument "rounded down to the nearest Int" (lpad, substring, bit functions), clamped.
std::optional<double> fn_floor_arg(const value& a) {
    const auto n = fn_number(a);
    if (!n) return std::nullopt;
    return n->is_int ? static_cast<double>(n->i) : std::floor(n->d);
}

// Int -> Int, Decimal -> Int rounded by `how`, String -> converted first.
value fn_to_int_with(const value& a, double (*how)(double)) {
    const auto n = fn_number(a);
    if (!n) return std::nullopt;
    if (n->is_int) return json(n->i);
    return fn_whole_number(how(n->d));
}

// A double-precision function: Int, Decimal or a numeric String in, Decimal out; a result
// that is not a real number (sqrt(-1), ln(0)) is Undefined (ours: JSON has no NaN).
value fn_double(const value& a, double (*f)(double), sql_version v) {
    const auto n = fn_number(a);
    if (!n) return std::nullopt;
    return make_decimal(f(n->d), v);
}

value fn_abs(fn_args a, sql_version v) {
    const auto n = fn_number(a[0]);
    if (!n) return std::nullopt;
    // abs(Int) is an Int, abs(Decimal) and abs(String) a Decimal.
    if (n->is_int && n->i != std::numeric_limits<std::int64_t>::min()) return json(n->i < 0 ? -n->i : n->i);
    return make_decimal(std::fabs(n->d), v);
}
value fn_ceil(fn_args a, sql_version) { return fn_to_int_with(a[0], [](double d) { return std::ceil(d); }); }
value fn_floor(fn_args a, sql_version) { return fn_to_int_with(a[0], [](double d) { return std::floor(d); }); }
// round(1.5) = 2, round(-1.5) = -2, round(-1.1) = -1: half away from zero.
value fn_round(fn_args a, sql_version) { return fn_to_int_with(a[0], [](double d) { return std::round(d); }); }
value fn_sign(fn_args a, sql_version) {
    const auto n = fn_number(a[0]);
    if (!n) return std::nullopt;
    return json(std::int64_t{n->d > 0 ? 1 : n->d < 0 ? -1 : 0});
}
// mod(8, 3) = 2; the same as the % operator (and remainder()).
value fn_mod(fn_args a, sql_version v) { return arithmetic(arith_op::mod, *a[0], *a[1], v); }
value fn_power(fn_args a, sql_version v) {
    const auto x = fn_number(a[0]), y = fn_number(a[1]);
    if (!x || !y) return std::nullopt;
    return make_decimal(std::pow(x->d, y->d), v);
}
value fn_sqrt(fn_args a, sql_version v) { return fn_double(a[0], [](double d) { return std::sqrt(d); }, v); }
value fn_ln(fn_args a, sql_version v) { return fn_double(a[0], [](double d) { return std::log(d); }, v); }
value fn_log(fn_args a, sql_version v) { return fn_double(a[0], [](double d) { return std::log10(d); }, v); }
value fn_exp(fn_args a, sql_version v) { return fn_double(a[0], [](double d) { return std::exp(d); }, v); }
value fn_sin(fn_args a, sql_version v) { return fn_double(a[0], [](double d) { return std::sin(d); }, v); }
value fn_cos(fn_args a, sql_version v) { return fn_double(a[0], [](double d) { return std::cos(d); }, v); }
value fn_tan(fn_args a, sql_version v) { return fn_double(a[0], [](double d) { return std::tan(d); }, v); }
value fn_asin(fn_args a, sql_version v) { return fn_double(a[0], [](double d) { return std::asin(d); }, v); }
value fn_acos(fn_args a, sql_version v) { return fn_double(a[0], [](double d) { return std::acos(d); }, v); }
value fn_atan(fn_args a, sql_version v) { return fn_double(a[0], [](double d) { return std::atan(d); }, v); }
value fn_sinh(fn_args a, sql_version v) { return fn_double(a[0], [](double d) { return std::sinh(d); }, v); }
value fn_cosh(fn_args a, sql_version v) { return fn_double(a[0], [](double d) { return std::cosh(d); }, v); }
value fn_tanh(fn_args a, sql_version v) { return fn_double(a[0], [](double d) { return std::tanh(d); }, v); }
value fn_atan2(fn_args a, sql_version v) {
    const auto y = fn_number(a[0]), x = fn_number(a[1]);
    if (!y || !x) return std::nullopt;
    return make_decimal(std::atan2(y->d, x->d), v);  // atan2(1, 0) = 1.5707963267948966
}

// trunc(2.3123, 2) = 2.31, trunc(2.888, 2) = 2.88, trunc(2.00, 5) = 2: cut the decimal
// digits as written (the shortest text that round-trips), not by scaling a binary double,
// which would make 2.888 * 100 = 288.79999. Places clamp to 0..34; trailing zeros go.
value fn_trunc(fn_args a, sql_version) {
    const auto x = fn_number(a[0]);
    const auto places = a[1] ? as_sql_number(*a[1]) : std::nullopt;
    if (!x || !places) return std::nullopt;
    if (x->is_int) return json(x->i);
    const double p = places->is_int ? static_cast<double>(places->i) : std::floor(places->d);
    const auto keep = static_cast<std::size_t>(std::clamp(p, 0.0, 34.0));
    char buf[400];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x->d, std::chars_format::fixed);
    if (ec != std::errc{}) return std::nullopt;
    std::string s(buf, end);
    if (const auto dot = s.find('.'); dot != std::string::npos) {
        s.resize(std::min(s.size(), dot + 1 + keep));
        while (s.back() == '0') s.pop_back();
        if (s.back() == '.') s.pop_back();
    }
    const auto d = parse_sql_decimal(s);
    if (!d) return std::nullopt;
    if (s.find('.') == std::string::npos) return fn_whole_number(*d);
    return json(*d);
}

// ---- strings: non-String arguments go through the standard conversion ("To String").

char fn_ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
char fn_ascii_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

// lower("HELLO") = "hello"; lower(["HELLO"]) = "[\"hello\"]". ASCII letters only (ours).
value fn_lower(fn_args a, sql_version) {
    auto s = fn_string(a[0]);
    if (!s) return std::nullopt;
    std::transform(s->begin(), s->end(), s->begin(), fn_ascii_lower);
    return json(*s);
}
value fn_upper(fn_args a, sql_version) {
    auto s = fn_string(a[0]);
    if (!s) return std::nullopt;
    std::transform(s->begin(), s->end(), s->begin(), fn_ascii_upper);
    return json(*s);
}

// concat() = Undefined; concat(1) = "1"; concat([1,2,3], 4) = [1,2,3,4];
// concat([1,2,3], "hello", [4,5,6]) = [1,2,3,"hello",4,5,6]; concat(1, "hello") = "1hello".
// With no String and no Array (concat(1, 2)) AWS is silent: "12" (ours).
value fn_concat(fn_args a, sql_version) {
    if (a.empty()) return std::nullopt;
    if (std::any_of(a.begin(), a.end(), [](const value& x) { return x && x->is_array(); })) {
        json out = json::array();
        for (const auto& x : a) {
            if (x->is_array()) out.insert(out.end(), x->begin(), x->end());
            else out.push_back(*x);
        }
        return out;
    }
    std::string out;
    for (const auto& x : a) {
        const auto s = to_sql_string(*x);
        if (!s) return std::nullopt;
        out += *s;
    }
    return json(out);
}

// substring("012345", 2) = "2345"; substring("012345", 2.745) = "2345";
// substring(123, 2) = "3"; substring(true, 1.2) = "rue"; substring("012345", 1, 3) = "12";
// substring("012345", -50, 50) = "012345"; substring("012345", 3, 1) = "". Indices count
// characters (Unicode code points; AWS, in Java, counts UTF-16 units: they differ only past
// U+FFFF).
value fn_substring(fn_args a, sql_version) {
    const auto s = fn_string(a[0]);
    const auto from = fn_floor_arg(a[1]);
    if (!s || !from) return std::nullopt;
    const auto len = static_cast<double>(utf8_length(*s));
    const auto start = static_cast<std::size_t>(std::clamp(*from, 0.0, len));
    auto stop = static_cast<std::size_t>(len);
    if (a.size() == 3) {
        const auto to = fn_floor_arg(a[2]);
        if (!to) return std::nullopt;
        stop = static_cast<std::size_t>(std::clamp(*to, 0.0, len));
    }
    if (stop <= start) return json("");
    const auto b = utf8_offset(*s, start), e = utf8_offset(*s, stop);
    return json(s->substr(b, e - b));
}

// length("hi") = 2; length(false) = 5 (characters).
value fn_length(fn_args a, sql_version) {
    const auto s = fn_string(a[0]);
    if (!s) return std::nullopt;
    return json(static_cast<std::int64_t>(utf8_length(*s)));
}
// numbytes("hi") = 2; numbytes("€") = 3 (UTF-8 bytes).
value fn_numbytes(fn_args a, sql_version) {
    const auto s = fn_string(a[0]);
    if (!s) return std::nullopt;
    return json(static_cast<std::int64_t>(s->size()));
}

// AWS: ltrim/rtrim remove "tabs and spaces", trim "white space"; here all three remove
// spaces, tabs, CR and LF (ours: a trailing newline is what users trim most).
constexpr std::string_view fn_blanks = " \t\r\n";
value fn_trim_sides(const value& a, bool left, bool right) {
    auto s = fn_string(a);
    if (!s) return std::nullopt;
    if (right) s->erase(s->find_last_not_of(fn_blanks) + 1);
    if (left) s->erase(0, std::min(s->size(), s->find_first_not_of(fn_blanks)));
    return json(*s);
}
value fn_trim(fn_args a, sql_version) { return fn_trim_sides(a[0], true, true); }   // trim(" hi ") = "hi"
value fn_ltrim(fn_args a, sql_version) { return fn_trim_sides(a[0], true, false); } // ltrim(" h i ") = "h i "
value fn_rtrim(fn_args a, sql_version) { return fn_trim_sides(a[0], false, true); } // rtrim(" h i ") = " h i"

// startswith("ranger", "ran") = true; endswith("cat", "at") = true.
value fn_startswith(fn_args a, sql_version) {
    const auto s = fn_string(a[0]), p = fn_string(a[1]);
    if (!s || !p) return std::nullopt;
    return json(s->starts_with(*p));
}
value fn_endswith(fn_args a, sql_version) {
    const auto s = fn_string(a[0]), p = fn_string(a[1]);
    if (!s || !p) return std::nullopt;
    return json(s->ends_with(*p));
}
// indexof("abcd", "bc") = 1; -1 when absent (ours, as Java's indexOf); in characters.
value fn_indexof(fn_args a, sql_version) {
    const auto s = fn_string(a[0]), p = fn_string(a[1]);
    if (!s || !p) return std::nullopt;
    const auto at = s->find(*p);
    if (at == std::string::npos) return json(std::int64_t{-1});
    return json(static_cast<std::int64_t>(utf8_length(std::string_view(*s).substr(0, at))));
}
// replace("abcdabcd", "b", "x") = "axcdaxcd"; an empty search string changes nothing (ours).
value fn_replace(fn_args a, sql_version) {
    const auto s = fn_string(a[0]), from = fn_string(a[1]), to = fn_string(a[2]);
    if (!s || !from || !to) return std::nullopt;
    if (from->empty()) return json(*s);
    std::string out;
    std::size_t at = 0;
    for (auto hit = s->find(*from); hit != std::string::npos; hit = s->find(*from, at)) {
        out.append(*s, at, hit - at).append(*to);
        at = hit + from->size();
    }
    out.append(*s, at);
    return json(out);
}
// lpad("hello", 2) = "  hello"; rpad(1, 3) = "1   "; the count is rounded down and
// clamped to 0..1000; a count that is not a number (or numeric string) is Undefined.
value fn_pad(const value& text, const value& count, bool left) {
    const auto s = fn_string(text);
    const auto n = fn_floor_arg(count);
    if (!s || !n) return std::nullopt;
    const std::string pad(static_cast<std::size_t>(std::clamp(*n, 0.0, 1000.0)), ' ');
    return json(left ? pad + *s : *s + pad);
}
value fn_lpad(fn_args a, sql_version) { return fn_pad(a[0], a[1], true); }
value fn_rpad(fn_args a, sql_version) { return fn_pad(a[0], a[1], false); }

// chr(65) = "A"; ASCII 0..127 only, else Undefined.
value fn_chr(fn_args a, sql_version) {
    const auto n = fn_floor_arg(a[0]);
    if (!n || *n < 0 || *n > 127) return std::nullopt;
    return json(std::string(1, static_cast<char>(*n)));
}

// ---- type tests and collections

value fn_is_undefined(fn_args a, sql_version) { return json(!a[0].has_value()); }        // isUndefined(5) = false
value fn_is_null(fn_args a, sql_version) { return json(a[0] && a[0]->is_null()); }       // isNull(Null) = true
// nanvl(8, 3) = 8; Undefined, Null (and NaN, which no value here can be) give the second.
value fn_nanvl(fn_args a, sql_version) { return (!a[0] || a[0]->is_null()) ? a[1] : a[0]; }

// get(["a","b","c"], 1) = "b"; get({"a":"b"}, "a") = "b"; get("abc", 1) = "a" (as AWS's
// example has it, although its table says 0-based: we follow the table, so "b"; ours).
value fn_get(fn_args a, sql_version) {
    const auto& c = *a[0];
    const auto& k = *a[1];
    if (c.is_object()) {
        if (!k.is_string()) return std::nullopt;
        const auto it = c.find(k.get_ref<const std::string&>());
        if (it == c.end()) return std::nullopt;
        return *it;
    }
    // "To Int": a Decimal rounds to the nearest Int, a String is truncated.
    const auto n = to_sql_number(k);
    if (!n) return std::nullopt;
    const double i = n->is_int ? static_cast<double>(n->i) : k.is_string() ? std::trunc(n->d) : std::round(n->d);
    if (c.is_array()) {
        if (i < 0 || i >= static_cast<double>(c.size())) return std::nullopt;
        return c[static_cast<std::size_t>(i)];
    }
    if (c.is_string()) {
        const auto& s = c.get_ref<const std::string&>();
        if (i < 0 || i >= static_cast<double>(utf8_length(s))) return std::nullopt;
        const auto b = utf8_offset(s, static_cast<std::size_t>(i)), e = utf8_offset(s, static_cast<std::size_t>(i) + 1);
        return json(s.substr(b, e - b));
    }
    return std::nullopt;
}

// ---- bitwise: arguments rounded down to an Int. bitand(13, 5) = 5; bitor(8, 5) = 13;
// bitnot(13) = -14 (AWS's page says 2, which is not a 64-bit NOT; ours).
std::optional<std::int64_t> fn_bits(const value& a) {
    const auto d = fn_floor_arg(a);
    if (!d || *d < -9223372036854775808.0 || *d >= 9223372036854775808.0) return std::nullopt;
    return static_cast<std::int64_t>(*d);
}
value fn_bitand(fn_args a, sql_version) {
    const auto x = fn_bits(a[0]), y = fn_bits(a[1]);
    if (!x || !y) return std::nullopt;
    return json(*x & *y);
}
value fn_bitor(fn_args a, sql_version) {
    const auto x = fn_bits(a[0]), y = fn_bits(a[1]);
    if (!x || !y) return std::nullopt;
    return json(*x | *y);
}
value fn_bitxor(fn_args a, sql_version) {
    const auto x = fn_bits(a[0]), y = fn_bits(a[1]);
    if (!x || !y) return std::nullopt;
    return json(*x ^ *y);
}
value fn_bitnot(fn_args a, sql_version) {
    const auto x = fn_bits(a[0]);
    if (!x) return std::nullopt;
    return json(~*x);
}

// ---- hashing (#iot-sql-function-hash): the lower-case hex digest of the argument's string
// conversion. md5("hello") = "5d41402abc4b2a76b9719d911017c592". AWS's md2 is not offered:
// OpenSSL 3 no longer ships it.
value fn_digest(const value& a, const EVP_MD* md) {
    const auto s = fn_string(a);
    if (!s) return std::nullopt;
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_Digest(s->data(), s->size(), out, &n, md, nullptr) != 1) return std::nullopt;
    return json(util::hex_encode(std::string_view(reinterpret_cast<const char*>(out), n)));
}
value fn_md5(fn_args a, sql_version) { return fn_digest(a[0], EVP_md5()); }
value fn_sha1(fn_args a, sql_version) { return fn_digest(a[0], EVP_sha1()); }
value fn_sha224(fn_args a, sql_version) { return fn_digest(a[0], EVP_sha224()); }
value fn_sha256(fn_args a, sql_version) { return fn_digest(a[0], EVP_sha256()); }
value fn_sha384(fn_args a, sql_version) { return fn_digest(a[0], EVP_sha384()); }
value fn_sha512(fn_args a, sql_version) { return fn_digest(a[0], EVP_sha512()); }

// ---- no arguments

std::mt19937_64& fn_rng() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return rng;
}
// newuuid(): a random (version 4) UUID, "123a4567-b89c-42d3-a456-789012345000" in form.
value fn_newuuid(fn_args, sql_version) {
    std::uint64_t hi = fn_rng()(), lo = fn_rng()();
    hi = (hi & ~0xf000ull) | 0x4000ull;                   // version 4
    lo = (lo & ~(0xcull << 60)) | (0x8ull << 60);         // RFC 4122 variant
    char buf[37];
    std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                  static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                  static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xffffffffffffull));
    return json(std::string(buf));
}
// rand(): uniform in [0.0, 1.0).
value fn_rand(fn_args, sql_version) { return json(std::uniform_real_distribution<double>(0.0, 1.0)(fn_rng())); }
// sql_version() = "2016-03-23"
value fn_sql_version(fn_args, sql_version v) { return json(to_string(v)); }

// Alphabetical, as AWS's page lists them. `since` is the SQL version AWS's page gives.
constexpr builtin_function fn_table[] = {
    {"abs", 1, 1, fn_v1, false, fn_abs},
    {"acos", 1, 1, fn_v1, false, fn_acos},
    {"asin", 1, 1, fn_v1, false, fn_asin},
    {"atan", 1, 1, fn_v1, false, fn_atan},
    {"atan2", 2, 2, fn_v1, false, fn_atan2},
    {"bitand", 2, 2, fn_v1, false, fn_bitand},
    {"bitnot", 1, 1, fn_v1, false, fn_bitnot},
    {"bitor", 2, 2, fn_v1, false, fn_bitor},
    {"bitxor", 2, 2, fn_v1, false, fn_bitxor},
    {"ceil", 1, 1, fn_v1, false, fn_ceil},
    {"chr", 1, 1, fn_v1, false, fn_chr},
    {"concat", 0, any_args, fn_v1, false, fn_concat},
    {"cos", 1, 1, fn_v1, false, fn_cos},
    {"cosh", 1, 1, fn_v1, false, fn_cosh},
    {"endswith", 2, 2, fn_v1, false, fn_endswith},
    {"exp", 1, 1, fn_v1, false, fn_exp},
    {"floor", 1, 1, fn_v1, false, fn_floor},
    {"get", 2, 2, fn_v1, false, fn_get},
    {"indexof", 2, 2, fn_v2, false, fn_indexof},
    {"isNull", 1, 1, fn_v1, true, fn_is_null},
    {"isUndefined", 1, 1, fn_v2, true, fn_is_undefined},
    {"length", 1, 1, fn_v2, false, fn_length},
    {"ln", 1, 1, fn_v1, false, fn_ln},
    {"log", 1, 1, fn_v1, false, fn_log},
    {"lower", 1, 1, fn_v1, false, fn_lower},
    {"lpad", 2, 2, fn_v1, false, fn_lpad},
    {"md5", 1, 1, fn_v1, false, fn_md5},
    {"ltrim", 1, 1, fn_v1, false, fn_ltrim},
    {"mod", 2, 2, fn_v1, false, fn_mod},
    {"nanvl", 2, 2, fn_v1, true, fn_nanvl},
    {"newuuid", 0, 0, fn_v1, false, fn_newuuid},
    {"numbytes", 1, 1, fn_v2, false, fn_numbytes},
    {"power", 2, 2, fn_v1, false, fn_power},
    {"rand", 0, 0, fn_v1, false, fn_rand},
    {"remainder", 2, 2, fn_v1, false, fn_mod},
    {"replace", 3, 3, fn_v1, false, fn_replace},
    {"round", 1, 1, fn_v1, false, fn_round},
    {"rpad", 2, 2, fn_v1, false, fn_rpad},
    {"rtrim", 1, 1, fn_v1, false, fn_rtrim},
    {"sha1", 1, 1, fn_v1, false, fn_sha1},
    {"sha224", 1, 1, fn_v1, false, fn_sha224},
    {"sha256", 1, 1, fn_v1, false, fn_sha256},
    {"sha384", 1, 1, fn_v1, false, fn_sha384},
    {"sha512", 1, 1, fn_v1, false, fn_sha512},
    {"sign", 1, 1, fn_v1, false, fn_sign},
    {"sin", 1, 1, fn_v1, false, fn_sin},
    {"sinh", 1, 1, fn_v1, false, fn_sinh},
    {"sql_version", 0, 0, fn_v1, false, fn_sql_version},
    {"sqrt", 1, 1, fn_v1, false, fn_sqrt},
    {"startswith", 2, 2, fn_v1, false, fn_startswith},
    {"substring", 2, 3, fn_v1, false, fn_substring},
    {"tan", 1, 1, fn_v1, false, fn_tan},
    {"tanh", 1, 1, fn_v1, false, fn_tanh},
    {"trim", 1, 1, fn_v1, false, fn_trim},
    {"trunc", 2, 2, fn_v1, false, fn_trunc},
    {"upper", 1, 1, fn_v1, false, fn_upper},
};

bool fn_iequal(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return fn_ascii_lower(x) == fn_ascii_lower(y); });
}

}  // namespace

const builtin_function* find_builtin(std::string_view name) {
    for (const auto& f : fn_table)
        if (fn_iequal(f.name, name)) return &f;
    return nullptr;
}

std::string supported_functions() {
    // The message functions (evaluated in rule.cpp) and cast, then the table.
    std::string out = "cast, clientid, decode, encode, get_mqtt_property, get_user_properties, principal, "
                      "timestamp, topic, traceid";
    for (const auto& f : fn_table) out += std::string(", ") + f.name;
    return out;
}

// Cast rules: https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-functions.html#iot-sql-function-cast
// cast(true as Int) = 1. Null, Array, Object and Undefined cast to nothing but String
// (Array, Object: their JSON) and are otherwise Undefined.
value cast_value(const value& in, cast_type t, sql_version ver) {
    if (!in || in->is_null()) return std::nullopt;
    const auto& x = *in;
    switch (t) {
    case cast_type::string:
        // AWS's table row for String -> String repeats the Boolean rule by mistake; a
        // String is itself (ours).
        return to_sql_string(x);
    case cast_type::integer: {
        if (x.is_boolean()) return json(std::int64_t{x.get<bool>() ? 1 : 0});
        const auto n = to_sql_number(x);
        if (!n) return std::nullopt;
        if (n->is_int) return json(n->i);
        // "rounded down to the nearest Int", as floor() words it: cast(-1.5 as Int) = -2.
        return fn_whole_number(std::floor(n->d));
    }
    case cast_type::decimal: {
        if (x.is_boolean()) return make_decimal(x.get<bool>() ? 1.0 : 0.0, ver);
        const auto n = to_sql_number(x);
        if (!n) return std::nullopt;
        return make_decimal(n->d, ver);
    }
    case cast_type::boolean: {
        if (const auto n = as_sql_number(x)) return json(n->d != 0);
        return to_sql_bool(x) ? value(json(*to_sql_bool(x))) : std::nullopt;
    }
    }
    return std::nullopt;
}

}  // namespace wv::rules
