// wvauthz: call a custom authorizer the way AWS IoT does, offline.
//   wvauthz invoke  one call: response, AWS's validation rule by rule, policies, latency, what the device sees
//   wvauthz test    a devices file against the authorizer: expected allow/deny and topics vs actual
//   wvauthz bench   open-loop load: latency percentiles, errors by kind, achieved vs asked rate
//   wvauthz hook invoke|bench   the same for a pre-provisioning hook (hook_command.hpp)
#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include "auth/authorizer_event.hpp"
#include "auth/connect_verdict.hpp"
#include "policy/scope_check.hpp"
#include "functions/build_backend.hpp"
#include "authorizer_clients/loadgen/load_metrics.hpp"
#include "authorizer_clients/loadgen/load_report.hpp"
#include "authorizer_clients/wvauthz/backend_flags.hpp"
#include "authorizer_clients/wvauthz/device_file.hpp"
#include "authorizer_clients/wvauthz/hook_command.hpp"
#include "authorizer_clients/wvauthz/invocation_report.hpp"
#include "report_html/page.hpp"
#include "thresholds/thresholds.hpp"

namespace {

using namespace wv;

constexpr int exit_usage = 2;
constexpr int exit_runtime = 1;

// A problem in what the user gave us (config, devices file, backend set-up): exit 2.
struct config_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

template <class F>
auto as_config(F&& f) {
    try {
        return f();
    } catch (const std::exception& e) {
        throw config_error(e.what());
    }
}

struct chosen_backend {
    backends::built_backend built;
    policy::arn_scope scope;  // the region/account the authorizer's ARNs use
};

chosen_backend build(const wvauthz::backend_flags& bf) {
    return as_config([&] {
        auto spec = wvauthz::to_spec(bf);
        policy::arn_scope scope{spec.region, spec.account};
        return chosen_backend{backends::build_backend(std::move(spec)), scope};
    });
}

struct event_flags {
    std::string event_file;
    std::string username, password, client_id, server_name = "localhost", token;
    std::string protocol = "mqtt";          // mqtt | http (HTTPS publish) | wss (MQTT over WebSocket)
    std::vector<std::string> headers;       // "Name: value", the HTTP request's (http, wss)
    std::string query;                      // the request's raw query string (http, wss)
    std::string topic;                      // http: the topic whose iot:Publish decides
};

std::string replace_all(std::string s, std::string_view from, const std::string& to) {
    for (std::size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size()) s.replace(p, from.size(), to);
    return s;
}

std::string build_event(const event_flags& e) {
    if (!e.event_file.empty()) {
        std::ifstream in(e.event_file);
        if (!in) throw std::invalid_argument("--event " + e.event_file + ": cannot open");
        std::stringstream ss;
        ss << in.rdbuf();
        if (nlohmann::json::parse(ss.str(), nullptr, false).is_discarded())
            throw std::invalid_argument("--event " + e.event_file + ": not valid JSON");
        return ss.str();
    }
    auth::connect_info ci;
    ci.server_name = e.server_name;
    if (e.protocol != "mqtt") {
        // The event AWS sends for HTTPS publish (protocols tls+http) or MQTT over WebSocket
        // (tls+http+mqtt): protocolData.http carries the request's headers and query string.
        auth::http_request_info http;
        for (const auto& h : e.headers) {
            const auto colon = h.find(':');
            if (colon == std::string::npos || colon == 0)
                throw std::invalid_argument("--header '" + h + "': expected 'Name: value'");
            auto value = h.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.erase(0, 1);
            http.headers.emplace_back(h.substr(0, colon), value);
        }
        if (!e.query.empty()) http.query_string = e.query.front() == '?' ? e.query : "?" + e.query;
        ci.http = std::move(http);
        ci.mqtt = e.protocol == "wss";
        if (!ci.mqtt && (!e.username.empty() || !e.password.empty() || !e.client_id.empty()))
            throw std::invalid_argument("--protocol http: an HTTPS publish has no MQTT user name, password or client id "
                                        "(use --header / --query for the authorizer's token)");
    } else if (!e.headers.empty() || !e.query.empty()) {
        throw std::invalid_argument("--header / --query need --protocol http or wss");
    }
    if (!e.topic.empty() && e.protocol != "http") throw std::invalid_argument("--topic needs --protocol http");
    if (ci.mqtt) {
        if (!e.username.empty()) ci.username = e.username;
        if (!e.password.empty()) ci.password = e.password;
        if (!e.client_id.empty()) ci.client_id = e.client_id;
    }
    ci.connection_id = auth::make_connection_id();
    auth::event_options eo;
    if (!e.token.empty()) eo.token = e.token;
    return auth::make_authorizer_event_json(ci, eo);
}

int run_invoke(const wvauthz::backend_flags& bf, const event_flags& ef, int timeout_ms, bool json) {
    const std::string event = as_config([&] { return build_event(ef); });
    auto chosen = build(bf);
    const std::string backend = chosen.built.backend->describe();
    auth::authorizer_service svc(chosen.built.backend, {.deadline = std::chrono::milliseconds(timeout_ms), .max_concurrency = 1});
    const auto inv = wvauthz::invoke_once(svc, event, chosen.scope,
                                          ef.topic.empty() ? std::nullopt : std::optional<std::string>(ef.topic));
    if (json) std::cout << wvauthz::to_json(inv, backend).dump(2) << "\n";
    else std::cout << wvauthz::to_text(inv, backend);
    return wvauthz::exit_code(inv);
}

struct mismatch {
    int line;
    std::string device, what, expected, actual;
};

// One row of `wvauthz test`: what was expected, what the device saw, and why.
struct device_outcome {
    int line;
    std::string client_id, username, expected, outcome, reason;
    bool as_expected;
};

bool meets(auth::expected_outcome want, auth::connect_outcome got) {
    switch (want) {
        case auth::expected_outcome::allow: return got == auth::connect_outcome::allowed;
        case auth::expected_outcome::deny: return auth::is_valid_refusal(got);
        case auth::expected_outcome::invalid_response: return got == auth::connect_outcome::invalid_response;
        case auth::expected_outcome::none: break;
    }
    return false;
}

int run_test(const wvauthz::backend_flags& bf, const std::string& file, int timeout_ms, bool json) {
    const auto cases = as_config([&] { return wvauthz::load_device_file(file); });
    auto chosen = build(bf);
    const std::string backend = chosen.built.backend->describe();
    auth::authorizer_service svc(chosen.built.backend, {.deadline = std::chrono::milliseconds(timeout_ms), .max_concurrency = 1});
    const policy::arn_scope scope = chosen.scope;
    std::vector<mismatch> bad;
    std::vector<device_outcome> rows;
    std::map<std::string, std::size_t> by_outcome;
    std::optional<std::string> scope_note;  // said once, not per device
    for (const auto& c : cases) {
        auth::connect_info ci;
        ci.server_name = c.device.server_name;
        ci.username = c.device.username;
        ci.password = c.device.password;
        if (!c.device.client_id.empty()) ci.client_id = c.device.client_id;
        ci.connection_id = auth::make_connection_id();
        const auto inv = wvauthz::invoke_once(svc, auth::make_authorizer_event_json(ci, {}), scope);
        const auto& v = inv.verdict;
        if (v.scope_mismatch && !scope_note) scope_note = policy::describe(*v.scope_mismatch, wvauthz::wvauthz_scope_settings());
        const std::string who = c.device.username + " / " + c.device.client_id;
        const std::string word = auth::to_string(v.outcome);
        ++by_outcome[word];
        const bool ok = meets(c.expected, v.outcome);
        rows.push_back({c.line, c.device.client_id, c.device.username, auth::to_string(c.expected), word, v.reason, ok});
        if (!ok) {
            bad.push_back({c.line, who, "connect", auth::to_string(c.expected), word + ": " + v.reason});
            continue;
        }
        if (!v.connects()) continue;
        const auto topic_checks = [&](const std::vector<std::string>& topics, bool want, bool publish) {
            for (const auto& t : topics) {
                const auto ev = publish ? wvauthz::check_publish(inv, scope, t) : wvauthz::check_subscribe(inv, scope, t);
                if (ev.allowed() != want)
                    bad.push_back({c.line, who, std::string(publish ? "publish " : "subscribe ") + t, want ? "allow" : "deny",
                                   std::string(policy::to_string(ev.result)) + ": " + ev.reason});
            }
        };
        topic_checks(c.publish_allowed, true, true);
        topic_checks(c.publish_denied, false, true);
        topic_checks(c.subscribe_allowed, true, false);
        topic_checks(c.subscribe_denied, false, false);
    }
    const std::size_t connected = by_outcome.count("allowed") ? by_outcome["allowed"] : 0;
    if (json) {
        nlohmann::json j{{"authorizer", backend},
                         {"devices", cases.size()},
                         {"connected", connected},
                         {"outcomes", by_outcome},
                         {"results", nlohmann::json::array()},
                         {"mismatches", nlohmann::json::array()}};
        for (const auto& r : rows)
            j["results"].push_back({{"line", r.line},
                                    {"client_id", r.client_id},
                                    {"username", r.username},
                                    {"expected", r.expected},
                                    {"outcome", r.outcome},
                                    {"reason", r.reason},
                                    {"as_expected", r.as_expected}});
        for (const auto& m : bad)
            j["mismatches"].push_back({{"line", m.line}, {"device", m.device}, {"check", m.what}, {"expected", m.expected}, {"actual", m.actual}});
        if (scope_note) j["scope_mismatch"] = *scope_note;
        std::cout << j.dump(2) << "\n";
    } else {
        std::string outcomes;
        for (const auto& [k, n] : by_outcome) outcomes += (outcomes.empty() ? "" : ", ") + k + " " + std::to_string(n);
        std::cout << "authorizer  " << backend << "\n"
                  << "devices     " << cases.size() << " (" << connected << " connected)\n"
                  << "outcomes    " << outcomes << "\n"
                  << "mismatches  " << bad.size() << "\n";
        if (!bad.empty()) {
            char head[160];
            std::snprintf(head, sizeof head, "  %-6s %-34s %-30s %-16s %s\n", "line", "device", "check", "expected", "actual");
            std::cout << head;
            for (const auto& m : bad) {
                char buf[160];
                std::snprintf(buf, sizeof buf, "  %-6d %-34s %-30s %-16s ", m.line, m.device.c_str(), m.what.c_str(), m.expected.c_str());
                std::cout << buf << m.actual << "\n";
            }
        }
        if (scope_note) std::cout << "region/account: " << *scope_note << "\n";
    }
    return bad.empty() ? 0 : 1;
}

struct bench_flags {
    double rate = 100, duration_s = 10;
    std::size_t concurrency = 64;
    std::string credentials;
    std::string username = "dev{n}", password = "pw{n}", client_id = "dev{n}", server_name = "localhost";
    std::size_t devices = 100;
    bool devices_given = false;  // with --credentials: the first N rows
    int timeout_ms = 5000;
    std::string html;
    std::size_t warmup = 1;
    std::vector<std::string> expect;  // --expect thresholds
    std::string command_line;
};

std::atomic<bool> interrupted{false};

extern "C" void on_interrupt(int) { interrupted.store(true); }

// `hook`: a pre-provisioning hook's events and verdicts instead of an authorizer's.
int run_bench(const wvauthz::backend_flags& bf, const bench_flags& b, bool json,
              const wvauthz::hook_event_flags* hook = nullptr) {
    // Thresholds parse first: a typo is a usage error before any call.
    try {
        for (const auto& e : b.expect) (void)thresholds::parse(e, loadgen::load_metric_catalogue());
    } catch (const thresholds::parse_error& e) {
        throw config_error(e.what());
    }
    loadgen::bench_context ctx;
    ctx.command_line = b.command_line;
    ctx.started_at = report_html::utc_now_iso8601();
    ctx.version = "0.1.0";
    loadgen::load_options o;
    o.rate = b.rate;
    o.duration = std::chrono::milliseconds(static_cast<long long>(b.duration_s * 1000));
    o.concurrency = b.concurrency;
    o.deadline = std::chrono::milliseconds(b.timeout_ms);
    o.warmup_calls = b.warmup;
    // Ctrl-C stops sending; the calls in flight finish and the summary is still printed.
    o.stop = &interrupted;
    std::signal(SIGINT, on_interrupt);
    std::signal(SIGTERM, on_interrupt);
    if (hook) {
        for (std::size_t n = 1; n <= b.devices; ++n) o.events.push_back(as_config([&] { return wvauthz::hook_event(*hook, bf, n); }));
        o.judge = wvauthz::judge_hook_reply;
    } else if (!b.credentials.empty()) {
        for (const auto& c : as_config([&] { return wvauthz::load_device_file(b.credentials, false); }))
            o.devices.push_back(c.device);
        // --devices N takes the first N rows, said out loud; more than the file has is refused.
        if (b.devices_given && b.devices > o.devices.size())
            throw config_error("--devices " + std::to_string(b.devices) + " but " + b.credentials + " has " +
                               std::to_string(o.devices.size()) + " device rows: give --devices " +
                               std::to_string(o.devices.size()) + " or fewer, or leave --devices out to use every row");
        if (b.devices_given && b.devices < o.devices.size()) {
            std::cerr << "wvauthz bench: --devices " << b.devices << ": using the first " << b.devices << " of the "
                      << o.devices.size() << " devices in " << b.credentials << "\n";
            o.devices.resize(b.devices);
        }
    } else {
        for (std::size_t n = 1; n <= b.devices; ++n) {
            const auto num = std::to_string(n);
            o.devices.push_back({replace_all(b.username, "{n}", num), replace_all(b.password, "{n}", num),
                                 replace_all(b.client_id, "{n}", num), b.server_name});
        }
    }
    auto chosen = build(bf);
    o.scope = chosen.scope;
    o.progress = json ? nullptr : &std::cerr;
    std::cerr << "wvauthz bench: " << b.rate << " calls/s for " << b.duration_s << " s against "
              << chosen.built.backend->describe() << "\n";
    const auto r = loadgen::run_load(chosen.built.backend, o);
    const auto scope_note =
        r.scope_mismatch ? policy::describe(*r.scope_mismatch, wvauthz::wvauthz_scope_settings()) : std::string();
    ctx.scope_note = scope_note;
    ctx.thresholds = loadgen::check_thresholds(r, b.expect);
    ctx.exit_code = thresholds::all_passed(ctx.thresholds) ? 0 : 1;
    if (json) {
        auto j = loadgen::to_json(r, ctx);
        if (!scope_note.empty()) j["scope_mismatch"] = scope_note;
        std::cout << j.dump(2) << "\n";
    } else {
        std::cout << loadgen::to_table(r);
        if (!scope_note.empty()) std::cout << "region/account: " << scope_note << "\n";
        std::cout << thresholds::summary(ctx.thresholds);
    }
    if (!b.html.empty()) {
        std::ofstream out(b.html);
        out << loadgen::to_html(r, ctx);
        if (!out) throw std::runtime_error("--html " + b.html + ": cannot write");
    }
    return ctx.exit_code;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"wvauthz: call an AWS IoT custom authorizer the way AWS IoT does, offline"};
    app.footer(
        "Exit codes: invoke: 0 the device would connect (http: the publish is accepted), 1 denied, 3 invalid\n"
        "            reply / backend error / timeout;\n"
        "            test: 0 every device as expected, 1 mismatches; bench: 0 done, 1 runtime failure or an\n"
        "            --expect threshold failed;\n"
        "            all: 2 usage or config error.\n"
        "Examples:\n"
        "  wvauthz invoke --handler python:config/authorizers/ayyeka_simple.py --username TestUserName \\\n"
        "                 --password TestPassword --client-id 2453AC035CBCBC9A --iot-region eu-central-1\n"
        "  wvauthz invoke --handler python:config/authorizers/token_authorizer.py --protocol http \\\n"
        "                 --header 'token: allow-me' --token allow-me --topic wv/d1\n"
        "  wvauthz test --config config/authorizers/example.yaml --authorizer registry-lookup \\\n"
        "               --credentials config/authorizers/devices.csv\n"
        "  wvauthz bench --static dev1:pw1 --rate 1000 --duration 5 --username dev1 --password pw1 --client-id dev1\n"
        "  wvauthz hook invoke --handler python:tests/integration/provisioning/hook.py --param SerialNumber=1001\n"
        "  wvauthz hook bench --handler python:tests/integration/provisioning/hook.py --param 'SerialNumber={n}' \\\n"
        "                     --rate 200 --duration 5   (hook invoke exit codes: 0 allowed, 1 refused, 3 invalid/error)");
    app.require_subcommand(1);
    bool json = false;
    int timeout_ms = 5000;

    wvauthz::backend_flags invoke_bf, test_bf, bench_bf;
    event_flags ef;
    auto* invoke = app.add_subcommand("invoke", "one call: response, validation, policies, latency, what the device sees");
    wvauthz::add_backend_flags(*invoke, invoke_bf);
    invoke->add_option("--event", ef.event_file, "event JSON file (instead of the MQTT fields)")->group("Event");
    invoke->add_option("--username", ef.username, "MQTT user name, raw (may carry ?x-amz-customauthorizer-name=...)")->group("Event");
    invoke->add_option("--password", ef.password, "MQTT password (sent base64-encoded, as AWS does)")->group("Event");
    invoke->add_option("--client-id", ef.client_id, "MQTT client id")->group("Event");
    invoke->add_option("--server-name", ef.server_name, "TLS SNI (the data endpoint name)")->group("Event");
    invoke->add_option("--token", ef.token, "token value, as the gateway found it under the authorizer's tokenKeyName (MQTT user name, or http/wss header or query parameter)")->group("Event");
    invoke->add_option("--protocol", ef.protocol,
                       "mqtt (default), http (HTTPS publish: protocols tls+http) or wss (MQTT over WebSocket: tls+http+mqtt)")
        ->check(CLI::IsMember({"mqtt", "http", "wss"}))
        ->group("Event");
    invoke->add_option("--header", ef.headers, "an HTTP request header 'Name: value' (repeat; http, wss)")->group("Event");
    invoke->add_option("--query", ef.query, "the HTTP request's query string, e.g. 'qos=1&token=abc' (http, wss)")->group("Event");
    invoke->add_option("--topic", ef.topic, "http: the publish topic; its iot:Publish decides what the device sees")
        ->group("Event");
    invoke->add_option("--timeout-ms", timeout_ms, "deadline (AWS: 5000)");
    invoke->add_flag("--json", json, "print JSON");

    std::string credentials_file;
    auto* test = app.add_subcommand("test", "check a devices file: expected allow/deny and topics vs the authorizer");
    wvauthz::add_backend_flags(*test, test_bf);
    test->add_option("--credentials", credentials_file, "credentials CSV with an expected column (config/credentials.md)")
        ->required();
    test->add_option("--timeout-ms", timeout_ms, "deadline per call (AWS: 5000)");
    test->add_flag("--json", json, "print JSON");

    bench_flags bfl;
    auto* bench = app.add_subcommand("bench", "open-loop load: latency histogram, errors by kind, achieved rate");
    wvauthz::add_backend_flags(*bench, bench_bf);
    bench->add_option("--rate", bfl.rate, "calls per second to send (open loop)")->check(CLI::PositiveNumber);
    bench->add_option("--duration", bfl.duration_s, "seconds to send for")->check(CLI::PositiveNumber);
    bench->add_option("--concurrency", bfl.concurrency, "calls in flight at most")->check(CLI::PositiveNumber);
    bench->add_option("--credentials", bfl.credentials, "credentials CSV to cycle through, instead of templates (config/credentials.md)");
    bench->add_option("--username", bfl.username, "user name template, {n} = device number");
    bench->add_option("--password", bfl.password, "password template");
    bench->add_option("--client-id", bfl.client_id, "client id template");
    bench->add_option("--server-name", bfl.server_name, "TLS SNI in the events");
    bench->add_option("--devices", bfl.devices, "devices made from the templates (with --credentials: the first N rows)")
        ->check(CLI::PositiveNumber);
    bench->add_option("--timeout-ms", bfl.timeout_ms, "deadline per call (AWS: 5000)");
    bench->add_option("--html", bfl.html, "also write an HTML report here");
    bench->add_option("--warmup", bfl.warmup, "calls made (and not counted) before the clock starts; 0 measures a cold start");
    bench->add_flag("--json", json, "print JSON");
    bench->add_option("--expect", bfl.expect,
                      "threshold checked at the end, e.g. 'latency.p99<50ms' or 'errors==0%' (repeatable; one that "
                      "fails: exit 1)")
        ->allow_extra_args(false);
    bench->footer("\nThresholds (--expect): metric op number unit; op < <= > >= ==; durations need us, ms or s,\n"
                  "percentages need %. Metrics:\n" +
                  thresholds::help_text(loadgen::load_metric_catalogue()));
    // wvauthz hook invoke|bench: the same experience for pre-provisioning hooks.
    auto* hook = app.add_subcommand("hook", "a pre-provisioning hook called as AWS IoT calls it on RegisterThing");
    hook->require_subcommand(1);
    wvauthz::backend_flags hook_invoke_bf, hook_bench_bf;
    wvauthz::hook_event_flags hook_ef;
    bench_flags hook_bfl;
    auto* hook_invoke = hook->add_subcommand("invoke", "one call: the verdict, the overrides, latency, the function's log");
    wvauthz::add_backend_flags(*hook_invoke, hook_invoke_bf);
    wvauthz::add_hook_event_flags(*hook_invoke, hook_ef);
    hook_invoke->add_option("--timeout-ms", timeout_ms, "deadline (AWS: 5000)");
    hook_invoke->add_flag("--json", json, "print JSON");
    auto* hook_bench = hook->add_subcommand("bench", "open-loop load: latency, allowed/refused, errors by kind");
    wvauthz::add_backend_flags(*hook_bench, hook_bench_bf);
    wvauthz::add_hook_event_flags(*hook_bench, hook_ef);
    hook_bench->add_option("--rate", hook_bfl.rate, "calls per second to send (open loop)")->check(CLI::PositiveNumber);
    hook_bench->add_option("--duration", hook_bfl.duration_s, "seconds to send for")->check(CLI::PositiveNumber);
    hook_bench->add_option("--concurrency", hook_bfl.concurrency, "calls in flight at most")->check(CLI::PositiveNumber);
    hook_bench->add_option("--devices", hook_bfl.devices, "events made from the templates ({n} = 1..N), sent round-robin")
        ->check(CLI::PositiveNumber);
    hook_bench->add_option("--timeout-ms", hook_bfl.timeout_ms, "deadline per call (AWS: 5000)");
    hook_bench->add_option("--html", hook_bfl.html, "also write an HTML report here");
    hook_bench->add_option("--warmup", hook_bfl.warmup, "calls made (and not counted) before the clock starts");
    hook_bench->add_flag("--json", json, "print JSON");
    hook_bench->add_option("--expect", hook_bfl.expect, "threshold checked at the end, as for bench (repeatable)")
        ->allow_extra_args(false);
    {
        std::vector<std::string> words(argv, argv + argc);
        if (!words.empty()) words[0] = "wvauthz";
        bfl.command_line = report_html::shell_quote(words);
        hook_bfl.command_line = bfl.command_line;
    }

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return exit_usage;
    }
    try {
        if (*invoke) return run_invoke(invoke_bf, ef, timeout_ms, json);
        if (*test) return run_test(test_bf, credentials_file, timeout_ms, json);
        bfl.devices_given = bench->count("--devices") > 0;
        if (*bench) return run_bench(bench_bf, bfl, json);
        if (*hook_invoke) return wvauthz::run_hook_invoke(hook_invoke_bf, hook_ef, timeout_ms, json);
        if (*hook_bench) return run_bench(hook_bench_bf, hook_bfl, json, &hook_ef);
    } catch (const config_error& e) {
        std::cerr << "wvauthz: " << e.what() << "\n";
        return exit_usage;
    } catch (const std::invalid_argument& e) {
        std::cerr << "wvauthz: " << e.what() << "\n";
        return exit_usage;
    } catch (const std::exception& e) {
        std::cerr << "wvauthz: " << e.what() << "\n";
        return *invoke || *hook_invoke ? 3 : exit_runtime;
    }
    return exit_usage;
}
