#include "authorizer_clients/loadgen/load_report.hpp"

#include <cmath>
#include <cstdio>
#include <algorithm>
#include <sstream>

namespace wv::loadgen {
namespace {

std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

std::string esc(const std::string& in) {
    std::string o;
    for (char c : in) {
        switch (c) {
            case '<': o += "&lt;"; break;
            case '>': o += "&gt;"; break;
            case '&': o += "&amp;"; break;
            case '"': o += "&quot;"; break;
            default: o += c;
        }
    }
    return o;
}

// A per-second line chart as inline SVG (the look of wvsim's report): x in seconds from the
// first send, y from 0 to the largest value.
std::string chart(const std::string& title, const std::vector<timeline_point>& tl,
                  const std::vector<std::pair<std::string, double timeline_point::*>>& doubles,
                  const std::vector<std::pair<std::string, std::uint64_t timeline_point::*>>& counts) {
    const double w = 640, h = 200, l = 60, b = 24, t = 10;
    double xmax = 1, ymax = 0;
    for (const auto& p : tl) {
        xmax = std::max(xmax, p.t_s);
        for (const auto& [n, m] : doubles) ymax = std::max(ymax, p.*m);
        for (const auto& [n, m] : counts) ymax = std::max(ymax, static_cast<double>(p.*m));
    }
    if (ymax <= 0) ymax = 1;
    ymax *= 1.05;
    static const char* colors[] = {"#2a6fb0", "#c0392b", "#27ae60", "#8e44ad"};
    std::ostringstream o;
    o << "<figure><figcaption>" << esc(title) << "</figcaption><svg viewBox='0 0 " << w + 10 << ' ' << h + b + t
      << "' width='660' role='img'>";
    o << "<line x1='" << l << "' y1='" << t + h << "' x2='" << w << "' y2='" << t + h << "' stroke='#888'/>";
    for (int i = 0; i <= 4; ++i) {
        const double y = t + h - h * i / 4;
        o << "<text x='" << l - 4 << "' y='" << y + 4 << "' text-anchor='end'>" << fmt("%.4g", ymax * i / 4) << "</text>";
        o << "<line x1='" << l << "' y1='" << y << "' x2='" << w << "' y2='" << y << "' stroke='#eee'/>";
        o << "<text x='" << l + (w - l) * i / 4 << "' y='" << t + h + 18 << "' text-anchor='middle'>"
          << fmt("%.0f s", xmax * i / 4) << "</text>";
    }
    int li = 0;
    const auto line = [&](const std::string& name, auto value) {
        o << "<polyline fill='none' stroke='" << colors[li % 4] << "' stroke-width='1.5' points='";
        for (const auto& p : tl) o << fmt("%.1f,", l + (w - l) * p.t_s / xmax) << fmt("%.1f ", t + h - h * value(p) / ymax);
        o << "'/><text x='" << w - 4 << "' y='" << t + 14 + 14 * li << "' text-anchor='end' fill='" << colors[li % 4] << "'>"
          << esc(name) << "</text>";
        ++li;
    };
    for (const auto& [n, m] : doubles) line(n, [m = m](const timeline_point& p) { return p.*m; });
    for (const auto& [n, m] : counts) line(n, [m = m](const timeline_point& p) { return static_cast<double>(p.*m); });
    o << "</svg></figure>\n";
    return o.str();
}

std::string bucket_label(double upper) {
    return std::isinf(upper) ? "> 5000 ms" : "<= " + fmt("%g", upper) + " ms";
}

}  // namespace

std::string to_table(const load_result& r) {
    std::ostringstream os;
    os << "authorizer    " << r.backend << "\n"
       << "asked         " << fmt("%.1f", r.asked_rate) << " calls/s for " << fmt("%.1f", r.duration_s) << " s\n"
       << (r.interrupted ? "interrupted   yes: sending stopped early\n" : "")
       << "sent          " << r.sent << " (" << fmt("%.1f", r.send_rate) << "/s)\n"
       << "completed     " << r.completed << " (" << fmt("%.1f", r.achieved_rate) << "/s over " << fmt("%.2f", r.elapsed_s)
       << " s)\n"
       << "outcomes      allowed " << r.allowed << ", denied_by_policy " << r.denied_by_policy << ", denied " << r.denied
       << ", invalid " << r.invalid << ", errors "
       << r.backend_errors << ", timeouts (> deadline) " << r.timeouts << ", overloaded " << r.overloaded << "\n"
       << "throttled     " << r.throttled << "\n";
    if (!r.errors_by_kind.empty()) {
        os << "by kind      ";
        for (const auto& [k, n] : r.errors_by_kind) os << " " << k << "=" << n;
        os << "\n";
    }
    os << "latency ms    p50 " << fmt("%.2f", r.p50_ms) << "  p90 " << fmt("%.2f", r.p90_ms) << "  p99 "
       << fmt("%.2f", r.p99_ms) << "  p99.9 " << fmt("%.2f", r.p999_ms) << "  max " << fmt("%.2f", r.max_ms) << "  mean "
       << fmt("%.2f", r.mean_ms) << "\n";
    std::uint64_t most = 1;
    for (const auto& b : r.histogram) most = std::max(most, b.count);
    for (const auto& b : r.histogram) {
        if (b.count == 0) continue;
        const auto bar = static_cast<std::size_t>(std::ceil(40.0 * static_cast<double>(b.count) / static_cast<double>(most)));
        char label[32];
        std::snprintf(label, sizeof label, "%12s", bucket_label(b.upper_ms).c_str());
        os << "  " << label << " " << std::string(bar, '#') << " " << b.count << "\n";
    }
    return os.str();
}

nlohmann::json to_json(const load_result& r) {
    nlohmann::json hist = nlohmann::json::array();
    for (const auto& b : r.histogram)
        hist.push_back({{"le_ms", std::isinf(b.upper_ms) ? nlohmann::json("inf") : nlohmann::json(b.upper_ms)}, {"count", b.count}});
    nlohmann::json timeline = nlohmann::json::array();
    for (const auto& p : r.timeline)
        timeline.push_back({{"t_s", p.t_s}, {"completed", p.completed}, {"failed", p.failed}, {"p50_ms", p.p50_ms}, {"p99_ms", p.p99_ms}});
    return {{"authorizer", r.backend},
            {"asked_rate", r.asked_rate},
            {"duration_s", r.duration_s},
            {"interrupted", r.interrupted},
            {"elapsed_s", r.elapsed_s},
            {"sent", r.sent},
            {"send_rate", r.send_rate},
            {"completed", r.completed},
            {"achieved_rate", r.achieved_rate},
            {"outcomes",
             {{"allowed", r.allowed},
              {"denied", r.denied},
              {"denied_by_policy", r.denied_by_policy},
              {"invalid", r.invalid},
              {"backend_error", r.backend_errors},
              {"timeout", r.timeouts},
              {"overloaded", r.overloaded}}},
            {"throttled", r.throttled},
            {"errors_by_kind", r.errors_by_kind},
            {"latency_ms",
             {{"p50", r.p50_ms}, {"p90", r.p90_ms}, {"p99", r.p99_ms}, {"p99.9", r.p999_ms}, {"max", r.max_ms}, {"mean", r.mean_ms}}},
            {"histogram", hist},
            {"timeline", timeline}};
}

std::string to_html(const load_result& r) {
    std::ostringstream os;
    std::uint64_t most = 1;
    for (const auto& b : r.histogram) most = std::max(most, b.count);
    os << "<!doctype html><html><head><meta charset=\"utf-8\"><title>wvauthz bench</title><style>"
          "body{font:14px system-ui,sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse}"
          "td,th{padding:.2em .8em;border-bottom:1px solid #ddd;text-align:left}.bar{background:#4a7;height:1em}"
          "</style></head><body><h1>wvauthz bench</h1>\n<table>";
    const auto row = [&](const std::string& k, const std::string& v) { os << "<tr><th>" << k << "</th><td>" << v << "</td></tr>\n"; };
    row("authorizer", esc(r.backend));
    row("asked", fmt("%.1f", r.asked_rate) + " calls/s for " + fmt("%.1f", r.duration_s) + " s");
    row("completed", std::to_string(r.completed) + " (" + fmt("%.1f", r.achieved_rate) + "/s)");
    row("allowed / denied by policy / denied",
        std::to_string(r.allowed) + " / " + std::to_string(r.denied_by_policy) + " / " + std::to_string(r.denied));
    row("invalid / errors / timeouts / overloaded", std::to_string(r.invalid) + " / " + std::to_string(r.backend_errors) +
                                                        " / " + std::to_string(r.timeouts) + " / " + std::to_string(r.overloaded));
    row("throttled", std::to_string(r.throttled));
    row("latency p50 / p90 / p99 / p99.9 / max", fmt("%.2f", r.p50_ms) + " / " + fmt("%.2f", r.p90_ms) + " / " +
                                                     fmt("%.2f", r.p99_ms) + " / " + fmt("%.2f", r.p999_ms) + " / " +
                                                     fmt("%.2f", r.max_ms) + " ms");
    os << "</table><h2>Over time</h2>\n"
       << chart("calls completed per second", r.timeline, {}, {{"completed", &timeline_point::completed}, {"failed", &timeline_point::failed}})
       << chart("latency per second (ms)", r.timeline, {{"p50", &timeline_point::p50_ms}, {"p99", &timeline_point::p99_ms}}, {});
    os << "<h2>Latency histogram</h2><table>";
    for (const auto& b : r.histogram)
        os << "<tr><td>" << bucket_label(b.upper_ms) << "</td><td style=\"width:30em\"><div class=\"bar\" style=\"width:"
           << fmt("%.1f", 100.0 * static_cast<double>(b.count) / static_cast<double>(most)) << "%\"></div></td><td>" << b.count
           << "</td></tr>\n";
    os << "</table></body></html>\n";
    return os.str();
}

}  // namespace wv::loadgen
