#pragma once
// Axis ticks people can read: round numbers (1, 2 or 5 times a power of ten) on linear axes,
// powers of ten (and 2 and 5 between them when the range is short) on log axes, and time
// axes in steps of seconds and minutes.
#include <string>
#include <vector>

namespace wv::report_html {

struct axis {
    double lo = 0, hi = 1;       // the drawn range: both ends are ticks
    std::vector<double> ticks;   // ascending, lo and hi included
    bool log = false;
};

// A linear axis from 0 (or `lo` when it is below 0) to at least `hi`, with about `target`
// intervals; the step is 1, 2 or 5 times a power of ten. hi <= lo gives 0..1.
axis linear_axis(double lo, double hi, int target = 5);
// A log axis covering [lo, hi] (both > 0; lo <= 0 is taken as hi / 1000), from the power
// of ten at or below lo to the one at or above hi.
axis log_axis(double lo, double hi);
// A time axis in seconds: steps of 1, 2, 5, 10, 15, 30 s, then 1, 2, 5, 10, 15, 30 min, 1 h...
axis time_axis(double seconds, int target = 8);

// The step a linear axis picks for `range` over about `target` intervals: 1, 2 or 5 x 10^k,
// the one nearest range / target.
double nice_step(double range, int target);
// True when v is 1, 2 or 5 times a power of ten (or 0): what the tests call "round".
bool is_round(double v);

// Tick labels: "0", "250", "1.5", "0.02", "12k", "1.5M"; no exponent notation.
std::string tick_label(double v);
// A time tick: "0", "30 s", "2 min", "1 h 30 min".
std::string time_label(double seconds);

}  // namespace wv::report_html
