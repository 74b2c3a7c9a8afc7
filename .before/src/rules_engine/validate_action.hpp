#pragma once
// The `validate` action: "will my decoder survive my fleet". For each matched message it runs
// the user's decoder function and the project's reference decoder
// (payload::lambda_result_for_event) on the same event (the SELECT output) and compares the
// results at the configured JSON pointers with json_compare.
//
// Each message lands in exactly one bucket:
//   matched     equal results (or both ignored the topic, or both rejected the payload)
//   mismatched  compare_json found differences; or the decoder returned nothing where the
//               reference has output (no_output), output where the reference ignores the topic
//               (unexpected_output), or output for a payload the reference rejects
//               (accepted_invalid). Counted per kind.
//   error       the decoder raised, crashed, returned non-JSON, or could not be called
//               (counted per backend reason)
//   timeout     no reply within `timeout`
// A decoder that returns nothing is read from its log when `output_from_log` allows it
// (logged_output.hpp): the summary counts outputs returned and logged, and findings say which.
// The engine's completion gets "" for matched and one word otherwise, so its ok/failed line for
// this action is matched / the rest.
// Mismatches, errors and timeouts are logged with the client, topic, the first differences and
// the base64 payload (the first 1000 findings per action; all are counted), and exported as
// metrics (labels rule, outcome, kind). The decoder's latency (call to reply, including any
// wait for a free handler worker) feeds a histogram. An event the reference cannot use at all (the rule's SELECT lacks client_id,
// topic or data) fails the action without calling the decoder.
//
// Threading: run() on engine workers; replies are compared on the engine's io_context.
#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>

#include <boost/asio/io_context.hpp>

#include "auth/authorizer_backend.hpp"
#include "metrics/registry.hpp"
#include "rules_engine/action.hpp"
#include "rules_engine/engine_config.hpp"
#include "rules_engine/json_compare.hpp"

namespace wv::rules_engine {

// json_compare's kinds, then the three whole-result ones.
inline constexpr std::size_t validate_kind_count = mismatch_kind_count + 3;
const char* validate_kind_name(std::size_t k) noexcept;  // "missing_field", ..., "accepted_invalid"

struct validate_counts {
    std::uint64_t validated = 0, matched = 0, mismatched = 0, errors = 0, timeouts = 0;
    std::uint64_t both_rejected = 0;  // included in matched
    // Where the output compared came from, for the replies that were compared: the return
    // value, the call's log (output_from_log), or neither (no output).
    std::uint64_t output_returned = 0, output_logged = 0, output_none = 0;
    std::array<std::uint64_t, validate_kind_count> by_kind{};  // messages with at least one of each
    std::map<std::string, std::uint64_t> errors_by_reason;
    std::uint64_t latency_p50_us = 0, latency_p99_us = 0, latency_count = 0;
};

class validate_action final : public action {
public:
    validate_action(validate_action_config cfg, std::string rule, std::string description,
                    std::shared_ptr<auth::authorizer_backend> decoder, boost::asio::io_context& io, log_fn log,
                    metrics::registry& reg);
    ~validate_action() override;
    void run(input_ptr in, completion done) override;
    std::string describe() const override;
    bool logs_its_failures() const override { return true; }
    // "messages validated N: matched ...", the kinds, the error reasons, the latency: one per line.
    std::string summary() const override;
    validate_counts counts() const;

    struct shared;

private:
    std::shared_ptr<shared> s_;
    std::shared_ptr<auth::authorizer_backend> decoder_;  // last: destroyed first, failing pending calls
};

}  // namespace wv::rules_engine
