#include "metrics/registry.hpp"

#include <cctype>
#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace wv::metrics {

namespace {
bool valid_name(const std::string& n) {
    if (n.empty()) return false;
    for (std::size_t i = 0; i < n.size(); ++i) {
        const auto c = static_cast<unsigned char>(n[i]);
        const bool ok = std::isalpha(c) || c == '_' || c == ':' || (i > 0 && std::isdigit(c));
        if (!ok) return false;
    }
    return true;
}

std::string render_labels(const labels& l, const std::string& extra = {}) {
    if (l.empty() && extra.empty()) return {};
    std::string out = "{";
    bool first = true;
    for (const auto& [k, v] : l) {
        if (!valid_name(k) || k.find(':') != std::string::npos)
            throw std::invalid_argument("metrics: bad label name \"" + k + "\"");
        if (!first) out += ',';
        first = false;
        out += k + "=\"" + escape_label_value(v) + "\"";
    }
    if (!extra.empty()) {
        if (!first) out += ',';
        out += extra;
    }
    return out + "}";
}

// Inserts an extra label into an already rendered label set.
std::string with_label(const std::string& rendered, const std::string& extra) {
    if (rendered.empty()) return "{" + extra + "}";
    return rendered.substr(0, rendered.size() - 1) + "," + extra + "}";
}

std::string seconds(std::uint64_t us) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", static_cast<double>(us) / 1e6);
    return buf;
}
}  // namespace

std::string escape_label_value(const std::string& v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

void* registry::find_or_add(const std::string& name, const std::string& help, const labels& l, kind k) {
    if (!valid_name(name)) throw std::invalid_argument("metrics: bad metric name \"" + name + "\"");
    const auto key = render_labels(l);
    std::lock_guard lock(m_);
    auto [it, inserted] = families_.try_emplace(name, family{k, help, {}});
    if (!inserted && it->second.k != k)
        throw std::invalid_argument("metrics: \"" + name + "\" already registered with another type");
    auto& series = it->second.series;
    if (auto s = series.find(key); s != series.end()) return s->second;
    void* p = nullptr;
    switch (k) {
    case kind::counter: p = &counters_.emplace_back(); break;
    case kind::gauge: p = &gauges_.emplace_back(); break;
    case kind::summary: p = &histograms_.emplace_back(); break;
    case kind::counter_fn:
    case kind::gauge_fn: p = &value_fns_.emplace_back(); break;
    case kind::histogram_fn:
    case kind::summary_fn: p = &histogram_fns_.emplace_back(); break;
    }
    series.emplace(key, p);
    return p;
}

counter& registry::add_counter(const std::string& name, const std::string& help, const labels& l) {
    return *static_cast<counter*>(find_or_add(name, help, l, kind::counter));
}
gauge& registry::add_gauge(const std::string& name, const std::string& help, const labels& l) {
    return *static_cast<gauge*>(find_or_add(name, help, l, kind::gauge));
}
concurrent_histogram& registry::add_histogram(const std::string& name, const std::string& help, const labels& l) {
    return *static_cast<concurrent_histogram*>(find_or_add(name, help, l, kind::summary));
}

void registry::add_counter_fn(const std::string& name, const std::string& help, std::function<double()> read,
                              const labels& l) {
    auto* f = static_cast<std::function<double()>*>(find_or_add(name, help, l, kind::counter_fn));
    std::lock_guard lock(m_);
    *f = std::move(read);
}
void registry::add_gauge_fn(const std::string& name, const std::string& help, std::function<double()> read,
                            const labels& l) {
    auto* f = static_cast<std::function<double()>*>(find_or_add(name, help, l, kind::gauge_fn));
    std::lock_guard lock(m_);
    *f = std::move(read);
}
void registry::add_histogram_fn(const std::string& name, const std::string& help, std::function<histogram()> read,
                                const labels& l) {
    auto* f = static_cast<std::function<histogram()>*>(find_or_add(name, help, l, kind::histogram_fn));
    std::lock_guard lock(m_);
    *f = std::move(read);
}

void registry::add_summary_fn(const std::string& name, const std::string& help, std::function<histogram()> read,
                              const labels& l) {
    auto* f = static_cast<std::function<histogram()>*>(find_or_add(name, help, l, kind::summary_fn));
    std::lock_guard lock(m_);
    *f = std::move(read);
}

const std::vector<double>& registry::histogram_bounds_s() {
    static const std::vector<double> b{0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1,
                                       0.2,    0.5,   1,     2,     5,    10,   30,   60};
    return b;
}

namespace {
std::string number(double v) {
    char buf[32];
    if (v == static_cast<double>(static_cast<std::int64_t>(v))) std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
    else std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

void render_histogram(std::ostringstream& out, const std::string& name, const std::string& lbl, const histogram& h) {
    // Cumulative counts per bound: a bucket counts under `le` when its lowest value is <= le.
    const auto& counts = h.buckets();
    std::size_t i = 0;
    std::uint64_t below = 0;
    for (const double le : registry::histogram_bounds_s()) {
        const auto le_us = static_cast<std::uint64_t>(le * 1e6 + 0.5);
        while (i < counts.size() && histogram::lowest_in(i) <= le_us) below += counts[i++];
        out << name << "_bucket" << with_label(lbl, "le=\"" + number(le) + "\"") << ' ' << below << '\n';
    }
    out << name << "_bucket" << with_label(lbl, "le=\"+Inf\"") << ' ' << h.count() << '\n';
    out << name << "_sum" << lbl << ' ' << seconds(h.sum_us()) << '\n';
    out << name << "_count" << lbl << ' ' << h.count() << '\n';
}

const char* type_name(int k) {
    switch (k) {
    case 0: case 3: return "counter";
    case 1: case 4: return "gauge";
    case 2: case 6: return "summary";
    default: return "histogram";
    }
}
}  // namespace

std::string registry::render() const {
    std::ostringstream out;
    std::lock_guard lock(m_);
    for (const auto& [name, f] : families_) {
        out << "# HELP " << name << ' ';
        for (char c : f.help) {  // help text escapes only \ and newline
            if (c == '\\') out << "\\\\";
            else if (c == '\n') out << "\\n";
            else out << c;
        }
        out << "\n# TYPE " << name << ' '
            << type_name(static_cast<int>(f.k)) << '\n';
        for (const auto& [lbl, p] : f.series) {
            switch (f.k) {
            case kind::counter: out << name << lbl << ' ' << static_cast<const counter*>(p)->value() << '\n'; break;
            case kind::gauge: out << name << lbl << ' ' << static_cast<const gauge*>(p)->value() << '\n'; break;
            case kind::summary:
            case kind::summary_fn: {
                histogram h;
                if (f.k == kind::summary) {
                    h = static_cast<const concurrent_histogram*>(p)->snapshot();
                } else if (const auto& fn = *static_cast<const std::function<histogram()>*>(p)) {
                    h = fn();
                }
                for (const auto& [q, qs] : {std::pair{0.5, "0.5"}, {0.9, "0.9"}, {0.99, "0.99"}, {0.999, "0.999"}})
                    out << name << with_label(lbl, std::string("quantile=\"") + qs + "\"") << ' '
                        << seconds(h.percentile_us(q)) << '\n';
                out << name << "_sum" << lbl << ' ' << seconds(h.sum_us()) << '\n';
                out << name << "_count" << lbl << ' ' << h.count() << '\n';
                break;
            }
            case kind::counter_fn:
            case kind::gauge_fn: {
                const auto& fn = *static_cast<const std::function<double()>*>(p);
                out << name << lbl << ' ' << number(fn ? fn() : 0) << '\n';
                break;
            }
            case kind::histogram_fn: {
                const auto& fn = *static_cast<const std::function<histogram()>*>(p);
                render_histogram(out, name, lbl, fn ? fn() : histogram{});
                break;
            }
            }
        }
    }
    return out.str();
}

}  // namespace wv::metrics
