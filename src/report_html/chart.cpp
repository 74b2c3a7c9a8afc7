#include "report_html/chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "report_html/axis.hpp"
#include "report_html/page.hpp"

namespace wv::report_html {

namespace {

// Geometry in viewBox units; the SVG is drawn at the page's full width.
constexpr double width = 1200, height = 300;
constexpr double left = 72, right = 24, bottom = 34;
constexpr double legend_row = 22, char_width = 7.2, swatch = 16;

std::string num(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f", v);
    return b;
}

struct legend_item {
    std::string name, color;
    enum { line, dashed, band } kind;
};

struct frame {
    double top, plot_h, plot_w;
    axis y, x;
    double px(double xv) const { return left + plot_w * (x.hi > x.lo ? (xv - x.lo) / (x.hi - x.lo) : 0); }
    double py(double yv) const {
        double f;
        if (y.log) {
            const double v = std::max(yv, y.lo);
            f = (std::log10(v) - std::log10(y.lo)) / (std::log10(y.hi) - std::log10(y.lo));
        } else {
            f = (yv - y.lo) / (y.hi - y.lo);
        }
        return top + plot_h * (1 - std::clamp(f, 0.0, 1.0));
    }
};

bool finite(double v) { return std::isfinite(v); }

// Lays the legend out in rows above the plot; returns the strip's height.
double layout_legend(const std::vector<legend_item>& items, std::vector<std::pair<double, double>>& at) {
    double xpos = left, row = 0;
    for (const auto& it : items) {
        const double w = swatch + 6 + char_width * static_cast<double>(it.name.size()) + 20;
        if (xpos + w > width - right && xpos > left) {
            xpos = left;
            ++row;
        }
        at.emplace_back(xpos, 6 + row * legend_row);
        xpos += w;
    }
    return items.empty() ? 8 : (row + 1) * legend_row + 10;
}

}  // namespace

std::string line_chart(const chart_spec& c) {
    std::ostringstream o;
    o << "<figure class='chart'" << (c.id.empty() ? "" : " id='" + escape(c.id) + "'") << "><figcaption>"
      << escape(c.title) << "</figcaption>";

    // The y range over everything drawn.
    double ymin = std::numeric_limits<double>::infinity(), ymax = -ymin, xmax = 0;
    bool any = false;
    const auto see = [&](double v) {
        if (!finite(v)) return;
        if (c.scale == y_scale::log && v <= 0) return;
        any = true;
        ymin = std::min(ymin, v);
        ymax = std::max(ymax, v);
    };
    for (const auto& l : c.lines)
        for (double v : l.y) see(v);
    for (const auto& b : c.bands) {
        for (double v : b.low) see(v);
        for (double v : b.high) see(v);
    }
    // All zeros on a linear axis is nothing to draw too: a flat line on the axis says less than
    // the note (a failed run's "connected" chart).
    if (any && c.scale == y_scale::linear && ymin == 0 && ymax == 0) any = false;
    if (!any) {
        o << "<p class='empty'>" << escape(c.empty_note) << "</p></figure>\n";
        return o.str();
    }
    for (const auto& r : c.references) see(r.y);
    for (double v : c.x) xmax = std::max(xmax, v);

    // The legend names what is drawn: a series without a finite value is left out.
    const auto has = [](const std::vector<double>& v) { return std::any_of(v.begin(), v.end(), finite); };
    std::vector<legend_item> items;
    for (const auto& b : c.bands)
        if (has(b.low) && has(b.high)) items.push_back({b.name, b.color, legend_item::band});
    for (const auto& l : c.lines)
        if (has(l.y)) items.push_back({l.name, l.color, l.dashed ? legend_item::dashed : legend_item::line});
    for (const auto& r : c.references) items.push_back({r.name, r.color, legend_item::dashed});
    std::vector<std::pair<double, double>> at;
    const double strip = layout_legend(items, at);

    frame f;
    f.top = strip + 6;
    f.plot_h = height - f.top - bottom;
    f.plot_w = width - left - right;
    f.y = c.scale == y_scale::log ? log_axis(ymin, ymax)
                                  : linear_axis(std::min(0.0, ymin), c.y_top > 0 ? std::max(ymax, c.y_top) : ymax);
    if (c.x_ticks.size() >= 2) {
        f.x.lo = c.x_ticks.front().x;
        f.x.hi = c.x_ticks.back().x;
        for (const auto& t : c.x_ticks) f.x.ticks.push_back(t.x);
    } else {
        f.x = time_axis(std::max(xmax, 1.0));
    }

    o << "<svg viewBox='0 0 " << width << ' ' << height << "' width='100%' role='img' aria-label='" << escape(c.title)
      << "' data-plot='" << left << ' ' << num(f.top) << ' ' << num(f.plot_w) << ' ' << num(f.plot_h) << "'"
      << (c.scale == y_scale::log ? " data-scale='log'" : " data-scale='linear'") << ">";
    // Grid and y ticks.
    o << "<g class='yaxis'>";
    for (double t : f.y.ticks) {
        const double y = f.py(t);
        o << "<line x1='" << left << "' y1='" << num(y) << "' x2='" << width - right << "' y2='" << num(y)
          << "' stroke='#e4e4e4'/>";
        o << "<text class='tick' data-v='" << t << "' x='" << left - 6 << "' y='" << num(y + 4)
          << "' text-anchor='end'>" << tick_label(t) << "</text>";
    }
    o << "<text x='" << 14 << "' y='" << num(f.top + f.plot_h / 2) << "' transform='rotate(-90 14 "
      << num(f.top + f.plot_h / 2) << ")' text-anchor='middle' class='unit'>" << escape(c.y_unit)
      << (c.scale == y_scale::log ? " (log scale)" : "") << "</text></g>";
    // x ticks.
    o << "<g class='xaxis'>";
    for (std::size_t i = 0; i < f.x.ticks.size(); ++i) {
        const double t = f.x.ticks[i];
        const double x = f.px(t);
        o << "<line x1='" << num(x) << "' y1='" << num(f.top + f.plot_h) << "' x2='" << num(x) << "' y2='"
          << num(f.top + f.plot_h + 4) << "' stroke='#888'/>";
        o << "<text x='" << num(x) << "' y='" << num(f.top + f.plot_h + 18) << "' text-anchor='middle'>"
          << (c.x_ticks.size() >= 2 ? escape(c.x_ticks[i].label) : time_label(t)) << "</text>";
    }
    o << "<line x1='" << left << "' y1='" << num(f.top + f.plot_h) << "' x2='" << width - right << "' y2='"
      << num(f.top + f.plot_h) << "' stroke='#888'/>";
    o << "<line x1='" << left << "' y1='" << num(f.top) << "' x2='" << left << "' y2='" << num(f.top + f.plot_h)
      << "' stroke='#888'/></g>";

    const std::size_t n = c.x.size();
    // Bands: one polygon per run of seconds with both ends known.
    for (const auto& b : c.bands) {
        std::size_t i = 0;
        while (i < n) {
            const auto ok = [&](std::size_t k) {
                return k < b.low.size() && k < b.high.size() && finite(b.low[k]) && finite(b.high[k]);
            };
            if (!ok(i)) {
                ++i;
                continue;
            }
            std::size_t j = i;
            while (j < n && ok(j)) ++j;
            o << "<polygon class='band' fill='" << b.color << "' fill-opacity='0.35' stroke='none' points='";
            if (j - i == 1) {  // one second: a sliver 3 units wide, inside the plot, not nothing
                const double xc = std::clamp(f.px(c.x[i]), left + 1.5, left + f.plot_w - 1.5);
                o << num(xc - 1.5) << ',' << num(f.py(b.high[i])) << ' ' << num(xc + 1.5) << ',' << num(f.py(b.high[i]))
                  << ' ' << num(xc + 1.5) << ',' << num(f.py(b.low[i])) << ' ' << num(xc - 1.5) << ','
                  << num(f.py(b.low[i]));
            } else {
                for (std::size_t k = i; k < j; ++k) o << num(f.px(c.x[k])) << ',' << num(f.py(b.high[k])) << ' ';
                for (std::size_t k = j; k-- > i;) o << num(f.px(c.x[k])) << ',' << num(f.py(b.low[k])) << ' ';
            }
            o << "'/>";
            i = j;
        }
    }
    // Lines: a NaN breaks the line; a lone point is a dot.
    for (const auto& l : c.lines) {
        const std::string dash = l.dashed ? " stroke-dasharray='6 4'" : "";
        std::size_t i = 0;
        while (i < n) {
            const auto ok = [&](std::size_t k) { return k < l.y.size() && finite(l.y[k]); };
            if (!ok(i)) {
                ++i;
                continue;
            }
            std::size_t j = i;
            while (j < n && ok(j)) ++j;
            if (j - i == 1) {
                o << "<circle class='series' cx='" << num(f.px(c.x[i])) << "' cy='" << num(f.py(l.y[i]))
                  << "' r='3' fill='" << l.color << "'/>";
            } else {
                o << "<polyline class='series' fill='none' stroke='" << l.color << "' stroke-width='1.8'" << dash
                  << " points='";
                for (std::size_t k = i; k < j; ++k) o << num(f.px(c.x[k])) << ',' << num(f.py(l.y[k])) << ' ';
                o << "'/>";
            }
            i = j;
        }
    }
    for (const auto& r : c.references) {
        const double y = f.py(r.y);
        o << "<line class='reference' x1='" << left << "' y1='" << num(y) << "' x2='" << width - right << "' y2='"
          << num(y) << "' stroke='" << r.color << "' stroke-width='1.5' stroke-dasharray='6 4'/>";
    }
    // The legend, in its own strip above the plot.
    for (std::size_t i = 0; i < items.size(); ++i) {
        const auto& it = items[i];
        const auto [x, y] = at[i];
        const double w = swatch + 6 + char_width * static_cast<double>(it.name.size());
        o << "<g class='legend' data-bbox='" << num(x) << ' ' << num(y) << ' ' << num(w) << ' ' << 16 << "'>";
        if (it.kind == legend_item::band)
            o << "<rect x='" << num(x) << "' y='" << num(y + 3) << "' width='" << swatch << "' height='10' fill='"
              << it.color << "' fill-opacity='0.35'/>";
        else
            o << "<line x1='" << num(x) << "' y1='" << num(y + 8) << "' x2='" << num(x + swatch) << "' y2='"
              << num(y + 8) << "' stroke='" << it.color << "' stroke-width='2.5'"
              << (it.kind == legend_item::dashed ? " stroke-dasharray='4 3'" : "") << "/>";
        o << "<text x='" << num(x + swatch + 6) << "' y='" << num(y + 12) << "'>" << escape(it.name) << "</text></g>";
    }
    o << "</svg>";
    if (!c.caption.empty()) o << "<p class='caption'>" << escape(c.caption) << "</p>";
    o << "</figure>\n";
    return o.str();
}

}  // namespace wv::report_html
