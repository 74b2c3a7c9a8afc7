#pragma once
// The metrics `wvsim --expect` can check, and their values in a finished run (a merged one
// too: `wvsim merge` checks the shards' expressions against the whole fleet).
#include "report.hpp"
#include "thresholds/thresholds.hpp"

namespace wv::sim {

const thresholds::catalogue& run_metric_catalogue();
thresholds::values run_metric_values(const run_report& r);

// Checks `expressions` against `r` and stores the results in r.thresholds (replacing any).
// Throws thresholds::parse_error on a bad expression.
void check_thresholds(run_report& r, const std::vector<std::string>& expressions);

// The --expect part of --help.
std::string expect_help();

}  // namespace wv::sim
