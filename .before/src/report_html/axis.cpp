#include "report_html/axis.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace wv::report_html {

double nice_step(double range, int target) {
    if (!(range > 0)) return 1;
    // Heckbert's nice numbers: the 1, 2, 5 or 10 x 10^k nearest the raw step.
    const double raw = range / std::max(1, target);
    const double p = std::pow(10.0, std::floor(std::log10(raw)));
    const double m = raw / p;
    return (m < 1.5 ? 1 : m < 3 ? 2 : m < 7 ? 5 : 10) * p;
}

bool is_round(double v) {
    if (v == 0) return true;
    v = std::fabs(v);
    const double p = std::pow(10.0, std::floor(std::log10(v) + 1e-12));
    const double m = v / p;
    for (const double want : {1.0, 2.0, 5.0, 10.0})
        if (std::fabs(m - want) < 1e-6) return true;
    return false;
}

namespace {
// Cleans floating noise: 0.30000000000000004 -> 0.3.
double snap(double v, double step) {
    const double digits = std::max(0.0, -std::floor(std::log10(step)) + 1);
    const double f = std::pow(10.0, digits);
    return std::round(v * f) / f;
}
}  // namespace

axis linear_axis(double lo, double hi, int target) {
    lo = std::min(lo, 0.0);
    if (!(hi > lo)) hi = lo + 1;
    const double step = nice_step(hi - lo, target);
    axis a;
    a.lo = std::floor(lo / step + 1e-9) * step;
    a.hi = std::ceil(hi / step - 1e-9) * step;
    for (double v = a.lo; v <= a.hi + step / 2; v += step) a.ticks.push_back(snap(v, step));
    a.lo = a.ticks.front();
    a.hi = a.ticks.back();
    return a;
}

axis log_axis(double lo, double hi) {
    if (!(hi > 0)) hi = 1;
    if (!(lo > 0) || lo > hi) lo = hi / 1000;
    int e0 = static_cast<int>(std::floor(std::log10(lo) + 1e-9));
    int e1 = static_cast<int>(std::ceil(std::log10(hi) - 1e-9));
    if (e1 <= e0) e1 = e0 + 1;
    axis a;
    a.log = true;
    const bool fine = e1 - e0 <= 2;  // a short range gets 2 and 5 between the powers of ten
    for (int e = e0; e <= e1; ++e) {
        const double p = std::pow(10.0, e);
        a.ticks.push_back(p);
        if (fine && e < e1) {
            a.ticks.push_back(2 * p);
            a.ticks.push_back(5 * p);
        }
    }
    a.lo = a.ticks.front();
    a.hi = a.ticks.back();
    return a;
}

axis time_axis(double seconds, int target) {
    if (!(seconds > 0)) seconds = 1;
    static const double steps[] = {1,   2,   5,    10,   15,   30,    60,    120,   300,
                                   600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400};
    double step = steps[std::size(steps) - 1];
    for (const double s : steps)
        if (seconds / s <= target) {
            step = s;
            break;
        }
    axis a;
    for (double v = 0; v < seconds + step - 1e-9; v += step) a.ticks.push_back(v);
    a.lo = 0;
    a.hi = a.ticks.back();
    return a;
}

std::string tick_label(double v) {
    char buf[32];
    const double a = std::fabs(v);
    const auto trim = [](std::string s) {
        if (s.find('.') != std::string::npos) {
            while (s.back() == '0') s.pop_back();
            if (s.back() == '.') s.pop_back();
        }
        return s;
    };
    if (a >= 1e6) {
        std::snprintf(buf, sizeof buf, "%.2f", v / 1e6);
        return trim(buf) + "M";
    }
    if (a >= 1e4) {
        std::snprintf(buf, sizeof buf, "%.2f", v / 1e3);
        return trim(buf) + "k";
    }
    std::snprintf(buf, sizeof buf, "%.6f", v);
    auto s = trim(buf);
    return s == "-0" ? "0" : s;
}

std::string time_label(double seconds) {
    const auto s = static_cast<long>(std::llround(seconds));
    if (s == 0) return "0";
    if (s < 120 && s % 60 != 0) return std::to_string(s) + " s";
    if (s < 3600) return s % 60 ? std::to_string(s / 60) + " min " + std::to_string(s % 60) + " s"
                                : std::to_string(s / 60) + " min";
    const auto h = s / 3600, m = (s % 3600) / 60;
    return std::to_string(h) + " h" + (m ? " " + std::to_string(m) + " min" : "");
}

}  // namespace wv::report_html
