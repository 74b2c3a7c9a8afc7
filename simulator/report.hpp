#pragma once
// The result of a run, as plain data: what the summary table, --json, --html and
// `wvsim merge` read and write. Histograms are kept whole, so merging shard reports is exact
// for every latency figure, the per-second timeline's percentiles included: each second keeps
// its CONNACK and PUBACK histograms in sparse form (a few hundred bytes a second in JSON).
// Reports of format 1 (before the per-second histograms) still load; merged with them, the
// timeline percentiles fall back to the worst shard's, and the report says so.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "metrics/histogram.hpp"
#include "metrics/sparse_histogram.hpp"
#include "thresholds/thresholds.hpp"

namespace wv::sim {

struct timeline_sample {
    double t = 0;                 // seconds since the start
    std::uint64_t connected = 0;  // devices connected at t
    std::uint64_t connects = 0;   // successful connects during the second before t
    std::uint64_t failures = 0;   // failed connect attempts during that second
    std::uint64_t sent = 0;       // reports sent during that second
    std::uint64_t acked = 0;      // PUBACKs received during that second
    // Percentiles of the second's CONNACK and PUBACK latencies; 0 when the second had none
    // (the histograms' counts tell "none" from "fast").
    std::uint64_t connack_p50_us = 0, connack_p99_us = 0;
    std::uint64_t puback_p50_us = 0, puback_p99_us = 0;
    metrics::sparse_histogram connack, puback;  // empty in format-1 reports
    // The authorizer's calls that ended in this second, as the embedded gateway timed them
    // (queue wait + call): its share of CONNACK. Empty with --host.
    metrics::sparse_histogram authorizer;

    // Keeps the histograms and sets the percentiles from them.
    void set_latency(metrics::sparse_histogram connack_second, metrics::sparse_histogram puback_second);
};

struct expectation_mismatch {
    std::string akid;
    std::string expected;  // allow / deny
    std::string actual;    // the outcome bucket, e.g. "connected" or "closed_without_connack"
};

struct verify_result {
    std::uint64_t reports_expected = 0;  // reports PUBACKed over the fleet: each must arrive
    std::uint64_t reports_received = 0;  // distinct (device, report_id) seen by the subscriber
    std::uint64_t reports_missing = 0;
    std::uint64_t duplicates = 0;        // QoS 1 redeliveries: not an error
    std::uint64_t undecodable = 0;       // payloads the reference decoder rejected
    std::uint64_t wills_expected = 0;    // devices killed
    std::uint64_t wills_received = 0;
    std::uint64_t report_ends_closed = 0;  // ReportEnd(CLOSED) seen
    std::vector<std::string> incomplete;   // "AKID: missing 3 of 30 (first 17)" (at most 20)
    bool ok() const { return reports_missing == 0 && undecodable == 0 && wills_received >= wills_expected; }
};

// The embedded gateway's topic rules (--gateway-config with `rules:`), as its rules engine
// counted them at the end of the run, after the gateway stopped and let queued actions finish
// (up to 5 s; runs still unfinished then are `unfinished()`). wvgate prints the same at exit.
// JSON: "rules": {"actions": [...]} (absent without rules); `wvsim merge` sums by (rule, action).
// Any validation mismatch, error or timeout, and any failed or dropped action run, fails the
// run (verdict.cpp, with the counts by kind).
struct rules_validation {
    std::uint64_t validated = 0;      // messages compared: matched + mismatched + errors + timeouts
    std::uint64_t matched = 0;        // the decoder's output equals the reference's
    std::uint64_t both_rejected = 0;  // of matched: both rejected the payload
    std::uint64_t mismatched = 0;     // differences, counted once per message
    std::uint64_t errors = 0;         // the decoder raised, crashed, returned non-JSON, could not be called
    std::uint64_t timeouts = 0;       // no reply in time
    // Messages with at least one mismatch of each kind: missing_field, extra_field,
    // type_mismatch, value_mismatch, count_mismatch, order_mismatch, no_output,
    // unexpected_output, accepted_invalid (only kinds seen are present).
    std::map<std::string, std::uint64_t> mismatched_by_kind{};
    std::map<std::string, std::uint64_t> errors_by_reason{};  // the backend's reason -> messages
    // The decoder's latency, call to reply (merged shards: the worst shard's percentiles).
    std::uint64_t decoder_replies = 0, decoder_p50_us = 0, decoder_p99_us = 0;
};

struct rules_action_result {
    std::string rule;                 // the rule's name
    std::uint64_t rule_matched = 0;   // messages the rule matched (FROM + WHERE); the same for each of its actions
    std::string kind;                 // lambda, republish, file, http, validate
    std::string action;               // as the gateway describes it, e.g. "validate python:decoder.py"
    std::uint64_t ok = 0, failed = 0, dropped = 0;  // action runs; dropped: the rules queue was full
    std::optional<rules_validation> validation{};   // validate actions only
    // Matched messages whose run had not finished when the gateway stopped.
    std::uint64_t unfinished() const { return rule_matched > ok + failed + dropped ? rule_matched - ok - failed - dropped : 0; }
};

struct rules_result {
    std::vector<rules_action_result> actions;  // in configuration order, rule by rule
    // What did not hold, with the counts by kind ("rule 'r' validate ...: 84 of 254 mismatched
    // (missing_field 84)"); empty when every action did its job.
    std::vector<std::string> failures() const;
};

struct run_report {
    std::string version;
    // What was run, for the reports' header: the command line (shell-quoted), the start time
    // (ISO 8601 UTC) and the versions of what took part ("wvsim", "OpenSSL", ...).
    std::string command_line;
    std::string started_at;
    std::map<std::string, std::string> versions;
    std::string engine = "asio";
    std::string protocol = "mqtt";   // mqtt, or https (reports as HTTPS POSTs: --protocol https)
    std::string transport = "tls";   // tls, or wss (MQTT over WebSocket: --transport wss)
    std::string mqtt_version = "3.1.1";  // --mqtt: "3.1.1" or "5" (merged shards that differ: "3.1.1+5")
    bool topic_alias = false;         // --mqtt 5 --topic-alias on: reports used a Topic Alias where the server allowed one
    std::string target;               // host:port
    bool embedded_gateway = false;
    std::uint32_t fleet_devices = 0;  // the whole fleet (all shards)
    std::uint32_t devices = 0;        // simulated here (summed by merge)
    std::string shard = "0/1";
    std::uint32_t shards_merged = 1;
    int qos = 1;
    double asked_msgs_per_s = 0;      // the timetable's rate over this process's devices
    double asked_connects_per_s = 0;  // 0: unlimited (bounded by max-connecting)
    double duration_s = 0;            // wall time of the run (max over shards)
    double publish_window_s = 0;      // the time over which reports were due (for achieved rates)

    std::uint64_t connect_attempts = 0;
    std::uint64_t connected_peak = 0;
    std::map<std::string, std::uint64_t> connect_outcomes;  // bucket -> attempts
    std::map<std::string, std::uint64_t> session_ends;      // bucket -> sessions
    // --protocol https: reports the server answered with a status other than 200 (bucket ->
    // reports, e.g. "http_forbidden"); each one fails the run, as a policy deny does over MQTT.
    std::map<std::string, std::uint64_t> refused;

    std::uint64_t reports_planned = 0;  // due by the timetable over the whole run
    std::uint64_t reports_due = 0;      // came due while the run lasted
    std::uint64_t reports_sent = 0;
    std::uint64_t reports_acked = 0;
    std::uint64_t reports_lost = 0;     // sent, never acknowledged (QoS 1)
    // Came due but never sent (JSON "skipped", its name before the reasons were kept); the
    // reasons are in `unsent`: never_connected, connection_lost, behind_at_end.
    std::uint64_t reports_skipped = 0;
    std::map<std::string, std::uint64_t> unsent;
    std::uint64_t reports_late = 0;     // sent 1 s or more after they were due
    std::uint64_t report_ends_sent = 0; // ReportEnd(CLOSED) published on clean stops
    std::uint64_t devices_killed = 0;

    // tcp_connect, tls_handshake, connack, puback (from the due time), send_lag (due -> sent)
    std::map<std::string, metrics::histogram> latency;

    // Devices without an allow/deny expectation (all of them without --credentials) whose
    // connect never succeeded: each one makes the exit code 1.
    std::uint64_t devices_never_connected = 0;
    // Devices that were connected and were not at the end (not killed on purpose): the server
    // closed them, or a reconnect failed for good. Each one makes the exit code 1, as do reports
    // left unsent by connected devices (unsent connection_lost and behind_at_end).
    std::uint64_t devices_down_at_end = 0;
    bool stopped_at_once = false;  // second Ctrl-C or a stuck device: counts are partial

    std::uint64_t expectations_checked = 0;
    std::uint64_t expectations_met = 0;
    std::vector<expectation_mismatch> mismatches;

    double cpu_user_s = 0, cpu_system_s = 0;
    std::uint64_t rss_baseline_kib = 0, rss_peak_kib = 0;

    std::vector<timeline_sample> timeline;
    // The timeline rows carry their histograms (false after loading or merging a format-1
    // report: its percentiles are then approximations).
    bool timeline_histograms = true;
    std::optional<verify_result> verify;
    std::vector<std::string> warnings;
    std::vector<std::string> notes;
    nlohmann::json gateway;  // the embedded gateway's counters (null otherwise)
    nlohmann::json onboarding;  // --onboard: the onboarding phase (onboard_jitr.hpp's jitr_to_json; null otherwise)
    // --expect results, checked at the end (run_metrics.hpp); a failed one makes the exit code 1.
    std::vector<thresholds::result> thresholds;
    std::optional<rules_result> rules;  // the embedded gateway's topic rules (absent: none configured)

    double achieved_msgs_per_s() const;
    double cpu_percent_of_core() const;
};

nlohmann::json to_json(const run_report& r);
// to_json as the text of a --json file: indented, except that each timeline row (and each
// second's histograms) sits compactly on one line. The per-second histograms are most of a
// long run's report; indented, each bucket took a line of its own (4.5 KB per second at 200
// msg/s, against 1.3 KB on one line).
std::string to_json_text(const run_report& r);
// Throws std::invalid_argument naming the field on malformed input.
run_report report_from_json(const nlohmann::json& j);

// Adds `b` into `a`: counts sum, histograms merge exactly, timelines add second by second.
void merge(run_report& a, const run_report& b);

// The "rules" member of the JSON report, and back (report_rules.cpp). Throws
// std::invalid_argument naming the field on malformed input.
nlohmann::json rules_to_json(const rules_result& r);
rules_result rules_from_json(const nlohmann::json& j);
void merge(rules_result& a, const rules_result& b);
// The summary's "Rules" section (empty without rules).
std::string rules_text(const rules_result& r);

// The summary table for stdout.
std::string summary_text(const run_report& r);
// One self-contained HTML page (inline SVG plots, no network).
std::string html_page(const run_report& r);

}  // namespace wv::sim
