#pragma once
// Pass/fail thresholds for CI, as k6 has them: `--expect 'connack.p99<200ms'`,
// `--expect 'acked>=99.9%'`. A tool names its metrics (a catalogue, known before the run, so a
// typo is a usage error, exit 2, listing the names); at the end it supplies the values, and
// every expression is checked and listed; one that fails makes the exit code 1.
//
// Grammar:  metric op number [unit]
//   metric  a name from the tool's catalogue, e.g. connack.p99, acked, rate
//   op      <  <=  >  >=  ==
//   unit    durations: us, ms or s (required); percentages: % (required);
//           rates: /s (optional); counts: none.
// Spaces are allowed between the parts.
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace wv::thresholds {

enum class kind {
    duration,  // values in microseconds
    percent,   // values in percent (0..100)
    count,
    rate,      // per second
};

struct metric_def {
    std::string name;
    kind k = kind::count;
    std::string help;
};
using catalogue = std::vector<metric_def>;

enum class op { lt, le, gt, ge, eq };

struct threshold {
    std::string expression;  // as given
    std::string metric;
    op o = op::lt;
    double bound = 0;        // in the metric's base unit (us for durations)
    kind k = kind::count;
};

// A bad expression: the message says what is wrong and, for an unknown metric, lists the
// known ones. Tools exit 2 on it.
struct parse_error : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

threshold parse(std::string_view expression, const catalogue& known);

// A finished run's values by metric name; a metric without a value (no samples, not
// measured in this mode) is absent, and a threshold on it fails saying so.
using values = std::map<std::string, double>;

struct result {
    std::string expression;
    std::string actual;  // "312 ms", "99.2%", or "no value (...)"
    bool passed = false;
};

std::vector<result> check(const std::vector<threshold>& ts, const values& v);
bool all_passed(const std::vector<result>& rs);

// "312 ms", "812 us", "1.20 s", "99.95%", "17", "120.5/s"
std::string format_value(double v, kind k);

// The summary block: "Thresholds (--expect): 1 of 2 failed\n  FAILED  connack.p99<200ms   was 312 ms\n..."
std::string summary(const std::vector<result>& rs);
// "connack.p99<200ms (was 312 ms); acked>=99.9% (was 98.1%)": the failing ones, for a verdict line.
std::string failed_list(const std::vector<result>& rs);

// The bounds of the duration thresholds on metrics whose name starts with `prefix` ("connack.",
// "latency."), in microseconds: what a latency chart draws as reference lines.
struct duration_bound {
    std::string expression;
    double bound_us = 0;
    bool passed = false;
};
std::vector<duration_bound> duration_bounds(const std::vector<result>& rs, const catalogue& c, std::string_view prefix);

nlohmann::json to_json(const std::vector<result>& rs);
// Throws std::invalid_argument on a malformed list.
std::vector<result> results_from_json(const nlohmann::json& j);

// Lines for --help: each metric with its unit and what it means.
std::string help_text(const catalogue& c);

}  // namespace wv::thresholds
