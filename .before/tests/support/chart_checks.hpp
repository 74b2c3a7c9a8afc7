#pragma once
// Structural checks on the reports' SVG charts (report_html's output), shared by the tests of
// wvsim's and wvauthz's pages. Each returns what is wrong, empty when nothing is:
//   - every y tick is a round number: 1, 2 or 5 times a power of ten, or a multiple of the
//     axis step (linear), a power of ten or 2 or 5 of one (log);
//   - no legend box overlaps the plot area or any plotted point or segment;
//   - every plotted point lies inside the plot area.
#include <string>
#include <vector>

#include "support/html_tree.hpp"

namespace wv::test {

std::vector<std::string> chart_problems(const html_node& root);

// The y positions of a series' points as fractions of the plot height from the bottom (0 at
// the axis, 1 at the top), for the first polyline whose stroke is `color` in chart `svg`.
std::vector<double> series_heights(const html_node& svg, const std::string& color);

}  // namespace wv::test
