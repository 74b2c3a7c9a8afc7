#include "authorizer_clients/loadgen/load_report.hpp"

#include "authorizer_clients/loadgen/load_metrics.hpp"
#include "report_html/chart.hpp"
#include "report_html/page.hpp"

#include <cmath>
#include <cstdio>
#include <algorithm>
#include <sstream>

namespace wv::loadgen {
namespace {

std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

std::string bucket_label(double upper) {
    return std::isinf(upper) ? "> 5000 ms" : "<= " + fmt("%g", upper) + " ms";
}

}  // namespace

std::string to_table(const load_result& r) {
    std::ostringstream os;
    os << "authorizer    " << r.backend << "\n"
       << "asked         " << fmt("%.1f", r.asked_rate) << " calls/s for " << fmt("%.1f", r.duration_s) << " s\n"
       << (r.interrupted ? "interrupted   yes: sending stopped early\n" : "")
       << "sent          " << r.sent << " (" << fmt("%.1f", r.send_rate) << "/s)\n"
       << "completed     " << r.completed << " (" << fmt("%.1f", r.achieved_rate) << "/s over " << fmt("%.2f", r.elapsed_s)
       << " s)\n"
       << "outcomes      allowed " << r.allowed << ", denied_by_policy " << r.denied_by_policy << ", denied " << r.denied
       << ", invalid " << r.invalid << ", errors "
       << r.backend_errors << ", timeouts (> deadline) " << r.timeouts << ", overloaded " << r.overloaded << "\n"
       << "throttled     " << r.throttled << "\n";
    if (!r.errors_by_kind.empty()) {
        os << "by kind      ";
        for (const auto& [k, n] : r.errors_by_kind) os << " " << k << "=" << n;
        os << "\n";
    }
    os << "latency ms    p50 " << fmt("%.2f", r.p50_ms) << "  p90 " << fmt("%.2f", r.p90_ms) << "  p99 "
       << fmt("%.2f", r.p99_ms) << "  p99.9 " << fmt("%.2f", r.p999_ms) << "  max " << fmt("%.2f", r.max_ms) << "  mean "
       << fmt("%.2f", r.mean_ms) << "\n";
    std::uint64_t most = 1;
    for (const auto& b : r.histogram) most = std::max(most, b.count);
    for (const auto& b : r.histogram) {
        if (b.count == 0) continue;
        const auto bar = static_cast<std::size_t>(std::ceil(40.0 * static_cast<double>(b.count) / static_cast<double>(most)));
        char label[32];
        std::snprintf(label, sizeof label, "%12s", bucket_label(b.upper_ms).c_str());
        os << "  " << label << " " << std::string(bar, '#') << " " << b.count << "\n";
    }
    return os.str();
}

nlohmann::json to_json(const load_result& r, const bench_context& c) {
    nlohmann::json hist = nlohmann::json::array();
    for (const auto& b : r.histogram)
        hist.push_back({{"le_ms", std::isinf(b.upper_ms) ? nlohmann::json("inf") : nlohmann::json(b.upper_ms)}, {"count", b.count}});
    nlohmann::json timeline = nlohmann::json::array();
    for (const auto& p : r.timeline)
        timeline.push_back({{"t_s", p.t_s}, {"completed", p.completed}, {"failed", p.failed}, {"p50_ms", p.p50_ms}, {"p99_ms", p.p99_ms}});
    return {{"authorizer", r.backend},
            {"asked_rate", r.asked_rate},
            {"duration_s", r.duration_s},
            {"interrupted", r.interrupted},
            {"elapsed_s", r.elapsed_s},
            {"sent", r.sent},
            {"send_rate", r.send_rate},
            {"completed", r.completed},
            {"achieved_rate", r.achieved_rate},
            {"outcomes",
             {{"allowed", r.allowed},
              {"denied", r.denied},
              {"denied_by_policy", r.denied_by_policy},
              {"invalid", r.invalid},
              {"backend_error", r.backend_errors},
              {"timeout", r.timeouts},
              {"overloaded", r.overloaded}}},
            {"throttled", r.throttled},
            {"errors_by_kind", r.errors_by_kind},
            {"latency_ms",
             {{"p50", r.p50_ms}, {"p90", r.p90_ms}, {"p99", r.p99_ms}, {"p99.9", r.p999_ms}, {"max", r.max_ms}, {"mean", r.mean_ms}}},
            {"histogram", hist},
            {"timeline", timeline},
            {"command_line", c.command_line},
            {"started_at", c.started_at},
            {"thresholds", thresholds::to_json(c.thresholds)}};
}

std::string to_html(const load_result& r, const bench_context& c) {
    namespace h = report_html;
    const std::uint64_t failed = r.invalid + r.backend_errors + r.timeouts + r.overloaded;
    h::run_header hd;
    hd.tool = "wvauthz bench";
    hd.title = fmt("%.0f", r.asked_rate) + " calls/s for " + fmt("%.0f", r.duration_s) + " s against " + r.backend;
    hd.command_line = c.command_line;
    hd.started_at = c.started_at;
    hd.target = r.backend;
    hd.versions = {{"wvauthz", c.version}};
    hd.ok = c.exit_code == 0 && failed == 0;
    if (c.exit_code != 0)
        hd.verdict = "FAILED" + (thresholds::all_passed(c.thresholds) ? std::string()
                                                                     : ": --expect " + thresholds::failed_list(c.thresholds)) +
                     " (exit " + std::to_string(c.exit_code) + ")";
    else if (failed)
        hd.verdict = std::to_string(failed) + " of " + std::to_string(r.completed) +
                     " calls got no valid answer (exit 0: no --expect said otherwise)";
    else
        hd.verdict = "every call answered (exit 0)";
    std::string o = h::page_begin(hd);
    o += h::stat_cards({{"calls completed, of sent", std::to_string(r.completed) + " of " + std::to_string(r.sent),
                         r.completed == r.sent ? "good" : "bad"},
                        {"calls/s achieved (asked " + fmt("%.0f", r.asked_rate) + ")", fmt("%.1f", r.achieved_rate), ""},
                        {"allowed / denied by policy / denied",
                         std::to_string(r.allowed) + " / " + std::to_string(r.denied_by_policy) + " / " +
                             std::to_string(r.denied),
                         ""},
                        {"no valid answer", std::to_string(failed), failed ? "bad" : "good"},
                        {"latency p99", fmt("%.2f ms", r.p99_ms), ""}});
    if (!c.scope_note.empty())
        o += h::section("scope", "Region / account", "<p class='empty'>" + h::escape(c.scope_note) + "</p>\n");
    if (failed || r.interrupted || !thresholds::all_passed(c.thresholds)) {
        std::vector<h::bar_row> rows;
        for (const auto& [k, n] : r.errors_by_kind) rows.push_back({k, static_cast<double>(n), h::color::red, ""});
        if (r.timeouts) rows.push_back({"timeout", static_cast<double>(r.timeouts), h::color::red, "over the deadline"});
        if (r.overloaded)
            rows.push_back({"overloaded", static_cast<double>(r.overloaded), h::color::orange, "queue full: never called"});
        std::string body = rows.empty() ? "" : "<h3>Calls without a valid answer, by kind</h3>\n" + h::bars(rows, "failures");
        if (r.interrupted) body += "<p>Interrupted: sending stopped early (Ctrl-C).</p>\n";
        if (!thresholds::all_passed(c.thresholds)) {
            std::vector<h::table_row> t;
            for (const auto& x : c.thresholds)
                if (!x.passed) t.push_back({{x.expression, x.actual}, "bad"});
            body += "<h3>--expect thresholds that failed</h3>\n" + h::table({"expression", "actual"}, t);
        }
        o += h::section("failures", "What went wrong", body);
    }
    if (!c.thresholds.empty()) {
        std::vector<h::table_row> t;
        for (const auto& x : c.thresholds)
            t.push_back({{x.expression, x.actual, x.passed ? "ok" : "FAILED"}, x.passed ? "good" : "bad"});
        o += h::section("thresholds", "Thresholds (--expect)", h::table({"expression", "actual", "result"}, t));
    }
    std::vector<double> x, done, bad, p50, p99;
    const double nan = std::nan("");
    for (const auto& p : r.timeline) {
        x.push_back(p.t_s);
        done.push_back(static_cast<double>(p.completed));
        bad.push_back(static_cast<double>(p.failed));
        p50.push_back(p.completed ? p.p50_ms : nan);  // a second without calls is a gap, not 0 ms
        p99.push_back(p.completed ? p.p99_ms : nan);
    }
    h::chart_spec calls;
    calls.title = "Calls completed per second";
    calls.y_unit = "per s";
    calls.x = x;
    calls.lines = {{"completed/s", h::color::blue, done}, {"without a valid answer/s", h::color::red, bad}};
    calls.empty_note = "no call completed";
    h::chart_spec lat;
    lat.id = "latency";
    lat.title = "Latency per second, from each call's scheduled time (p50 to p99 band)";
    lat.y_unit = "ms";
    lat.scale = h::y_scale::log;
    lat.x = x;
    lat.bands = {{"p50..p99", h::color::light_blue, p50, p99}};
    lat.lines = {{"p50", h::color::blue, p50}, {"p99", "#0d3d66", p99}};
    for (const auto& b : thresholds::duration_bounds(c.thresholds, load_metric_catalogue(), "latency."))
        lat.references.push_back({"--expect " + b.expression, b.passed ? h::color::grey : h::color::red, b.bound_us / 1e3});
    lat.empty_note = "no call completed: no latency to plot";
    lat.caption = "Log scale: a slow second stays on the chart without flattening the others.";
    o += h::section("timeline", "Over time", h::line_chart(calls) + h::line_chart(lat));
    std::vector<h::bar_row> hist;
    for (const auto& b : r.histogram)
        if (b.count) hist.push_back({bucket_label(b.upper_ms), static_cast<double>(b.count), h::color::green, ""});
    o += h::section("histogram", "Latency histogram (whole run)",
                    hist.empty() ? "<p class='empty'>no call completed</p>" : h::bars(hist));
    o += h::section("summary", "Summary as printed", h::pre(to_table(r) + thresholds::summary(c.thresholds)));
    return o + h::page_end();
}

}  // namespace wv::loadgen
