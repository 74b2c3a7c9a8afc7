#pragma once
// Open-loop load on one authorizer: calls are sent on a fixed schedule (rate per second)
// whether or not earlier ones have answered, the way devices connect, so a slow authorizer
// shows up as latency and timeouts instead of silently lowering the rate. Latency is measured
// from each call's scheduled time (no coordinated omission) to its completion.
//
// Calls go through auth::authorizer_service with AWS's 5 s deadline and `concurrency` calls
// in flight at most; beyond that they queue (bounded by max_queue, then `overloaded`).
//
// Blocking: run_load() returns after `duration` plus the time the last calls take (at most
// the deadline). Progress lines go to `progress` when set.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "auth/authorizer_backend.hpp"
#include "auth/authorizer_service.hpp"
#include "auth/connect_verdict.hpp"
#include "policy/arn.hpp"
#include "policy/scope_check.hpp"

namespace wv::loadgen {

struct device_credential {
    std::string username{};
    std::string password{};
    std::string client_id{};
    std::string server_name = "localhost";
};

struct load_options {
    double rate = 100;                            // calls per second, asked
    std::chrono::milliseconds duration{10'000};
    std::size_t concurrency = 64;                 // calls in flight at the backend
    std::size_t max_queue = 100'000;
    std::chrono::milliseconds deadline{5'000};    // AWS's authorizer limit
    std::vector<device_credential> devices{};     // used round-robin; one event each
    // The region/account of the iot:Connect ARN each answer is judged on
    // (auth::judge_connect, the same verdict as wvauthz invoke).
    policy::arn_scope scope{};
    // Calls made one at a time before the clock starts, not counted: the first call pays for
    // worker start-up or connection set-up, which would otherwise show as a backlog.
    std::size_t warmup_calls = 1;
    std::ostream* progress = nullptr;
    // Set (e.g. from a SIGINT handler) to stop sending early; calls in flight still finish.
    const std::atomic<bool>* stop = nullptr;
    // Another kind of function than an authorizer (a pre-provisioning hook: wvauthz hook bench):
    // the events, sent round-robin instead of authorizer events made from `devices`, and the
    // verdict of each answer: allowed / denied / invalid_response (with `kind` naming what was
    // wrong) for a reply that came; the transport outcomes are judged here as for authorizers.
    std::vector<std::string> events{};
    std::function<auth::connect_outcome(const auth::authorization_result&, std::string& kind)> judge{};
};

struct latency_bucket {
    double upper_ms;   // infinity for the last
    std::uint64_t count;
};

// One second of the run, by completion time.
struct timeline_point {
    double t_s = 0;               // end of the second, from the first send
    std::uint64_t completed = 0;  // calls that ended in this second
    std::uint64_t failed = 0;     // of which not a valid answer (invalid, error, timeout, overloaded)
    double p50_ms = 0, p99_ms = 0;
};

struct load_result {
    std::string backend{};
    double asked_rate = 0;
    double duration_s = 0;       // sending phase, as asked
    bool interrupted = false;    // `stop` ended the sending phase early
    double elapsed_s = 0;        // first send to last completion
    std::uint64_t sent = 0, completed = 0;
    double send_rate = 0;        // sent / sending time actually taken
    double achieved_rate = 0;    // completed / elapsed
    // By auth::connect_outcome: `allowed` is a device that could connect (the reply allowed AND
    // its policies allow iot:Connect); `denied_by_policy` a reply that allowed with policies
    // that refuse iot:Connect; `denied` isAuthenticated false.
    std::uint64_t allowed = 0, denied = 0, denied_by_policy = 0, invalid = 0, backend_errors = 0, timeouts = 0,
                  overloaded = 0;
    std::optional<policy::scope_mismatch> scope_mismatch{};  // the first answer that showed one
    std::map<std::string, std::uint64_t> errors_by_kind{};  // backend_errc names, invalid rule ids
    std::uint64_t throttled = 0;
    double p50_ms = 0, p90_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0, mean_ms = 0;
    std::vector<latency_bucket> histogram{};
    std::vector<timeline_point> timeline{};
};

// Throws std::invalid_argument for a rate <= 0, no devices (nor events), or zero concurrency.
load_result run_load(std::shared_ptr<auth::authorizer_backend> backend, const load_options& o);

}  // namespace wv::loadgen
