#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <sstream>

#include "report.hpp"

namespace wv::sim {

namespace {
std::string esc(const std::string& s) {
    std::string o;
    for (char c : s) {
        switch (c) {
        case '<': o += "&lt;"; break;
        case '>': o += "&gt;"; break;
        case '&': o += "&amp;"; break;
        case '"': o += "&quot;"; break;
        case '\'': o += "&#39;"; break;
        default: o += c;
        }
    }
    return o;
}

struct series {
    std::string name, color;
    std::function<double(const timeline_sample&)> y;
};

// One line chart as inline SVG: x in seconds, y from 0 to the largest value.
std::string chart(const std::string& title, const std::string& unit, const std::vector<timeline_sample>& tl,
                  const std::vector<series>& ss) {
    const double w = 640, h = 200, l = 60, b = 24, t = 10;
    double xmax = 1, ymax = 0;
    for (const auto& s : tl) xmax = std::max(xmax, s.t);
    for (const auto& se : ss)
        for (const auto& s : tl)
            if (const double y = se.y(s); !std::isnan(y)) ymax = std::max(ymax, y);
    if (ymax <= 0) ymax = 1;
    ymax *= 1.05;
    std::ostringstream o;
    char buf[128];
    o << "<figure><figcaption>" << esc(title) << "</figcaption><svg viewBox='0 0 " << w + 10 << ' ' << h + b + t
      << "' width='660' role='img'>";
    o << "<line x1='" << l << "' y1='" << t + h << "' x2='" << w << "' y2='" << t + h << "' stroke='#888'/>";
    o << "<line x1='" << l << "' y1='" << t << "' x2='" << l << "' y2='" << t + h << "' stroke='#888'/>";
    for (int i = 0; i <= 4; ++i) {
        const double v = ymax * i / 4, y = t + h - h * i / 4;
        std::snprintf(buf, sizeof buf, "%.4g", v);
        o << "<text x='" << l - 4 << "' y='" << y + 4 << "' text-anchor='end'>" << buf << "</text>";
        o << "<line x1='" << l << "' y1='" << y << "' x2='" << w << "' y2='" << y << "' stroke='#eee'/>";
        std::snprintf(buf, sizeof buf, "%.0f s", xmax * i / 4);
        o << "<text x='" << l + (w - l) * i / 4 << "' y='" << t + h + 18 << "' text-anchor='middle'>" << buf << "</text>";
    }
    int li = 0;
    for (const auto& se : ss) {
        // A NaN (a second without samples) breaks the line rather than drawing a fake 0.
        const std::string open = "<polyline fill='none' stroke='" + se.color + "' stroke-width='1.5' points='";
        bool in_line = false;
        for (const auto& s : tl) {
            const double y = se.y(s);
            if (std::isnan(y)) {
                if (in_line) o << "'/>";
                in_line = false;
                continue;
            }
            if (!in_line) o << open;
            in_line = true;
            std::snprintf(buf, sizeof buf, "%.1f,%.1f ", l + (w - l) * s.t / xmax, t + h - h * y / ymax);
            o << buf;
        }
        if (in_line) o << "'/>";
        o << "<text x='" << l + 10 + 140 * li++ << "' y='" << t + 12 << "' fill='" << se.color << "'>" << esc(se.name)
          << "</text>";
    }
    o << "<text x='" << w << "' y='" << t + 12 << "' text-anchor='end' fill='#666'>" << esc(unit) << "</text>";
    o << "</svg></figure>\n";
    return o.str();
}
}  // namespace

std::string html_page(const run_report& r) {
    std::ostringstream o;
    o << "<!doctype html><html><head><meta charset='utf-8'><title>wvsim report</title><style>"
         "body{font-family:system-ui,sans-serif;margin:2em;color:#222}pre{background:#f6f6f6;padding:1em;"
         "overflow-x:auto}figure{display:inline-block;margin:0 1em 1em 0}figcaption{font-weight:600}"
         "svg text{font-size:11px}</style></head><body>\n";
    o << "<h1>wvsim: " << r.devices << " devices against " << esc(r.target) << "</h1>\n";
    const auto& tl = r.timeline;
    // Seconds with no CONNACK (or PUBACK) have no percentile: NaN leaves a gap in the plot. A
    // format-1 report cannot tell such seconds apart, so its zeros are drawn.
    const bool gaps = r.timeline_histograms;
    const auto ms = [gaps](std::uint64_t us, const metrics::sparse_histogram& h) {
        return gaps && h.empty() ? std::nan("") : static_cast<double>(us) / 1000.0;
    };
    o << chart("Connected devices", "devices", tl,
               {{"connected", "#1f77b4", [](const timeline_sample& s) { return double(s.connected); }}});
    o << chart("Connects per second", "per s", tl,
               {{"connects/s", "#2ca02c", [](const timeline_sample& s) { return double(s.connects); }},
                {"failures/s", "#d62728", [](const timeline_sample& s) { return double(s.failures); }}});
    o << chart("Messages per second", "msg/s", tl,
               {{"sent/s", "#1f77b4", [](const timeline_sample& s) { return double(s.sent); }},
                {"acked/s", "#ff7f0e", [](const timeline_sample& s) { return double(s.acked); }}});
    o << chart("Latency percentiles, per second", "ms", tl,
               {{"CONNACK p50", "#2ca02c", [&](const timeline_sample& s) { return ms(s.connack_p50_us, s.connack); }},
                {"CONNACK p99", "#98df8a", [&](const timeline_sample& s) { return ms(s.connack_p99_us, s.connack); }},
                {"PUBACK p50", "#1f77b4", [&](const timeline_sample& s) { return ms(s.puback_p50_us, s.puback); }},
                {"PUBACK p99", "#aec7e8", [&](const timeline_sample& s) { return ms(s.puback_p99_us, s.puback); }}});
    o << "<h2>Summary</h2><pre>" << esc(summary_text(r)) << "</pre>\n</body></html>\n";
    return o.str();
}

}  // namespace wv::sim
