#pragma once
// The rules engine of wvgate: AWS IoT topic rules (src/rules SQL) and their actions
// (lambda, republish, file, http, validate), fed with every inbound PUBLISH.
//
// Wiring it into the gateway (the whole of it):
//
//   auto cfg = wv::rules_engine::load_engine_config("wvgate.yaml");  // or parse_engine_config(root["rules"], ...)
//   wv::rules_engine::engine rules(std::move(cfg), {
//       .republish = [&](wv::rules_engine::republish_request r) { broker.publish_from_rules(std::move(r)); return std::string{}; },
//       .metrics = &gateway_metrics});
//   // on every accepted inbound PUBLISH, on the connection's I/O thread:
//   rules.on_message({.topic = m.topic, .payload = m.payload, .client_id = m.client_id,
//                     .principal = principal_id});
//   // at exit:
//   rules.drain(std::chrono::seconds(5));
//   std::fputs(rules.summary().c_str(), stderr);
//
// on_message() never blocks and never throws: it checks each rule's FROM filter (no copy when
// nothing matches), evaluates WHERE and SELECT inline, and queues one job per action. Jobs run
// on the engine's own worker threads (engine_config::threads); at most max_queue jobs are
// queued or in flight (an HTTP request or function call in progress counts) and beyond that
// new jobs are dropped, counted per rule and action, and logged at most once a second.
//
// Start-up errors (std::runtime_error, naming the rule and action): SQL that does not compile,
// a file that cannot be opened, a bad URL or template, a function backend that cannot start.
//
// Metrics (Prometheus, into engine_hooks::metrics or a private registry):
//   wv_rules_matched_total{rule}, wv_rules_actions_total{rule,action,outcome=ok|failed|dropped},
//   and validate's wv_rules_validate_* (validate_action.hpp).
//
// Threading: on_message(), drain(), summary(), report() and stats() may be called from any thread.
// The destructor stops the workers without waiting for queued jobs (call drain() first);
// it must not run on an engine thread.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "functions/function_registry.hpp"
#include "metrics/registry.hpp"
#include "rules_engine/action.hpp"
#include "rules_engine/engine_config.hpp"
#include "rules_engine/republish_action.hpp"
#include "rules_engine/validate_action.hpp"

namespace wv::rules_engine {

// Views, read only during on_message().
struct inbound_message {
    std::string_view topic{};
    std::string_view payload{};
    std::string_view client_id{};   // empty: not from an MQTT client (clientid() is "n/a")
    std::string_view principal{};   // empty: none (principal() is Undefined)
    std::int64_t timestamp_ms = 0;  // timestamp(); 0: now (the rules engine's clock, as AWS)
    // MQTT 5 PUBLISH properties (get_user_properties(), get_mqtt_property()); null: none.
    const rules::mqtt5_properties* properties = nullptr;
    // How many republish actions produced it (0: a device or HTTPS publish); a republish action
    // hands on one more, so the gateway can stop a rule loop (republish_request).
    std::uint32_t republish_hops = 0;
};

struct engine_hooks {
    republish_fn republish{};        // the gateway's publish; republish actions fail without it
    log_fn log{};                    // one line per call; default: stderr
    metrics::registry* metrics = nullptr;  // default: a private registry
    // Where actions naming a function (function_ref) find it: the gateway's, shared with its
    // authorizers. Null: a rule naming one is a start-up error. Must outlive the engine.
    wv::functions::function_registry* functions = nullptr;
};

struct engine_stats {
    std::uint64_t matched = 0;   // (message, rule) pairs that passed FROM and WHERE
    std::uint64_t ok = 0, failed = 0, dropped = 0;  // action runs
    std::uint64_t in_flight = 0;
};

// summary()'s content, typed: for programs that embed the engine and report it their own way
// (wvsim puts it into its report and its verdict).
struct action_report {
    std::string kind;         // "lambda", "republish", "file", "http", "validate"
    std::string description;  // describe(), e.g. "validate python:decoder.py"
    std::uint64_t ok = 0, failed = 0, dropped = 0;
    std::optional<validate_counts> validation;  // validate actions only
};
struct rule_report {
    std::string name;
    std::uint64_t matched = 0;  // messages that passed FROM and WHERE
    std::vector<action_report> actions;
};

class engine {
public:
    explicit engine(engine_config cfg, engine_hooks hooks = {});
    ~engine();
    engine(const engine&) = delete;
    engine& operator=(const engine&) = delete;

    // Returns how many rules matched.
    std::size_t on_message(const inbound_message& m) noexcept;

    // Waits until no job is queued or in flight; false if `timeout` passed first.
    bool drain(std::chrono::milliseconds timeout);

    // What wvgate prints at exit: per rule, matches and action outcomes; validate's report.
    std::string summary() const;
    // The same, typed; one entry per enabled rule, actions in configuration order.
    std::vector<rule_report> report() const;
    engine_stats stats() const;
    // The validate action's counts for `rule` (the first validate action of it); nullopt if none.
    std::optional<validate_counts> validation(std::string_view rule) const;

    std::size_t rule_count() const noexcept { return rules_.size(); }
    metrics::registry& metrics() noexcept { return *metrics_; }

private:
    struct slot;
    struct compiled;
    void enqueue(slot& s, const input_ptr& in);
    void finish(slot& s, const std::string& error);
    void log(const std::string& line) const;

    std::unique_ptr<metrics::registry> own_metrics_;
    metrics::registry* metrics_;
    engine_hooks hooks_;
    std::size_t max_queue_;
    std::atomic<std::uint64_t> in_flight_{0};
    std::atomic<bool> stopping_{false};  // set by the destructor: late completions touch nothing
    std::atomic<std::int64_t> last_drop_log_ms_{0};
    std::atomic<std::uint64_t> drops_since_log_{0};
    mutable std::mutex drain_m_;
    std::condition_variable drain_cv_;
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    std::vector<std::unique_ptr<compiled>> rules_;  // after io_: actions die first
    std::vector<std::thread> threads_;
};

}  // namespace wv::rules_engine
