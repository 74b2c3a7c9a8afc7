#pragma once
// The metrics `wvauthz bench --expect` can check, and their values in a finished run.
#include "authorizer_clients/loadgen/load_run.hpp"
#include "thresholds/thresholds.hpp"

namespace wv::loadgen {

const thresholds::catalogue& load_metric_catalogue();
thresholds::values load_metric_values(const load_result& r);
// Parses and checks `expressions` against `r`; throws thresholds::parse_error on a bad one.
std::vector<thresholds::result> check_thresholds(const load_result& r, const std::vector<std::string>& expressions);

}  // namespace wv::loadgen
