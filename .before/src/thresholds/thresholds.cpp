#include "thresholds/thresholds.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace wv::thresholds {

namespace {

bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return std::string(s);
}

std::string names(const catalogue& c) {
    std::string o;
    for (const auto& m : c) o += (o.empty() ? "" : ", ") + m.name;
    return o;
}

const char* unit_hint(kind k) {
    switch (k) {
    case kind::duration: return "a duration: give us, ms or s, e.g. 200ms";
    case kind::percent: return "a percentage: give %, e.g. 99.9%";
    case kind::count: return "a count: a plain number, e.g. 0";
    case kind::rate: return "a rate per second: a number, optionally /s, e.g. 500/s";
    }
    return "";
}

}  // namespace

threshold parse(std::string_view expression, const catalogue& known) {
    const std::string text = trim(expression);
    const auto fail = [&](const std::string& why) {
        return parse_error("--expect '" + text + "': " + why);
    };
    std::size_t i = 0;
    while (i < text.size() && name_char(text[i])) ++i;
    const std::string metric = text.substr(0, i);
    if (metric.empty()) throw fail("expected a metric name first, e.g. connack.p99<200ms");
    const metric_def* def = nullptr;
    for (const auto& m : known)
        if (m.name == metric) def = &m;
    if (!def) throw fail("unknown metric '" + metric + "'; known: " + names(known));
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    threshold t{.expression = text, .metric = metric, .k = def->k};
    const auto rest = std::string_view(text).substr(i);
    if (rest.starts_with("<=")) t.o = op::le, i += 2;
    else if (rest.starts_with(">=")) t.o = op::ge, i += 2;
    else if (rest.starts_with("==")) t.o = op::eq, i += 2;
    else if (rest.starts_with("<")) t.o = op::lt, i += 1;
    else if (rest.starts_with(">")) t.o = op::gt, i += 1;
    else if (rest.starts_with("=")) throw fail("use == for equality");
    else throw fail("expected an operator after '" + metric + "': <, <=, >, >= or ==");
    const std::string value = trim(std::string_view(text).substr(i));
    if (value.empty()) throw fail("expected a number after the operator");
    char* end = nullptr;
    const double n = std::strtod(value.c_str(), &end);
    if (end == value.c_str() || !std::isfinite(n)) throw fail("'" + value + "' is not a number");
    const std::string unit = trim(std::string_view(end));
    switch (def->k) {
    case kind::duration:
        if (unit == "us") t.bound = n;
        else if (unit == "ms") t.bound = n * 1e3;
        else if (unit == "s") t.bound = n * 1e6;
        else throw fail("'" + metric + "' is " + unit_hint(def->k) + (unit.empty() ? "" : " (not '" + unit + "')"));
        break;
    case kind::percent:
        if (unit != "%") throw fail("'" + metric + "' is " + unit_hint(def->k) + (unit.empty() ? "" : " (not '" + unit + "')"));
        t.bound = n;
        break;
    case kind::count:
        if (!unit.empty()) throw fail("'" + metric + "' is " + unit_hint(def->k) + " (not '" + unit + "')");
        t.bound = n;
        break;
    case kind::rate:
        if (!unit.empty() && unit != "/s") throw fail("'" + metric + "' is " + unit_hint(def->k) + " (not '" + unit + "')");
        t.bound = n;
        break;
    }
    return t;
}

std::string format_value(double v, kind k) {
    char b[48];
    switch (k) {
    case kind::duration:
        if (v < 1000) std::snprintf(b, sizeof b, "%.0f us", v);
        else if (v < 1e6) std::snprintf(b, sizeof b, "%.2f ms", v / 1e3);
        else std::snprintf(b, sizeof b, "%.2f s", v / 1e6);
        break;
    case kind::percent:
        // Enough digits that 99.95% never prints as 100%.
        if (v >= 99 && v < 100) std::snprintf(b, sizeof b, "%.3f%%", std::floor(v * 1000) / 1000);
        else std::snprintf(b, sizeof b, "%.2f%%", v);
        break;
    case kind::count: std::snprintf(b, sizeof b, "%.0f", v); break;
    case kind::rate: std::snprintf(b, sizeof b, "%.1f/s", v); break;
    }
    return b;
}

std::vector<result> check(const std::vector<threshold>& ts, const values& v) {
    std::vector<result> out;
    for (const auto& t : ts) {
        result r{.expression = t.expression, .actual = {}, .passed = false};
        const auto it = v.find(t.metric);
        if (it == v.end() || !std::isfinite(it->second)) {
            r.actual = "no value (nothing measured it in this run)";
            r.passed = false;
        } else {
            const double a = it->second;
            r.actual = format_value(a, t.k);
            switch (t.o) {
            case op::lt: r.passed = a < t.bound; break;
            case op::le: r.passed = a <= t.bound; break;
            case op::gt: r.passed = a > t.bound; break;
            case op::ge: r.passed = a >= t.bound; break;
            case op::eq: r.passed = std::fabs(a - t.bound) <= 1e-9 * std::max(1.0, std::fabs(t.bound)); break;
            }
        }
        out.push_back(std::move(r));
    }
    return out;
}

bool all_passed(const std::vector<result>& rs) {
    for (const auto& r : rs)
        if (!r.passed) return false;
    return true;
}

std::string summary(const std::vector<result>& rs) {
    if (rs.empty()) return {};
    std::size_t failed = 0, width = 0;
    for (const auto& r : rs) {
        failed += !r.passed;
        width = std::max(width, r.expression.size());
    }
    std::string o = "Thresholds (--expect): " +
                    (failed ? std::to_string(failed) + " of " + std::to_string(rs.size()) + " failed"
                            : "all " + std::to_string(rs.size()) + " passed") +
                    "\n";
    for (const auto& r : rs)
        o += std::string(r.passed ? "  ok      " : "  FAILED  ") + r.expression +
             std::string(width - r.expression.size() + 3, ' ') + "actual " + r.actual + "\n";
    return o;
}

std::string failed_list(const std::vector<result>& rs) {
    std::string o;
    for (const auto& r : rs)
        if (!r.passed) o += (o.empty() ? "" : "; ") + r.expression + " (was " + r.actual + ")";
    return o;
}

std::vector<duration_bound> duration_bounds(const std::vector<result>& rs, const catalogue& c, std::string_view prefix) {
    std::vector<duration_bound> out;
    for (const auto& r : rs) {
        try {
            const auto t = parse(r.expression, c);
            if (t.k == kind::duration && t.metric.starts_with(prefix)) out.push_back({r.expression, t.bound, r.passed});
        } catch (const parse_error&) {
            // A result from another tool's catalogue (a merged report): nothing to draw.
        }
    }
    return out;
}

nlohmann::json to_json(const std::vector<result>& rs) {
    auto j = nlohmann::json::array();
    for (const auto& r : rs) j.push_back({{"expression", r.expression}, {"actual", r.actual}, {"passed", r.passed}});
    return j;
}

std::vector<result> results_from_json(const nlohmann::json& j) {
    if (!j.is_array()) throw std::invalid_argument("thresholds: expected an array");
    std::vector<result> out;
    for (const auto& e : j) {
        if (!e.is_object() || !e.contains("expression") || !e.contains("passed"))
            throw std::invalid_argument("thresholds: each entry needs \"expression\" and \"passed\"");
        out.push_back({e["expression"].get<std::string>(), e.value("actual", ""), e["passed"].get<bool>()});
    }
    return out;
}

std::string help_text(const catalogue& c) {
    std::size_t width = 0;
    for (const auto& m : c) width = std::max(width, m.name.size());
    std::string o;
    for (const auto& m : c) {
        const char* u = m.k == kind::duration ? "[us|ms|s]" : m.k == kind::percent ? "[%]" : m.k == kind::rate ? "[/s]" : "";
        o += "  " + m.name + std::string(width - m.name.size() + 2, ' ') + std::string(u) +
             std::string(10 - std::string(u).size(), ' ') + m.help + "\n";
    }
    return o;
}

}  // namespace wv::thresholds
