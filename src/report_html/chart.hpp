#pragma once
// Line charts over time as inline SVG, the one way both reports draw them.
//
//   - the y axis has round ticks (axis.hpp), linear or log; a log axis keeps one slow second
//     from flattening the rest, and a band (p50..p99) shows the spread under the lines;
//   - the legend sits in a strip above the plot area, so no line can cross it;
//   - a series value of NaN is a gap (a second without samples), never a fake 0;
//   - a chart with nothing to draw says why (`empty_note`) instead of drawing empty axes:
//     nothing finite, or (linear axis) nothing but zeros.
//
// The SVG carries what the structural tests read: data-plot='x y w h' on the <svg>,
// data-bbox='x y w h' on each legend item, class='tick' data-v='value' on each y tick label.
#include <string>
#include <vector>

namespace wv::report_html {

enum class y_scale { linear, log };

struct line_series {
    std::string name;
    std::string color;
    std::vector<double> y;  // one per x; NaN: no value that second
    bool dashed = false;
};

// A shaded area between two series, e.g. p50..p99.
struct band_series {
    std::string name;
    std::string color;
    std::vector<double> low, high;  // one per x; NaN in either: a gap
};

// A horizontal reference line, e.g. an --expect bound.
struct reference_line {
    std::string name;
    std::string color;
    double y = 0;
};

// A tick of a chart's own x axis: where (in x units) and what it reads.
struct x_tick {
    double x = 0;
    std::string label;
};

struct chart_spec {
    std::string id;     // the figure's id (for links from the page), optional
    std::string title;
    std::string y_unit; // shown on the axis: "ms", "devices", "per s"
    y_scale scale = y_scale::linear;
    double y_top = 0;   // a linear axis's fixed top (e.g. 100 for percentages); 0: from the data
    std::vector<double> x;  // seconds from the start, ascending (or in x_ticks' units)
    // The x axis's own ticks, ascending, first to last the drawn range; empty: a time axis
    // (seconds from the start). E.g. a latency distribution drawn at -log10(1 - q), labelled
    // "p50", "p90", "p99", "p99.9", so the tail gets as much width as the median.
    std::vector<x_tick> x_ticks;
    std::vector<band_series> bands;
    std::vector<line_series> lines;
    std::vector<reference_line> references;
    std::string empty_note = "no samples";  // shown instead of the plot when nothing is finite
    std::string caption;  // a sentence under the chart, optional
};

std::string line_chart(const chart_spec& c);

// The palette both reports use, so a CONNACK line has one colour everywhere.
namespace color {
inline constexpr const char* blue = "#1f77b4";
inline constexpr const char* light_blue = "#aec7e8";
inline constexpr const char* orange = "#ff7f0e";
inline constexpr const char* light_orange = "#ffbb78";
inline constexpr const char* green = "#2ca02c";
inline constexpr const char* light_green = "#98df8a";
inline constexpr const char* red = "#d62728";
inline constexpr const char* purple = "#9467bd";
inline constexpr const char* grey = "#7f7f7f";
}  // namespace color

}  // namespace wv::report_html
