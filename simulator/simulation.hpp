#pragma once
// One wvsim run from parsed options to the printed report: identities, endpoint (or the
// embedded gateway), the engine, progress, Ctrl-C, --verify, and the report files.
#include "options.hpp"
#include "report.hpp"

namespace wv::sim {

// Returns the process exit code: 0 the run completed and every expectation held; 1 runtime
// failure, a failed expectation, --verify found a gap, or no device connected at all;
// 2 configuration error (after the message on stderr).
int run_simulation(const sim_options& o);

// The engine's version string, e.g. "0.1.0".
const char* wvsim_version();

}  // namespace wv::sim
