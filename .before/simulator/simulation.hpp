#pragma once
// One wvsim run from parsed options to the printed report: identities, endpoint (or the
// embedded gateway), the engine, progress, Ctrl-C, --verify, and the report files.
#include "options.hpp"
#include "report.hpp"

namespace wv::sim {

// Returns the process exit code (verdict.hpp): 0 everything held; 1 something did not (the
// summary's last line says what) or a runtime failure; 2 configuration error (after the
// message on stderr).
int run_simulation(const sim_options& o);

// The engine's version string, e.g. "0.1.0".
const char* wvsim_version();

}  // namespace wv::sim
