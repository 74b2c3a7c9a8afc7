#pragma once
// What a finished run's exit code says, and why, in one place: `wvsim` and `wvsim merge`
// both end with it, and the summary's last line prints it.
//
//   0  everything held: every device without an allow/deny expectation connected, every
//      credentials-file expectation came true, and --verify (if asked) found every acked
//      report and every will of a killed device;
//   1  the run finished but one of those did not hold (the reason says which), or it was
//      stopped at once (second Ctrl-C, or a device stuck past every deadline);
//   2  usage or configuration error, before anything ran (not decided here).
#include <string>

#include "report.hpp"

namespace wv::sim {

struct verdict {
    int exit_code = 0;
    std::string reason;  // "OK", or what did not hold, e.g. "3 of 200 devices never connected"
};

verdict judge(const run_report& r);

// The exit codes as --help prints them.
extern const char* const exit_codes_help;

}  // namespace wv::sim
