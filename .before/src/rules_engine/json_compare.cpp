#include "rules_engine/json_compare.hpp"

#include <algorithm>
#include <cmath>

namespace wv::rules_engine {
namespace {

using json = nlohmann::json;

// Arrays longer than this skip the reordering check (it is quadratic).
constexpr std::size_t max_order_check = 2000;

std::string short_text(const json& j) {
    auto s = j.dump(-1, ' ', false, json::error_handler_t::replace);
    if (s.size() > 120) s = s.substr(0, 117) + "...";
    return s;
}

// RFC 6901 escaping of one member name.
std::string pointer_token(const std::string& key) {
    std::string out;
    for (const char c : key) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out += c;
    }
    return out;
}

void add(compare_result& out, const compare_options& opt, mismatch_kind k, std::string path, const json* e,
         const json* a) {
    ++out.total;
    ++out.by_kind[static_cast<std::size_t>(k)];
    if (out.mismatches.size() < opt.max_reported)
        out.mismatches.push_back({k, std::move(path), e ? short_text(*e) : "", a ? short_text(*a) : ""});
}

bool numbers_match(const json& e, const json& a, double tol) {
    if (!e.is_number_float() && !a.is_number_float()) {
        // Two integers: exact, across the signed/unsigned split nlohmann keeps.
        if (e.is_number_unsigned() && a.is_number_unsigned()) return e.get<std::uint64_t>() == a.get<std::uint64_t>();
        if (e.is_number_unsigned() || a.is_number_unsigned()) {
            const auto& u = e.is_number_unsigned() ? e : a;
            const auto& s = e.is_number_unsigned() ? a : e;
            const auto sv = s.get<std::int64_t>();
            return sv >= 0 && static_cast<std::uint64_t>(sv) == u.get<std::uint64_t>();
        }
        return e.get<std::int64_t>() == a.get<std::int64_t>();
    }
    const double x = e.get<double>(), y = a.get<double>();
    if (x == y) return true;
    if (std::isnan(x) || std::isnan(y)) return false;
    return std::fabs(x - y) <= tol * std::max(std::fabs(x), std::fabs(y));
}

// Same JSON type class for comparison purposes: all numbers are one class.
bool same_class(const json& e, const json& a) {
    if (e.is_number() && a.is_number()) return true;
    return e.type() == a.type();
}

bool matches(const json& e, const json& a, const compare_options& opt) {
    compare_options quiet = opt;
    quiet.max_reported = 0;
    compare_result r;
    compare_json(e, a, quiet, r);
    return r.equal();
}

bool is_permutation_of(const json& e, const json& a, const compare_options& opt) {
    std::vector<bool> used(e.size(), false);
    for (const auto& x : a) {
        bool found = false;
        for (std::size_t i = 0; i < e.size() && !found; ++i)
            if (!used[i] && matches(e[i], x, opt)) used[i] = found = true;
        if (!found) return false;
    }
    return true;
}

}  // namespace

const char* to_string(mismatch_kind k) noexcept {
    switch (k) {
        case mismatch_kind::missing_field: return "missing_field";
        case mismatch_kind::extra_field: return "extra_field";
        case mismatch_kind::type_mismatch: return "type_mismatch";
        case mismatch_kind::value_mismatch: return "value_mismatch";
        case mismatch_kind::count_mismatch: return "count_mismatch";
        case mismatch_kind::order_mismatch: return "order_mismatch";
    }
    return "?";
}

void compare_json(const json& e, const json& a, const compare_options& opt, compare_result& out,
                  const std::string& path) {
    if (!same_class(e, a)) {
        add(out, opt, mismatch_kind::type_mismatch, path.empty() ? "/" : path, &e, &a);
        return;
    }
    switch (e.type()) {
        case json::value_t::object: {
            for (const auto& [k, v] : e.items()) {
                const auto it = a.find(k);
                const auto p = path + "/" + pointer_token(k);
                if (it == a.end()) add(out, opt, mismatch_kind::missing_field, p, &v, nullptr);
                else compare_json(v, *it, opt, out, p);
            }
            for (const auto& [k, v] : a.items())
                if (!e.contains(k)) add(out, opt, mismatch_kind::extra_field, path + "/" + pointer_token(k), nullptr, &v);
            return;
        }
        case json::value_t::array: {
            if (e.size() != a.size()) {
                const json ne = e.size(), na = a.size();
                add(out, opt, mismatch_kind::count_mismatch, path.empty() ? "/" : path, &ne, &na);
                return;
            }
            compare_result inner;
            compare_options quiet = opt;
            quiet.max_reported = opt.max_reported > out.mismatches.size() ? opt.max_reported - out.mismatches.size() : 0;
            for (std::size_t i = 0; i < e.size(); ++i)
                compare_json(e[i], a[i], quiet, inner, path + "/" + std::to_string(i));
            if (inner.equal()) return;
            if (e.size() <= max_order_check && is_permutation_of(e, a, opt)) {
                add(out, opt, mismatch_kind::order_mismatch, path.empty() ? "/" : path, nullptr, nullptr);
                return;
            }
            out.total += inner.total;
            for (std::size_t k = 0; k < mismatch_kind_count; ++k) out.by_kind[k] += inner.by_kind[k];
            for (auto& m : inner.mismatches)
                if (out.mismatches.size() < opt.max_reported) out.mismatches.push_back(std::move(m));
            return;
        }
        case json::value_t::number_integer:
        case json::value_t::number_unsigned:
        case json::value_t::number_float:
            if (!numbers_match(e, a, opt.float_tolerance))
                add(out, opt, mismatch_kind::value_mismatch, path.empty() ? "/" : path, &e, &a);
            return;
        default:
            if (e != a) add(out, opt, mismatch_kind::value_mismatch, path.empty() ? "/" : path, &e, &a);
            return;
    }
}

compare_result compare_json(const json& expected, const json& actual, const compare_options& opt) {
    compare_result r;
    compare_json(expected, actual, opt, r);
    return r;
}

}  // namespace wv::rules_engine
