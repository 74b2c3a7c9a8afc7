#pragma once
// Topic rules created through the control plane (CreateTopicRule, ReplaceTopicRule,
// Enable/DisableTopicRule, DeleteTopicRule) run by the live gateway, as AWS runs them: a change
// takes effect for the messages that arrive after the API call returns.
//
//   api_rules live(reg, {.republish = ...}, resolve_function, log_line);
//   live.on_message({.topic = ..., .payload = ..., .client_id = ..., .principal = ...});  // every accepted publish
//   live.drain(5s); live.report();                                                       // at stop
//
// On every change the registry reports, the enabled rules are converted
// (topic_rule_payload.hpp) into one new rules engine that replaces the running one; the old
// one finishes its queued actions (up to 2 s) on the changing thread. A rule that cannot run
// here (or one of its actions) is logged once per change and left out; the others run. The
// counts of report() start again at each change (they are the running engine's).
//
// Threading: on_message() from any thread (a shared lock and an atomic check when no rule
// exists); changes arrive on the thread that made them (a control-plane thread).
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "rules_engine/engine.hpp"
#include "rules_engine/topic_rule_payload.hpp"

namespace wv::registry {
class registry;
}

namespace wv::gate {

class api_rules {
public:
    api_rules(registry::registry& reg, rules_engine::engine_hooks hooks, rules_engine::function_resolver resolve,
              std::function<void(const std::string&)> log);
    ~api_rules();

    void on_message(const rules_engine::inbound_message& m) noexcept;
    bool drain(std::chrono::milliseconds timeout);
    std::vector<rules_engine::rule_report> report() const;
    std::size_t rule_count() const;

private:
    void rebuild();

    registry::registry& reg_;
    rules_engine::engine_hooks hooks_;
    rules_engine::function_resolver resolve_;
    std::function<void(const std::string&)> log_;
    std::mutex rebuild_mu_;                        // one rebuild at a time
    mutable std::mutex mu_;                        // guards engine_
    std::shared_ptr<rules_engine::engine> engine_;
    std::atomic<bool> any_{false};
    std::shared_ptr<void> subscription_;           // last: unsubscribed first
};

}  // namespace wv::gate
