#include "authorizer_clients/loadgen/load_metrics.hpp"

namespace wv::loadgen {

namespace {
using thresholds::kind;
std::uint64_t failed(const load_result& r) { return r.invalid + r.backend_errors + r.timeouts + r.overloaded; }
}  // namespace

const thresholds::catalogue& load_metric_catalogue() {
    static const thresholds::catalogue c{
        {"latency.p50", kind::duration, "call latency from its scheduled time, p50"},
        {"latency.p90", kind::duration, "call latency, p90"},
        {"latency.p99", kind::duration, "call latency, p99"},
        {"latency.p99.9", kind::duration, "call latency, p99.9"},
        {"latency.max", kind::duration, "call latency, largest"},
        {"latency.mean", kind::duration, "call latency, mean"},
        {"allowed", kind::percent, "calls whose device could connect (as invoke says), of those completed"},
        {"denied", kind::percent, "calls answered deny (isAuthenticated false), of those completed"},
        {"denied_by_policy", kind::percent, "calls authenticated whose policies deny iot:Connect, of those completed"},
        {"errors", kind::percent, "calls without a valid answer (invalid, backend error, timeout, overloaded), of completed"},
        {"invalid", kind::percent, "calls whose answer AWS would reject, of completed"},
        {"timeouts", kind::percent, "calls over the deadline, of completed"},
        {"completed", kind::percent, "calls completed, of those sent"},
        {"rate", kind::rate, "calls completed per second"},
        {"throttled", kind::count, "calls the backend throttled"},
    };
    return c;
}

thresholds::values load_metric_values(const load_result& r) {
    thresholds::values v;
    if (r.completed) {
        v["latency.p50"] = r.p50_ms * 1e3;
        v["latency.p90"] = r.p90_ms * 1e3;
        v["latency.p99"] = r.p99_ms * 1e3;
        v["latency.p99.9"] = r.p999_ms * 1e3;
        v["latency.max"] = r.max_ms * 1e3;
        v["latency.mean"] = r.mean_ms * 1e3;
        const auto pct = [&](std::uint64_t n) { return 100.0 * static_cast<double>(n) / static_cast<double>(r.completed); };
        v["allowed"] = pct(r.allowed);
        v["denied"] = pct(r.denied);
        v["denied_by_policy"] = pct(r.denied_by_policy);
        v["errors"] = pct(failed(r));
        v["invalid"] = pct(r.invalid);
        v["timeouts"] = pct(r.timeouts);
    }
    if (r.sent) v["completed"] = 100.0 * static_cast<double>(r.completed) / static_cast<double>(r.sent);
    v["rate"] = r.achieved_rate;
    v["throttled"] = static_cast<double>(r.throttled);
    return v;
}

std::vector<thresholds::result> check_thresholds(const load_result& r, const std::vector<std::string>& expressions) {
    std::vector<thresholds::threshold> ts;
    for (const auto& e : expressions) ts.push_back(thresholds::parse(e, load_metric_catalogue()));
    return thresholds::check(ts, load_metric_values(r));
}

}  // namespace wv::loadgen
