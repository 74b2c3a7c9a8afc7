#pragma once
// Calls one authorizer backend the way the gateway must: never on the caller's thread, with
// AWS's per-call deadline, bounded concurrency and a bounded queue, and fail-closed.
//
//   authorizer_service svc{backend, {.max_concurrency = 64, .max_queue = 1024}};
//   svc.authorize(event_json, [](authorization_result r) { /* post to the connection */ });
//
// Outcomes (authorization_result::outcome), every one but `allowed` denies the connection:
//   allowed / denied    the reply was valid; isAuthenticated true / false
//   invalid_response    the reply broke a rule of spec 2.1 (verdict.checks says which)
//   backend_error       the backend reported an error (backend_errc says which)
//   timeout             no reply by the deadline (AWS: 5 s); a late reply is discarded
//   overloaded          concurrency and queue are full: refused without calling
//   shut_down           the service was destroyed before the call completed
//
// Threading contract:
// - authorize() may be called from any thread, concurrently. It never blocks on the backend
//   and never runs `done` itself: it takes a short internal lock and returns.
// - `done` runs exactly once per authorize(), either on the backend's thread (the reply
//   arrived) or on the service's single timer thread (timeout, overload, shut down). It
//   must not block; typically it posts to the connection's executor.
// - The service thread calls backend->invoke(); a backend must return from invoke() at once
//   (queue the work, complete later) or it holds up every other call. The built-in static
//   and registry backends answer inline, which is cheap enough to be the exception.
// - The deadline runs from authorize(), so time spent queued counts (a device waits for
//   both); queue_wait and call_time are reported separately.
// - The destructor completes every pending call with `shut_down` and joins the timer
//   thread. Backend completions that arrive after it are ignored safely (shared state).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "auth/authorizer_backend.hpp"
#include "auth/authorizer_response.hpp"

namespace wv::auth {

enum class authorization_outcome { allowed, denied, invalid_response, backend_error, timeout, overloaded, shut_down };
const char* to_string(authorization_outcome o) noexcept;

struct authorization_result {
    authorization_outcome outcome = authorization_outcome::shut_down;
    response_verdict verdict{};                 // filled when a reply was validated
    backend_reply reply{};                      // the raw reply (body, error, detail, log lines)
    std::string reason{};                       // one line for logs
    std::chrono::nanoseconds queue_wait{0};   // authorize() -> backend invoke
    std::chrono::nanoseconds call_time{0};    // backend invoke -> reply (or deadline)
    bool allowed() const { return outcome == authorization_outcome::allowed; }
};

struct authorizer_service_options {
    std::chrono::milliseconds deadline{5000};  // AWS's authorizer Lambda limit
    std::size_t max_concurrency = 64;          // calls in flight at the backend
    std::size_t max_queue = 1024;              // waiting beyond that; more = overloaded
};

struct authorizer_service_stats {
    std::uint64_t calls = 0, allowed = 0, denied = 0, invalid = 0, errors = 0, timeouts = 0, overloaded = 0;
    std::size_t in_flight = 0, queued = 0;
};

class authorizer_service {
public:
    using completion = std::function<void(authorization_result)>;

    authorizer_service(std::shared_ptr<authorizer_backend> backend, authorizer_service_options o = {});
    ~authorizer_service();
    authorizer_service(const authorizer_service&) = delete;
    authorizer_service& operator=(const authorizer_service&) = delete;

    void authorize(std::string event_json, completion done);

    authorizer_service_stats stats() const;
    const authorizer_backend& backend() const;

private:
    struct state;
    std::shared_ptr<state> state_{};
};

}  // namespace wv::auth
