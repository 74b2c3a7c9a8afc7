// wvsim's HTML report: what was run on top, the verdict, why a failed run failed, then the
// run over time (connections, messages, latency on a log scale with p50..p99 bands, the
// authorizer's share of CONNACK) and the whole-run tables. Drawn with report_html, the chart
// library `wvauthz bench` uses too.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <span>

#include "onboard_claim.hpp"
#include "onboard_jitr.hpp"
#include "outcome.hpp"
#include "report.hpp"
#include "report_html/chart.hpp"
#include "report_html/page.hpp"
#include "run_metrics.hpp"
#include "verdict.hpp"

namespace wv::sim {

namespace {
namespace h = report_html;

std::string num_text(const char* f, double v) {
    char b[64];
    std::snprintf(b, sizeof b, f, v);
    return b;
}

std::string duration_text(std::uint64_t us) { return thresholds::format_value(static_cast<double>(us), thresholds::kind::duration); }

std::string pct(std::uint64_t part, std::uint64_t whole) {
    return whole ? num_text("%.2f%%", 100.0 * static_cast<double>(part) / static_cast<double>(whole)) : "-";
}

h::run_header header(const run_report& r) {
    h::run_header hd;
    hd.tool = "wvsim";
    hd.title = std::to_string(r.devices) + " devices against " + r.target +
               (r.embedded_gateway ? " (embedded wvgate)" : "") +
               (r.shards_merged > 1 ? ", " + std::to_string(r.shards_merged) + " shards merged" : "");
    hd.command_line = r.command_line;
    hd.started_at = r.started_at;
    hd.target = r.target + (r.embedded_gateway ? " (embedded wvgate)" : "") + ", engine " + r.engine +
                (r.protocol == "mqtt" ? ", MQTT " + r.mqtt_version + (r.topic_alias ? " (topic alias)" : "") : "") +
                ", QoS " + std::to_string(r.qos);
    if (r.versions.empty()) hd.versions.emplace_back("wvsim", r.version);
    for (const auto& [k, v] : r.versions) hd.versions.emplace_back(k, v);
    const auto v = judge(r);
    hd.ok = v.exit_code == 0;
    hd.verdict = (hd.ok ? "" : "FAILED: ") + v.reason + " (exit " + std::to_string(v.exit_code) + ")";
    return hd;
}

std::vector<h::stat_card> cards(const run_report& r) {
    std::vector<h::stat_card> c;
    std::uint64_t connected = 0;
    if (const auto it = r.connect_outcomes.find("connected"); it != r.connect_outcomes.end()) connected = it->second;
    c.push_back({"connect attempts that connected", std::to_string(connected) + " of " + std::to_string(r.connect_attempts),
                 connected == r.connect_attempts && connected ? "good" : "bad"});
    c.push_back({"peak connected", std::to_string(r.connected_peak) + " of " + std::to_string(r.devices), ""});
    if (r.qos)
        c.push_back({"reports acked, of due", pct(r.reports_acked, r.reports_due),
                     r.reports_due && r.reports_acked == r.reports_due ? "good" : "bad"});
    else
        c.push_back({"reports sent, of due", pct(r.reports_sent, r.reports_due), ""});
    c.push_back({"msg/s achieved (asked " + num_text("%.1f", r.asked_msgs_per_s) + ")", num_text("%.1f", r.achieved_msgs_per_s()), ""});
    for (const char* k : {"connack", "puback"})
        if (const auto it = r.latency.find(k); it != r.latency.end() && it->second.count())
            c.push_back({std::string(k == std::string("connack") ? "CONNACK" : "PUBACK") + " p99",
                         duration_text(it->second.percentile_us(0.99)), ""});
    if (!r.thresholds.empty()) {
        std::size_t ok = 0;
        for (const auto& t : r.thresholds) ok += t.passed;
        c.push_back({"--expect thresholds passed", std::to_string(ok) + " of " + std::to_string(r.thresholds.size()),
                     ok == r.thresholds.size() ? "good" : "bad"});
    }
    return c;
}

// Why the run failed, drawn: the failed connects by outcome, unsent reports by reason, the
// credentials mismatches, --verify's gaps and the failed thresholds. Empty when nothing failed.
std::string failures(const run_report& r) {
    std::string body;
    std::vector<h::bar_row> connects;
    for (const auto& [k, n] : r.connect_outcomes)
        if (k != "connected") connects.push_back({k, static_cast<double>(n), h::color::red, describe_bucket(k)});
    if (!connects.empty())
        body += "<h3>Connect attempts that failed, by outcome</h3>\n" + h::bars(connects, "failures");
    std::vector<h::bar_row> ends;
    for (const auto& [k, n] : r.session_ends)
        if (k != "clean_stop" && k != "churned" && k != "killed") ends.push_back({k, static_cast<double>(n), h::color::orange, describe_bucket(k)});
    if (!ends.empty()) body += "<h3>Sessions that ended early</h3>\n" + h::bars(ends, "failures");
    static const std::pair<const char*, const char*> reasons[] = {
        {"never_connected", "their device never connected"},
        {"connection_lost", "their device's connection ended early and did not come back"},
        {"behind_at_end", "their device was still catching up when it stopped"}};
    std::vector<h::bar_row> unsent;
    for (const auto& [k, why] : reasons)
        if (const auto it = r.unsent.find(k); it != r.unsent.end() && it->second)
            unsent.push_back({k, static_cast<double>(it->second), h::color::orange, why});
    if (r.qos && r.reports_lost)
        unsent.push_back({"lost", static_cast<double>(r.reports_lost), h::color::red, "sent, never acknowledged"});
    if (!unsent.empty()) body += "<h3>Reports not delivered</h3>\n" + h::bars(unsent, "failures");
    if (!r.mismatches.empty()) {
        std::vector<h::table_row> rows;
        for (std::size_t i = 0; i < r.mismatches.size() && i < 50; ++i) {
            const auto& m = r.mismatches[i];
            rows.push_back({{m.akid, m.expected, m.actual, describe_bucket(m.actual)}, "bad"});
        }
        body += "<h3>Credentials file: " + std::to_string(r.mismatches.size()) + " of " +
                std::to_string(r.expectations_checked) + " devices not as expected" +
                (r.mismatches.size() > 50 ? " (first 50; all in --json)" : "") + "</h3>\n" +
                h::table({"AKID", "expected", "got", "meaning"}, rows);
    }
    if (r.verify && !r.verify->ok()) {
        const auto& v = *r.verify;
        std::vector<h::table_row> rows{{{"acked reports never seen by the subscriber", std::to_string(v.reports_missing)},
                                        v.reports_missing ? "bad" : ""},
                                       {{"undecodable payloads", std::to_string(v.undecodable)}, v.undecodable ? "bad" : ""},
                                       {{"wills of killed devices missing",
                                         std::to_string(v.wills_expected > v.wills_received ? v.wills_expected - v.wills_received : 0)},
                                        v.wills_received < v.wills_expected ? "bad" : ""}};
        for (const auto& s : v.incomplete) rows.push_back({{s, ""}, ""});
        body += "<h3>--verify</h3>\n" + h::table({"what", "count"}, rows);
    }
    if (!thresholds::all_passed(r.thresholds)) {
        std::vector<h::table_row> rows;
        for (const auto& t : r.thresholds)
            if (!t.passed) rows.push_back({{t.expression, t.actual}, "bad"});
        body += "<h3>--expect thresholds that failed</h3>\n" + h::table({"expression", "actual"}, rows);
    }
    if (r.rules)
        if (const auto f = r.rules->failures(); !f.empty()) {
            std::vector<h::table_row> rows;
            for (const auto& x : f) rows.push_back({{x}, "bad"});
            body += "<h3>Topic rules</h3>\n" + h::table({"what did not hold"}, rows);
        }
    if (r.devices_down_at_end)
        body += "<p>" + std::to_string(r.devices_down_at_end) +
                " devices were down at the end (closed by the server, or a reconnect failed for good).</p>\n";
    if (r.stopped_at_once) body += "<p>Stopped at once (second Ctrl-C or a stuck device): the counts are partial.</p>\n";
    if (body.empty() && judge(r).exit_code != 0) body = "<p>" + h::escape(judge(r).reason) + "</p>\n";
    if (body.empty()) return {};
    std::string notes;
    for (const auto& n : r.notes) notes += "<li>" + h::escape(n) + "</li>";
    for (const auto& w : r.warnings) notes += "<li>Warning: " + h::escape(w) + "</li>";
    if (!notes.empty()) body += "<h3>Notes</h3><ul>" + notes + "</ul>\n";
    return h::section("failures", "Why it failed", body);
}

// --expect bounds on a stage's latency, as reference lines on its chart (ms).
std::vector<h::reference_line> bounds_for(const run_report& r, const std::string& stage) {
    std::vector<h::reference_line> out;
    for (const auto& b : thresholds::duration_bounds(r.thresholds, run_metric_catalogue(), stage + "."))
        out.push_back({"--expect " + b.expression, b.passed ? h::color::grey : h::color::red, b.bound_us / 1e3});
    return out;
}

std::string timeline_charts(const run_report& r) {
    const auto& tl = r.timeline;
    std::vector<double> x;
    for (const auto& s : tl) x.push_back(s.t);
    const auto col = [&](auto f) {
        std::vector<double> v;
        for (const auto& s : tl) v.push_back(f(s));
        return v;
    };
    const double nan = std::nan("");
    // A second without CONNACKs (or PUBACKs) has no percentile: NaN leaves a gap. Format-1
    // reports cannot tell such seconds apart, so their zeros are drawn.
    const bool gaps = r.timeline_histograms;
    const auto ms = [&](std::uint64_t us, const metrics::sparse_histogram& hist) {
        return gaps && hist.empty() ? nan : static_cast<double>(us) / 1e3;
    };
    const auto q_ms = [&](const metrics::sparse_histogram& hist, double q) {
        return hist.empty() ? nan : static_cast<double>(hist.percentile_us(q)) / 1e3;
    };
    const std::string no_connect = "No device connected in any second: nothing to plot (see \"Why it failed\" above).";
    std::string o;

    h::chart_spec c;
    c.x = x;
    c.title = "Connected devices";
    c.y_unit = "devices";
    c.lines = {{"connected", h::color::blue, col([](const timeline_sample& s) { return double(s.connected); })}};
    c.empty_note = tl.empty() ? "No timeline: the run ended before its first second."
                              : "No device was connected at any time (see \"Why it failed\" above).";
    o += h::line_chart(c);

    c = {};
    c.x = x;
    c.title = "Connects per second";
    c.y_unit = "per s";
    c.lines = {{"connects/s", h::color::green, col([](const timeline_sample& s) { return double(s.connects); })},
               {"failed connects/s", h::color::red, col([](const timeline_sample& s) { return double(s.failures); })}};
    c.empty_note = "No connect attempt ended in any second.";
    o += h::line_chart(c);

    c = {};
    c.x = x;
    c.title = "Reports per second";
    c.y_unit = "msg/s";
    c.lines = {{"sent/s", h::color::blue, col([](const timeline_sample& s) { return double(s.sent); })}};
    // Dashed, so a sent/s line under it still shows.
    if (r.qos)
        c.lines.push_back({"acked/s", h::color::orange, col([](const timeline_sample& s) { return double(s.acked); }), true});
    c.empty_note = "No report was sent (see \"Why it failed\" above).";
    o += h::line_chart(c);

    const bool authz = std::any_of(tl.begin(), tl.end(), [](const timeline_sample& s) { return !s.authorizer.empty(); });
    c = {};
    c.x = x;
    c.id = "connack";
    c.title = "CONNACK latency per second (p50 to p99 band)";
    c.y_unit = "ms";
    c.scale = h::y_scale::log;
    c.bands = {{"CONNACK p50..p99", h::color::light_green,
                col([&](const timeline_sample& s) { return ms(s.connack_p50_us, s.connack); }),
                col([&](const timeline_sample& s) { return ms(s.connack_p99_us, s.connack); })}};
    c.lines = {{"CONNACK p50", h::color::green, col([&](const timeline_sample& s) { return ms(s.connack_p50_us, s.connack); })},
               {"CONNACK p99", "#1a6b1a", col([&](const timeline_sample& s) { return ms(s.connack_p99_us, s.connack); })}};
    if (authz) {
        c.lines.push_back({"authorizer p50", h::color::purple,
                           col([&](const timeline_sample& s) { return q_ms(s.authorizer, 0.5); }), true});
        c.lines.push_back({"authorizer p99", "#5b3c88", col([&](const timeline_sample& s) { return q_ms(s.authorizer, 0.99); }),
                           true});
        c.title = "CONNACK latency per second (p50 to p99 band) and the authorizer's part";
    }
    c.references = bounds_for(r, "connack");
    c.empty_note = no_connect;
    if (authz && std::all_of(tl.begin(), tl.end(), [](const timeline_sample& s) { return s.connack.empty(); }))
        c.title = "No CONNACK in any second; the authorizer's answers (embedded gateway)";
    c.caption = "Log scale: a slow second stays on the chart without flattening the others. Seconds without a "
                "CONNACK leave a gap.";
    o += h::line_chart(c);

    if (authz) {
        c = {};
        c.x = x;
        c.id = "authorizer-share";
        c.title = "The authorizer's share of CONNACK per second (embedded gateway)";
        c.y_unit = "% of CONNACK";
        c.y_top = 100;
        const auto share = [&](double q) {
            return col([&, q](const timeline_sample& s) {
                if (s.authorizer.empty() || s.connack.empty()) return nan;
                const double a = static_cast<double>(s.authorizer.percentile_us(q));
                const double k = static_cast<double>(s.connack.percentile_us(q));
                return k > 0 ? std::min(100.0, 100.0 * a / k) : nan;
            });
        };
        c.lines = {{"authorizer p50 / CONNACK p50", h::color::purple, share(0.5)},
                   {"authorizer p99 / CONNACK p99", "#5b3c88", share(0.99), true}};
        c.empty_note = "No second had both a CONNACK and an authorizer call to compare.";
        c.caption = "The rest of CONNACK is TCP, TLS and the gateway (and the queue in front of the authorizer is "
                    "counted as the authorizer's).";
        o += h::line_chart(c);
    }

    if (r.qos) {
        c = {};
        c.x = x;
        c.id = "puback";
        c.title = "PUBACK latency per second, from each report's due time (p50 to p99 band)";
        c.y_unit = "ms";
        c.scale = h::y_scale::log;
        c.bands = {{"PUBACK p50..p99", h::color::light_blue,
                    col([&](const timeline_sample& s) { return ms(s.puback_p50_us, s.puback); }),
                    col([&](const timeline_sample& s) { return ms(s.puback_p99_us, s.puback); })}};
        c.lines = {{"PUBACK p50", h::color::blue, col([&](const timeline_sample& s) { return ms(s.puback_p50_us, s.puback); })},
                   {"PUBACK p99", "#0d3d66", col([&](const timeline_sample& s) { return ms(s.puback_p99_us, s.puback); })}};
        c.references = bounds_for(r, "puback");
        c.empty_note = "No PUBACK in any second: no report was acknowledged (see \"Why it failed\" above).";
        o += h::line_chart(c);
    }
    return o;
}

// Each onboarding step's whole histogram as a latency distribution: its value at every
// percentile, drawn at -log10(1 - q) so p99 and p99.9 get as much room as the median.
std::string onboarding_chart(const run_report& r, bool jitr) {
    struct step {
        const char* key;
        const char* name;
        const char* color;
    };
    static const step claim_steps[] = {{"onboard_claim", "claim (CreateProvisioningClaim)", h::color::grey},
                                       {"onboard_connect", "connect (TLS with the claim, CONNECT, SUBSCRIBE)", h::color::blue},
                                       {"onboard_create", "create (certificate)", h::color::green},
                                       {"onboard_register", "register (RegisterThing, hook included)", h::color::orange},
                                       {"onboard_hook", "the hook alone (in the gateway)", h::color::red},
                                       {"onboard_reconnect", "reconnect (TLS with the new certificate)", h::color::purple}};
    static const step jitr_steps[] = {{"onboard_attempt", "one connect attempt", h::color::blue},
                                      {"time_to_active", "time to active (first attempt to CONNACK 0)", h::color::orange}};
    const auto steps = jitr ? std::span<const step>(jitr_steps) : std::span<const step>(claim_steps);
    h::chart_spec c;
    c.id = "onboarding-steps";
    c.title = jitr ? "JITR: time to active and one attempt, by percentile"
                   : "Onboarding steps: each step's latency by percentile (the whole histogram)";
    c.y_unit = "ms";
    c.scale = h::y_scale::log;
    c.x_ticks = {{0, "min"}, {std::log10(2.0), "p50"}, {1, "p90"}, {2, "p99"}, {3, "p99.9"}};
    for (int i = 0; i <= 60; ++i) c.x.push_back(i * 0.05);
    for (const auto& st : steps) {
        const auto it = r.latency.find(st.key);
        if (it == r.latency.end() || it->second.count() == 0) continue;
        h::line_series l{.name = std::string(st.name) + ": p50 " + duration_text(it->second.percentile_us(0.5)) + ", p99 " +
                                 duration_text(it->second.percentile_us(0.99)),
                         .color = st.color,
                         .y = {},
                         .dashed = std::string(st.key) == "onboard_hook"};
        for (double x : c.x) l.y.push_back(static_cast<double>(it->second.percentile_us(1 - std::pow(10.0, -x))) / 1000);
        c.lines.push_back(std::move(l));
    }
    c.empty_note = "no onboarding step was timed";
    c.caption = jitr ? "A device's time to active counts from its first attempt; an attempt is TCP, TLS and CONNECT to "
                       "CONNACK or close."
                     : "Each step counts from the end of the one before; the hook's line is the gateway's own "
                       "measure of the pre-provisioning hook (queue and call), a part of register.";
    return h::line_chart(c);
}

std::string latency_table(const run_report& r) {
    std::vector<h::table_row> rows;
    for (const char* k : {"tcp_connect", "tls_handshake", "connack", "puback", "send_lag"}) {
        const auto it = r.latency.find(k);
        if (it == r.latency.end() || it->second.count() == 0) continue;
        const auto& hist = it->second;
        rows.push_back({{k, std::to_string(hist.count()), duration_text(hist.percentile_us(0.5)), duration_text(hist.percentile_us(0.9)),
                         duration_text(hist.percentile_us(0.99)), duration_text(hist.percentile_us(0.999)), duration_text(hist.max_us())},
                        ""});
    }
    if (r.gateway.is_object() && r.gateway.value("authorizer_calls", std::uint64_t{0}) > 0 &&
        r.gateway.contains("authorizer_p50_us"))
        rows.push_back({{"authorizer (gateway)", std::to_string(r.gateway["authorizer_calls"].get<std::uint64_t>()),
                         duration_text(r.gateway["authorizer_p50_us"].get<std::uint64_t>()), "-",
                         duration_text(r.gateway["authorizer_p99_us"].get<std::uint64_t>()), "-",
                         duration_text(r.gateway.value("authorizer_max_us", std::uint64_t{0}))},
                        ""});
    if (rows.empty()) return "<p class='empty'>No latency samples: no connect succeeded.</p>\n";
    return h::table({"stage", "count", "p50", "p90", "p99", "p99.9", "max"}, rows) +
           "<p class='caption'>PUBACK counts from the time each report was due, so a slow server shows as latency; "
           "send_lag is due time to sent (the client's own delay, waiting to connect included).</p>\n";
}

std::string outcomes_table(const run_report& r) {
    std::vector<h::table_row> rows;
    for (const auto& [k, n] : r.connect_outcomes)
        rows.push_back({{"connect", k, std::to_string(n), describe_bucket(k)}, k == "connected" ? "good" : "bad"});
    for (const auto& [k, n] : r.session_ends) rows.push_back({{"session end", k, std::to_string(n), describe_bucket(k)}, ""});
    for (const auto& [k, n] : r.refused) rows.push_back({{"report refused", k, std::to_string(n), describe_bucket(k)}, ""});
    std::vector<h::table_row> rep{
        {{"planned", std::to_string(r.reports_planned)}, ""}, {{"due", std::to_string(r.reports_due)}, ""},
        {{"sent", std::to_string(r.reports_sent)}, ""},       {{"acked", r.qos ? std::to_string(r.reports_acked) : "-"}, ""},
        {{"lost", r.qos ? std::to_string(r.reports_lost) : "-"}, r.reports_lost ? "bad" : ""},
        {{"unsent", std::to_string(r.reports_skipped)}, r.reports_skipped ? "bad" : ""},
        {{"late (sent 1 s or more after due)", std::to_string(r.reports_late)}, ""}};
    return h::table({"kind", "bucket", "count", "meaning"}, rows) + "<h3>Reports</h3>\n" + h::table({"", "count"}, rep);
}

// The embedded gateway's topic rules: each action's runs, and for a validate action how the
// user's decoder compared with the reference, by kind.
std::string rules_section(const rules_result& rr) {
    std::vector<h::table_row> rows;
    std::string detail;
    for (const auto& a : rr.actions) {
        const bool bad = a.failed || a.dropped || a.unfinished() ||
                         (a.validation && (a.validation->mismatched || a.validation->errors || a.validation->timeouts));
        rows.push_back({{a.rule, a.kind, a.action, std::to_string(a.rule_matched), std::to_string(a.ok),
                         std::to_string(a.failed), std::to_string(a.dropped), std::to_string(a.unfinished())},
                        bad ? "bad" : "good"});
        if (!a.validation) continue;
        const auto& v = *a.validation;
        std::vector<h::bar_row> bars{{"matched", static_cast<double>(v.matched), h::color::green,
                                      v.both_rejected ? std::to_string(v.both_rejected) + " of them rejected by both" : ""},
                                     {"mismatched", static_cast<double>(v.mismatched), h::color::red, ""},
                                     {"errors", static_cast<double>(v.errors), h::color::red, ""},
                                     {"timeouts", static_cast<double>(v.timeouts), h::color::orange, ""}};
        for (const auto& [k, n] : v.mismatched_by_kind)
            bars.push_back({"  " + k, static_cast<double>(n), h::color::red, "messages with at least one"});
        for (const auto& [k, n] : v.errors_by_reason) bars.push_back({"  error: " + k, static_cast<double>(n), h::color::red, ""});
        detail += "<h3>" + h::escape("validate, rule '" + a.rule + "': " + std::to_string(v.validated) + " messages compared" +
                                     (v.decoder_replies ? ", decoder p50 " + duration_text(v.decoder_p50_us) + ", p99 " + duration_text(v.decoder_p99_us) : "")) +
                  "</h3>\n" + h::bars(bars);
    }
    return h::table({"rule", "kind", "action", "matched", "ok", "failed", "dropped", "unfinished"}, rows) + detail;
}

}  // namespace

std::string html_page(const run_report& r) {
    std::string o = h::page_begin(header(r));
    o += h::stat_cards(cards(r));
    o += failures(r);
    if (!r.thresholds.empty()) {
        std::vector<h::table_row> rows;
        for (const auto& t : r.thresholds) rows.push_back({{t.expression, t.actual, t.passed ? "ok" : "FAILED"}, t.passed ? "good" : "bad"});
        o += h::section("thresholds", "Thresholds (--expect)", h::table({"expression", "actual", "result"}, rows));
    }
    if (r.onboarding.is_object() && r.onboarding.value("mode", "") == "jitr")
        o += h::section("onboarding", "Onboarding (--onboard jitr)",
                        h::pre(jitr_summary_text(r.onboarding)) + onboarding_chart(r, true));
    else if (r.onboarding.is_object())
        o += h::section("onboarding", "Onboarding (--onboard " + r.onboarding.value("mode", std::string()) + ")",
                        h::pre(claim_summary_text(r.onboarding)) + onboarding_chart(r, false));
    o += h::section("timeline", "Over time", timeline_charts(r));
    if (r.rules) o += h::section("rules", "Topic rules (embedded gateway)", rules_section(*r.rules));
    o += h::section("latency", "Latency over the whole run", latency_table(r));
    o += h::section("outcomes", "Connections and reports", outcomes_table(r));
    o += h::section("summary", "Summary as printed", h::pre(summary_text(r)));
    return o + h::page_end();
}

}  // namespace wv::sim
