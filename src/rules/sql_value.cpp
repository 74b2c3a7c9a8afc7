#include "rules/sql_value.hpp"

#include <charconv>
#include <cmath>
#include <limits>

namespace wv::rules {

std::optional<double> parse_sql_decimal(std::string_view s) {
    // ^-?\d+(\.\d+)?((?i)E-?\d+)?$ : no '+', no leading '.', no "inf"/"nan", no blanks.
    std::size_t i = 0;
    auto digits = [&] {
        const auto start = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
        return i > start;
    };
    if (i < s.size() && s[i] == '-') ++i;
    if (!digits()) return std::nullopt;
    if (i < s.size() && s[i] == '.') {
        ++i;
        if (!digits()) return std::nullopt;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && s[i] == '-') ++i;
        if (!digits()) return std::nullopt;
    }
    if (i != s.size()) return std::nullopt;
    double d = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec != std::errc{} || p != s.data() + s.size() || !std::isfinite(d)) return std::nullopt;
    return d;
}

std::optional<sql_number> as_sql_number(const json& j) {
    if (j.is_number_unsigned()) {
        const auto u = j.get<std::uint64_t>();
        if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            return sql_number{true, static_cast<std::int64_t>(u), static_cast<double>(u)};
        return sql_number{false, 0, static_cast<double>(u)};
    }
    if (j.is_number_integer()) {
        const auto i = j.get<std::int64_t>();
        return sql_number{true, i, static_cast<double>(i)};
    }
    if (j.is_number_float()) return sql_number{false, 0, j.get<double>()};
    return std::nullopt;
}

std::optional<sql_number> to_sql_number(const json& j) {
    if (auto n = as_sql_number(j)) return n;
    if (j.is_string()) {
        if (const auto d = parse_sql_decimal(j.get_ref<const std::string&>())) return sql_number{false, 0, *d};
    }
    return std::nullopt;
}

std::optional<std::string> to_sql_string(const json& j) {
    if (j.is_null()) return std::nullopt;
    if (j.is_string()) return j.get<std::string>();
    // Numbers, booleans, arrays and objects: their JSON text ("true", 21.5, [1,"a"]).
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<bool> to_sql_bool(const json& j) {
    if (j.is_boolean()) return j.get<bool>();
    if (j.is_string()) {
        const auto& s = j.get_ref<const std::string&>();
        if (s.size() == 4 || s.size() == 5) {
            std::string l;
            for (const char c : s) l += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
            if (l == "true") return true;
            if (l == "false") return false;
        }
    }
    return std::nullopt;
}

value make_decimal(double d, sql_version v) {
    if (!std::isfinite(d)) return std::nullopt;
    // 2^63 is exactly representable; anything below it in magnitude converts without overflow.
    constexpr double int_limit = 9223372036854775808.0;
    if (v != sql_version::v2015_10_08 && d == std::trunc(d) && d > -int_limit && d < int_limit)
        return json(static_cast<std::int64_t>(d));
    return json(d);
}

std::size_t utf8_length(std::string_view s) {
    std::size_t n = 0;
    for (const char c : s)
        if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++n;
    return n;
}

std::size_t utf8_offset(std::string_view s, std::size_t index) {
    std::size_t seen = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xc0) == 0x80) continue;
        if (seen == index) return i;
        ++seen;
    }
    return s.size();
}

}  // namespace wv::rules
