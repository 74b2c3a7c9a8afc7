#pragma once
// What every rule action implements, and what the engine hands it.
//
// The engine evaluates a rule's SQL on the gateway's I/O thread, then queues one job per
// action; the job calls action::run() on one of the engine's worker threads. An action may
// finish inline (file, republish) or start asynchronous work (HTTP, a function call) and
// finish later on any thread; either way it calls `done` exactly once, and the engine counts
// the job as in flight (against the queue bound) until then.
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "rules/rule.hpp"

namespace wv::rules_engine {

// One matched message for one rule: shared by that rule's actions, immutable.
struct action_input {
    std::string rule;
    rules::rule_output output;                    // the SELECT result
    std::shared_ptr<const rules::message> message;  // the incoming message (raw payload included)
};
using input_ptr = std::shared_ptr<const action_input>;

// Thread-safe log sink: one line, no trailing newline.
using log_fn = std::function<void(const std::string&)>;

class action {
public:
    // Empty `error`: success. Otherwise one line saying what failed (the engine logs and counts it).
    using completion = std::function<void(std::string error)>;
    virtual ~action() = default;
    // Called on an engine worker thread; must not block for long and never throws.
    virtual void run(input_ptr in, completion done) = 0;
    // "http http://127.0.0.1:8080/ingest"
    virtual std::string describe() const = 0;
    // Lines for the exit summary (validate's report); empty for most actions.
    virtual std::string summary() const { return {}; }
    // True when the action logs each failure itself, with more than the completion's text
    // (validate): the engine then counts failures without logging them again.
    virtual bool logs_its_failures() const { return false; }
};

// The SELECT output as JSON text: the object, or {"base64": ...} for a raw `SELECT *` on a
// binary payload (actions that need JSON).
std::string output_json_text(const rules::rule_output& out);

}  // namespace wv::rules_engine
