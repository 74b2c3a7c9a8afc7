#include <algorithm>
#include <stdexcept>

#include "metrics/histogram_json.hpp"
#include "onboard_jitr.hpp"
#include "report.hpp"

namespace wv::sim {

using nlohmann::json;

double run_report::achieved_msgs_per_s() const {
    return publish_window_s > 0 ? static_cast<double>(reports_sent) / publish_window_s : 0.0;
}

double run_report::cpu_percent_of_core() const {
    return duration_s > 0 ? 100.0 * (cpu_user_s + cpu_system_s) / duration_s : 0.0;
}

void timeline_sample::set_latency(metrics::sparse_histogram c, metrics::sparse_histogram p) {
    connack = std::move(c);
    puback = std::move(p);
    connack_p50_us = connack.percentile_us(0.5);
    connack_p99_us = connack.percentile_us(0.99);
    puback_p50_us = puback.percentile_us(0.5);
    puback_p99_us = puback.percentile_us(0.99);
}

namespace {
// Format 2 added the per-second histograms ("timeline_latency"); format 1 had none.
constexpr int report_format = 2;
}  // namespace

json to_json(const run_report& r) {
    json lat = json::object();
    for (const auto& [k, h] : r.latency) lat[k] = metrics::to_json(h);
    json tl = json::array();
    for (const auto& s : r.timeline)
        tl.push_back({s.t, s.connected, s.connects, s.failures, s.sent, s.acked, s.connack_p50_us, s.connack_p99_us,
                      s.puback_p50_us, s.puback_p99_us});
    json tl_lat = json::array();
    if (r.timeline_histograms)
        for (const auto& s : r.timeline)
            tl_lat.push_back({metrics::to_compact_json(s.connack), metrics::to_compact_json(s.puback)});
    json mm = json::array();
    for (const auto& m : r.mismatches) mm.push_back({{"akid", m.akid}, {"expected", m.expected}, {"actual", m.actual}});
    json j = {
        {"tool", "wvsim"},
        {"format", r.timeline_histograms ? report_format : 1},
        {"version", r.version},
        {"command_line", r.command_line},
        {"started_at", r.started_at},
        {"versions", r.versions},
        {"engine", r.engine},
        {"protocol", r.protocol},
        {"transport", r.transport},
        {"mqtt_version", r.mqtt_version},
        {"topic_alias", r.topic_alias},
        {"target", r.target},
        {"embedded_gateway", r.embedded_gateway},
        {"fleet_devices", r.fleet_devices},
        {"devices", r.devices},
        {"shard", r.shard},
        {"shards_merged", r.shards_merged},
        {"qos", r.qos},
        {"asked_msgs_per_s", r.asked_msgs_per_s},
        {"asked_connects_per_s", r.asked_connects_per_s},
        {"duration_s", r.duration_s},
        {"publish_window_s", r.publish_window_s},
        {"connect_attempts", r.connect_attempts},
        {"connected_peak", r.connected_peak},
        {"connect_outcomes", r.connect_outcomes},
        {"session_ends", r.session_ends},
        {"refused", r.refused},
        {"reports", {{"planned", r.reports_planned}, {"due", r.reports_due}, {"sent", r.reports_sent},
                     {"acked", r.reports_acked}, {"lost", r.reports_lost}, {"skipped", r.reports_skipped},
                     {"unsent", r.unsent}, {"late", r.reports_late},
                     {"report_ends_sent", r.report_ends_sent}, {"achieved_msgs_per_s", r.achieved_msgs_per_s()}}},
        {"devices_killed", r.devices_killed},
        {"devices_never_connected", r.devices_never_connected},
        {"devices_down_at_end", r.devices_down_at_end},
        {"stopped_at_once", r.stopped_at_once},
        {"latency_us", lat},
        {"expectations", {{"checked", r.expectations_checked}, {"met", r.expectations_met}, {"mismatches", mm}}},
        {"process", {{"cpu_user_s", r.cpu_user_s}, {"cpu_system_s", r.cpu_system_s},
                     {"cpu_percent_of_core", r.cpu_percent_of_core()}, {"rss_baseline_kib", r.rss_baseline_kib},
                     {"rss_peak_kib", r.rss_peak_kib}}},
        {"timeline_columns", {"t", "connected", "connects", "failures", "sent", "acked", "connack_p50_us",
                              "connack_p99_us", "puback_p50_us", "puback_p99_us"}},
        {"timeline", tl},
        {"warnings", r.warnings},
        {"notes", r.notes},
        {"gateway", r.gateway},
        {"thresholds", thresholds::to_json(r.thresholds)},
    };
    if (!r.onboarding.is_null()) j["onboarding"] = r.onboarding;  // --onboard runs only
    if (r.timeline_histograms) {
        // One row per timeline row: the second's latencies whole, so `wvsim merge` is exact.
        j["timeline_latency_columns"] = {"connack", "puback"};
        j["timeline_latency"] = std::move(tl_lat);
        // The embedded gateway's authorizer latency, second by second (its share of CONNACK).
        bool any_authorizer = false;
        for (const auto& s : r.timeline) any_authorizer = any_authorizer || !s.authorizer.empty();
        if (any_authorizer) {
            json ta = json::array();
            for (const auto& s : r.timeline) ta.push_back(metrics::to_compact_json(s.authorizer));
            j["timeline_authorizer"] = std::move(ta);
        }
    }
    if (r.rules) j["rules"] = rules_to_json(*r.rules);
    if (r.verify) {
        const auto& v = *r.verify;
        j["verify"] = {{"ok", v.ok()},
                       {"reports_expected", v.reports_expected},
                       {"reports_received", v.reports_received},
                       {"reports_missing", v.reports_missing},
                       {"duplicates", v.duplicates},
                       {"undecodable", v.undecodable},
                       {"wills_expected", v.wills_expected},
                       {"wills_received", v.wills_received},
                       {"report_ends_closed", v.report_ends_closed},
                       {"incomplete", v.incomplete}};
    }
    return j;
}

std::string to_json_text(const run_report& r) {
    auto j = to_json(r);
    std::string out = "{\n";
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (it != j.begin()) out += ",\n";
        out += " " + json(it.key()).dump() + ": ";
        const bool rows = (it.key() == "timeline" || it.key() == "timeline_latency" || it.key() == "timeline_authorizer") &&
                          it->is_array();
        if (!rows) {
            // Indented like dump(1), one level in.
            std::string v = it->dump(1);
            for (std::size_t at = v.find('\n'); at != std::string::npos; at = v.find('\n', at + 2)) v.insert(at + 1, " ");
            out += v;
            continue;
        }
        out += "[";
        for (std::size_t i = 0; i < it->size(); ++i) out += (i ? ",\n  " : "\n  ") + (*it)[i].dump();
        out += it->empty() ? "]" : "\n ]";
    }
    return out + "\n}\n";
}

namespace {
const json& need(const json& j, const char* k) {
    if (!j.is_object()) throw std::invalid_argument(std::string("report: expected an object holding \"") + k + "\"");
    const auto it = j.find(k);
    if (it == j.end()) throw std::invalid_argument(std::string("report: missing \"") + k + "\"");
    return *it;
}
template <class T>
T get(const json& j, const char* k) {
    try {
        return need(j, k).get<T>();
    } catch (const json::exception& e) {
        throw std::invalid_argument(std::string("report: \"") + k + "\": " + e.what());
    }
}
template <class T>
T get_or(const json& j, const char* k, T def) {
    return j.contains(k) ? get<T>(j, k) : def;
}
}  // namespace

run_report report_from_json(const json& j) {
    if (!j.is_object() || j.value("tool", "") != "wvsim")
        throw std::invalid_argument("report: not a wvsim JSON report (no \"tool\": \"wvsim\")");
    run_report r;
    try {
        r.version = get_or<std::string>(j, "version", "");
        r.command_line = get_or<std::string>(j, "command_line", "");
        r.started_at = get_or<std::string>(j, "started_at", "");
        r.versions = get_or<std::map<std::string, std::string>>(j, "versions", {});
        r.engine = get<std::string>(j, "engine");
        r.protocol = get_or<std::string>(j, "protocol", "mqtt");
        r.transport = get_or<std::string>(j, "transport", "tls");
        r.mqtt_version = get_or<std::string>(j, "mqtt_version", "3.1.1");  // reports from before --mqtt
        r.topic_alias = get_or<bool>(j, "topic_alias", false);
        r.target = get<std::string>(j, "target");
        r.embedded_gateway = get_or(j, "embedded_gateway", false);
        r.fleet_devices = get<std::uint32_t>(j, "fleet_devices");
        r.devices = get<std::uint32_t>(j, "devices");
        r.shard = get<std::string>(j, "shard");
        r.shards_merged = get_or<std::uint32_t>(j, "shards_merged", 1);
        r.qos = get<int>(j, "qos");
        r.asked_msgs_per_s = get<double>(j, "asked_msgs_per_s");
        r.asked_connects_per_s = get<double>(j, "asked_connects_per_s");
        r.duration_s = get<double>(j, "duration_s");
        r.publish_window_s = get<double>(j, "publish_window_s");
        r.connect_attempts = get<std::uint64_t>(j, "connect_attempts");
        r.connected_peak = get<std::uint64_t>(j, "connected_peak");
        r.connect_outcomes = get<std::map<std::string, std::uint64_t>>(j, "connect_outcomes");
        r.session_ends = get<std::map<std::string, std::uint64_t>>(j, "session_ends");
        r.refused = get_or<std::map<std::string, std::uint64_t>>(j, "refused", {});
        const auto& rep = need(j, "reports");
        r.reports_planned = get<std::uint64_t>(rep, "planned");
        r.reports_due = get<std::uint64_t>(rep, "due");
        r.reports_sent = get<std::uint64_t>(rep, "sent");
        r.reports_acked = get<std::uint64_t>(rep, "acked");
        r.reports_lost = get<std::uint64_t>(rep, "lost");
        r.reports_skipped = get<std::uint64_t>(rep, "skipped");
        r.unsent = get_or<std::map<std::string, std::uint64_t>>(rep, "unsent", {});
        r.reports_late = get_or<std::uint64_t>(rep, "late", 0);
        r.report_ends_sent = get<std::uint64_t>(rep, "report_ends_sent");
        r.devices_killed = get<std::uint64_t>(j, "devices_killed");
        r.devices_never_connected = get_or<std::uint64_t>(j, "devices_never_connected", 0);
        r.devices_down_at_end = get_or<std::uint64_t>(j, "devices_down_at_end", 0);
        r.stopped_at_once = get_or(j, "stopped_at_once", false);
        for (const auto& [k, h] : need(j, "latency_us").items()) {
            try {
                r.latency[k] = metrics::histogram_from_json(h);
            } catch (const std::invalid_argument& e) {
                throw std::invalid_argument("report: latency_us." + k + ": " + e.what());
            }
        }
        const auto& ex = need(j, "expectations");
        r.expectations_checked = get<std::uint64_t>(ex, "checked");
        r.expectations_met = get<std::uint64_t>(ex, "met");
        for (const auto& m : need(ex, "mismatches"))
            r.mismatches.push_back(
                {get<std::string>(m, "akid"), get<std::string>(m, "expected"), get<std::string>(m, "actual")});
        const auto& p = need(j, "process");
        r.cpu_user_s = get<double>(p, "cpu_user_s");
        r.cpu_system_s = get<double>(p, "cpu_system_s");
        r.rss_baseline_kib = get<std::uint64_t>(p, "rss_baseline_kib");
        r.rss_peak_kib = get<std::uint64_t>(p, "rss_peak_kib");
        for (const auto& s : need(j, "timeline")) {
            if (!s.is_array() || s.size() != 10) throw std::invalid_argument("report: timeline rows must have 10 columns");
            timeline_sample t;
            t.t = s[0].get<double>();
            t.connected = s[1].get<std::uint64_t>();
            t.connects = s[2].get<std::uint64_t>();
            t.failures = s[3].get<std::uint64_t>();
            t.sent = s[4].get<std::uint64_t>();
            t.acked = s[5].get<std::uint64_t>();
            t.connack_p50_us = s[6].get<std::uint64_t>();
            t.connack_p99_us = s[7].get<std::uint64_t>();
            t.puback_p50_us = s[8].get<std::uint64_t>();
            t.puback_p99_us = s[9].get<std::uint64_t>();
            r.timeline.push_back(t);
        }
        const int format = get_or<int>(j, "format", 1);
        if (format > report_format)
            throw std::invalid_argument("report: format " + std::to_string(format) + " is newer than this wvsim reads (" +
                                        std::to_string(report_format) + "): use a newer wvsim");
        r.timeline_histograms = format >= 2;
        if (r.timeline_histograms) {
            const auto& tl = need(j, "timeline_latency");
            if (!tl.is_array() || tl.size() != r.timeline.size())
                throw std::invalid_argument("report: timeline_latency must have one row per timeline row");
            for (std::size_t i = 0; i < tl.size(); ++i) {
                if (!tl[i].is_array() || tl[i].size() != 2)
                    throw std::invalid_argument("report: timeline_latency rows must be [connack, puback]");
                try {
                    auto& row = r.timeline[i];
                    // The stored percentiles are recomputed from the histograms they came from.
                    row.set_latency(metrics::sparse_histogram_from_json(tl[i][0]),
                                    metrics::sparse_histogram_from_json(tl[i][1]));
                } catch (const std::invalid_argument& e) {
                    throw std::invalid_argument("report: timeline_latency[" + std::to_string(i) + "]: " + e.what());
                }
            }
        }
        if (j.contains("timeline_authorizer")) {
            const auto& ta = j["timeline_authorizer"];
            if (!ta.is_array() || ta.size() != r.timeline.size())
                throw std::invalid_argument("report: timeline_authorizer must have one row per timeline row");
            for (std::size_t i = 0; i < ta.size(); ++i) r.timeline[i].authorizer = metrics::sparse_histogram_from_json(ta[i]);
        }
        if (j.contains("thresholds")) r.thresholds = thresholds::results_from_json(j["thresholds"]);
        r.warnings = get_or<std::vector<std::string>>(j, "warnings", {});
        r.notes = get_or<std::vector<std::string>>(j, "notes", {});
        if (j.contains("gateway")) r.gateway = j["gateway"];
        if (j.contains("onboarding")) r.onboarding = j["onboarding"];
        if (j.contains("rules") && j["rules"].is_object()) r.rules = rules_from_json(j["rules"]);
        if (j.contains("verify") && j["verify"].is_object()) {
            const auto& v = j["verify"];
            verify_result x;
            x.reports_expected = get<std::uint64_t>(v, "reports_expected");
            x.reports_received = get<std::uint64_t>(v, "reports_received");
            x.reports_missing = get<std::uint64_t>(v, "reports_missing");
            x.duplicates = get<std::uint64_t>(v, "duplicates");
            x.undecodable = get_or<std::uint64_t>(v, "undecodable", 0);
            x.wills_expected = get<std::uint64_t>(v, "wills_expected");
            x.wills_received = get<std::uint64_t>(v, "wills_received");
            x.report_ends_closed = get_or<std::uint64_t>(v, "report_ends_closed", 0);
            x.incomplete = get_or<std::vector<std::string>>(v, "incomplete", {});
            r.verify = x;
        }
    } catch (const json::exception& e) {
        throw std::invalid_argument(std::string("report: ") + e.what());
    }
    return r;
}

void merge(run_report& a, const run_report& b) {
    if (a.engine != b.engine) a.engine += "+" + b.engine;
    if (a.mqtt_version != b.mqtt_version) a.mqtt_version += "+" + b.mqtt_version;
    a.topic_alias = a.topic_alias || b.topic_alias;
    if (a.started_at.empty() || (!b.started_at.empty() && b.started_at < a.started_at)) a.started_at = b.started_at;
    if (a.command_line.empty()) a.command_line = b.command_line;
    for (const auto& [k, v] : b.versions) a.versions.try_emplace(k, v);
    // The shards' --expect expressions, each once: `wvsim merge` checks them on the whole fleet.
    for (const auto& t : b.thresholds) {
        bool have = false;
        for (const auto& x : a.thresholds) have = have || x.expression == t.expression;
        if (!have) a.thresholds.push_back(t);
    }
    if (a.target != b.target) a.notes.push_back("merged shards ran against different targets: " + b.target);
    a.fleet_devices = std::max(a.fleet_devices, b.fleet_devices);
    a.devices += b.devices;
    a.shards_merged += b.shards_merged;
    a.shard = "merged";
    a.asked_msgs_per_s += b.asked_msgs_per_s;
    a.asked_connects_per_s += b.asked_connects_per_s;
    // Shards run side by side: rates add over the longest window.
    const double rate = a.achieved_msgs_per_s() + b.achieved_msgs_per_s();
    a.duration_s = std::max(a.duration_s, b.duration_s);
    a.publish_window_s = std::max(a.publish_window_s, b.publish_window_s);
    a.connect_attempts += b.connect_attempts;
    a.connected_peak += b.connected_peak;
    for (const auto& [k, v] : b.connect_outcomes) a.connect_outcomes[k] += v;
    for (const auto& [k, v] : b.session_ends) a.session_ends[k] += v;
    for (const auto& [k, v] : b.refused) a.refused[k] += v;
    a.reports_planned += b.reports_planned;
    a.reports_due += b.reports_due;
    a.reports_sent += b.reports_sent;
    a.reports_acked += b.reports_acked;
    a.reports_lost += b.reports_lost;
    a.reports_skipped += b.reports_skipped;
    for (const auto& [k, v] : b.unsent) a.unsent[k] += v;
    a.reports_late += b.reports_late;
    a.report_ends_sent += b.report_ends_sent;
    a.devices_killed += b.devices_killed;
    a.devices_never_connected += b.devices_never_connected;
    a.devices_down_at_end += b.devices_down_at_end;
    a.stopped_at_once = a.stopped_at_once || b.stopped_at_once;
    if (rate > 0) a.publish_window_s = static_cast<double>(a.reports_sent) / rate;
    for (const auto& [k, h] : b.latency) a.latency[k].merge(h);
    if (!b.onboarding.is_null())
        a.onboarding = merge_jitr_json(a.onboarding, b.onboarding, a.latency["time_to_active"], a.latency["onboard_attempt"]);
    a.expectations_checked += b.expectations_checked;
    a.expectations_met += b.expectations_met;
    a.mismatches.insert(a.mismatches.end(), b.mismatches.begin(), b.mismatches.end());
    a.cpu_user_s += b.cpu_user_s;
    a.cpu_system_s += b.cpu_system_s;
    a.rss_baseline_kib += b.rss_baseline_kib;
    a.rss_peak_kib += b.rss_peak_kib;
    // Timelines: one row per second from the start, so rows line up by position.
    const bool exact = a.timeline_histograms && b.timeline_histograms;
    a.timeline_histograms = exact;
    if (a.timeline.size() < b.timeline.size()) {
        const auto n = a.timeline.size();
        a.timeline.resize(b.timeline.size());
        for (auto i = n; i < a.timeline.size(); ++i) a.timeline[i].t = b.timeline[i].t;
    }
    for (std::size_t i = 0; i < b.timeline.size(); ++i) {
        auto& x = a.timeline[i];
        const auto& y = b.timeline[i];
        x.connected += y.connected;
        x.connects += y.connects;
        x.failures += y.failures;
        x.sent += y.sent;
        x.acked += y.acked;
        x.authorizer.merge(y.authorizer);
        if (exact) {
            auto c = x.connack, p = x.puback;
            c.merge(y.connack);
            p.merge(y.puback);
            x.set_latency(std::move(c), std::move(p));
        } else {
            x.connack_p50_us = std::max(x.connack_p50_us, y.connack_p50_us);
            x.connack_p99_us = std::max(x.connack_p99_us, y.connack_p99_us);
            x.puback_p50_us = std::max(x.puback_p50_us, y.puback_p50_us);
            x.puback_p99_us = std::max(x.puback_p99_us, y.puback_p99_us);
        }
    }
    if (!exact) {
        for (auto& x : a.timeline) x.connack = x.puback = {};
        const std::string note = "a shard report of format 1 has no per-second histograms: the merged timeline's "
                                 "percentiles are the worst shard's (the summary's latency table is exact)";
        if (std::find(a.notes.begin(), a.notes.end(), note) == a.notes.end()) a.notes.push_back(note);
    }
    for (const auto& w : b.warnings)
        if (std::find(a.warnings.begin(), a.warnings.end(), w) == a.warnings.end()) a.warnings.push_back(w);
    if (b.rules) {
        if (!a.rules) a.rules = rules_result{};
        merge(*a.rules, *b.rules);
    }
    if (b.verify) {
        if (!a.verify) a.verify = verify_result{};
        auto& v = *a.verify;
        v.reports_expected += b.verify->reports_expected;
        v.reports_received += b.verify->reports_received;
        v.reports_missing += b.verify->reports_missing;
        v.duplicates += b.verify->duplicates;
        v.undecodable += b.verify->undecodable;
        v.wills_expected += b.verify->wills_expected;
        v.wills_received += b.verify->wills_received;
        v.report_ends_closed += b.verify->report_ends_closed;
        v.incomplete.insert(v.incomplete.end(), b.verify->incomplete.begin(), b.verify->incomplete.end());
    }
}

}  // namespace wv::sim
