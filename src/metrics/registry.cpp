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
            << (f.k == kind::counter ? "counter" : f.k == kind::gauge ? "gauge" : "summary") << '\n';
        for (const auto& [lbl, p] : f.series) {
            switch (f.k) {
            case kind::counter: out << name << lbl << ' ' << static_cast<const counter*>(p)->value() << '\n'; break;
            case kind::gauge: out << name << lbl << ' ' << static_cast<const gauge*>(p)->value() << '\n'; break;
            case kind::summary: {
                const auto h = static_cast<const concurrent_histogram*>(p)->snapshot();
                for (const auto& [q, qs] : {std::pair{0.5, "0.5"}, {0.9, "0.9"}, {0.99, "0.99"}, {0.999, "0.999"}})
                    out << name << with_label(lbl, std::string("quantile=\"") + qs + "\"") << ' '
                        << seconds(h.percentile_us(q)) << '\n';
                out << name << "_sum" << lbl << ' ' << seconds(h.sum_us()) << '\n';
                out << name << "_count" << lbl << ' ' << h.count() << '\n';
                break;
            }
            }
        }
    }
    return out.str();
}

}  // namespace wv::metrics
