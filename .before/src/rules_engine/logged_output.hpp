#pragma once
// A decoder's output read from its log, for decoder Lambdas that log their result and return
// nothing (Ayyeka's logs `<client>:Lambda Output:{json}`; CloudWatch is where its output goes).
//
// The lines are what the call logged, in order: print()/console.* lines, the root logger's
// `[INFO]\t<time>\t<request id>\t<message>` lines, Lambda's START/END/REPORT lines from
// `X-Amz-Log-Result`. Two ways to find the output:
//   last JSON object  the last line holding a JSON object (from one of its '{' to its last '}',
//                     so a prefix such as "AKID:Lambda Output:" or the logger's columns is
//                     skipped), other than the call's own event (many functions log that first)
//   marker            the last line containing the marker text; what follows the marker on that
//                     line must be JSON (any value)
// One line per object: a pretty-printed (multi-line) object is not found. Pure, thread-safe.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace wv::rules_engine {

struct logged_output {
    nlohmann::json value;
    std::size_t line = 0;  // index into the lines
};

// The last JSON object logged that is not equal to `event` (null: skip nothing).
std::optional<logged_output> last_logged_json_object(const std::vector<std::string>& lines,
                                                     const nlohmann::json& event);

// The JSON after `marker` on the last line that contains it. No line with the marker: nullopt.
// A marker line whose remainder is not JSON: std::invalid_argument saying so.
std::optional<logged_output> logged_json_after_marker(const std::vector<std::string>& lines,
                                                      const std::string& marker);

// When nothing was found: a hint for the log, e.g. a python dict printed with print(d), which
// is not JSON. Empty when there is nothing useful to say.
std::string no_logged_json_hint(const std::vector<std::string>& lines);

}  // namespace wv::rules_engine
