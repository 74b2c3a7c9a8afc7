#include "support/chart_checks.hpp"

#include <cmath>

namespace wv::test {

namespace {
bool one_two_five(double v) {
    if (v == 0) return true;
    v = std::fabs(v);
    const double p = std::pow(10.0, std::floor(std::log10(v) + 1e-12));
    const double m = v / p;
    return std::fabs(m - 1) < 1e-6 || std::fabs(m - 2) < 1e-6 || std::fabs(m - 5) < 1e-6 || std::fabs(m - 10) < 1e-6;
}

struct box {
    double x, y, w, h;
    bool contains(double px, double py) const { return px >= x && px <= x + w && py >= y && py <= y + h; }
};

// Does segment a-b cross box r? (Liang-Barsky clipping.)
bool segment_hits(const box& r, double ax, double ay, double bx, double by) {
    double t0 = 0, t1 = 1;
    const double dx = bx - ax, dy = by - ay;
    const double p[] = {-dx, dx, -dy, dy};
    const double q[] = {ax - r.x, r.x + r.w - ax, ay - r.y, r.y + r.h - ay};
    for (int i = 0; i < 4; ++i) {
        if (p[i] == 0) {
            if (q[i] < 0) return false;
            continue;
        }
        const double t = q[i] / p[i];
        if (p[i] < 0) t0 = std::max(t0, t);
        else t1 = std::min(t1, t);
        if (t0 > t1) return false;
    }
    return true;
}

std::vector<std::pair<double, double>> pairs(const std::string& points) {
    const auto n = numbers(points);
    std::vector<std::pair<double, double>> out;
    for (std::size_t i = 0; i + 1 < n.size(); i += 2) out.emplace_back(n[i], n[i + 1]);
    return out;
}
}  // namespace

std::vector<std::string> chart_problems(const html_node& root) {
    std::vector<std::string> bad;
    for (const auto* svg : root.find("svg")) {
        const auto title = svg->attr("aria-label");
        const auto pv = numbers(svg->attr("data-plot"));
        if (pv.size() != 4) {
            bad.push_back(title + ": no data-plot");
            continue;
        }
        const box plot{pv[0], pv[1], pv[2], pv[3]};
        const bool log = svg->attr("data-scale") == "log";
        std::vector<double> ticks;
        for (const auto* t : svg->find("text", "tick")) ticks.push_back(std::stod(t->attr("data-v")));
        if (ticks.size() < 2) bad.push_back(title + ": fewer than 2 y ticks");
        for (std::size_t i = 0; i < ticks.size(); ++i) {
            if (!one_two_five(ticks[i]) && !log) {
                // A linear axis may show multiples of its step (0, 50, 100, 150): round if the step is.
                const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 0;
                const double k = step ? ticks[i] / step : 0.5;
                if (!one_two_five(step) || std::fabs(k - std::round(k)) > 1e-6)
                    bad.push_back(title + ": tick " + std::to_string(ticks[i]) + " is not round");
            } else if (log && !one_two_five(ticks[i])) {
                bad.push_back(title + ": log tick " + std::to_string(ticks[i]) + " is not 1, 2 or 5 x 10^k");
            }
        }
        std::vector<std::vector<std::pair<double, double>>> lines;
        for (const auto* p : svg->find("polyline", "series")) lines.push_back(pairs(p->attr("points")));
        for (const auto* p : svg->find("polygon", "band")) {
            auto pts = pairs(p->attr("points"));
            if (!pts.empty()) pts.push_back(pts.front());
            lines.push_back(pts);
        }
        for (const auto* c : svg->find("circle", "series"))
            lines.push_back({{std::stod(c->attr("cx")), std::stod(c->attr("cy"))}});
        for (const auto& l : lines)
            for (const auto& [x, y] : l)
                if (!box{plot.x - 0.5, plot.y - 0.5, plot.w + 1, plot.h + 1}.contains(x, y))
                    bad.push_back(title + ": point " + std::to_string(x) + "," + std::to_string(y) + " outside the plot");
        for (const auto* g : svg->find("g", "legend")) {
            const auto b = numbers(g->attr("data-bbox"));
            if (b.size() != 4) {
                bad.push_back(title + ": legend without data-bbox");
                continue;
            }
            const box lb{b[0], b[1], b[2], b[3]};
            const bool overlaps_plot = lb.x < plot.x + plot.w && lb.x + lb.w > plot.x && lb.y < plot.y + plot.h &&
                                       lb.y + lb.h > plot.y;
            if (overlaps_plot) bad.push_back(title + ": legend '" + g->all_text() + "' overlaps the plot area");
            for (const auto& l : lines) {
                for (std::size_t i = 0; i < l.size(); ++i) {
                    const auto [ax, ay] = l[i];
                    const auto [bx, by] = i + 1 < l.size() ? l[i + 1] : l[i];
                    if (segment_hits(lb, ax, ay, bx, by)) {
                        bad.push_back(title + ": a series crosses legend '" + g->all_text() + "'");
                        i = l.size();
                    }
                }
            }
        }
    }
    return bad;
}

std::vector<double> series_heights(const html_node& svg, const std::string& color) {
    const auto pv = numbers(svg.attr("data-plot"));
    std::vector<double> out;
    if (pv.size() != 4) return out;
    for (const auto* p : svg.find("polyline", "series")) {
        if (p->attr("stroke") != color) continue;
        for (const auto& [x, y] : pairs(p->attr("points"))) out.push_back((pv[1] + pv[3] - y) / pv[3]);
        break;
    }
    return out;
}

}  // namespace wv::test
