#pragma once
// The one seam between the gateway (and wvauthz) and every way of calling a custom
// authorizer: built-in static credentials, a registry file, Lambda's Invoke HTTP API, a
// user's handler file run as a local worker.
//
// A backend only transports: it takes AWS's event JSON and returns the function's raw reply
// (or a transport error). Validating the reply as AWS does, timeouts, bounded concurrency and
// fail-closed verdicts live above it (authorizer_service), in one place for every backend.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace wv::auth {

// Why a call produced no usable reply. Each maps to a distinct log reason and metric label.
enum class backend_errc {
    none = 0,
    transport,       // connection refused/reset, HTTP failure, worker pipe broken
    function_error,  // the function raised (Lambda X-Amz-Function-Error, handler exception)
    throttled,       // Lambda 429 / TooManyRequestsException
    timeout,         // no reply within the call's deadline (AWS: 5 s)
    worker_crashed,  // a local handler worker died mid-call (it is replaced)
    overloaded,      // the service's queue is full: refused without calling
    not_configured,  // no such authorizer / backend
};

const char* to_string(backend_errc e) noexcept;

struct backend_reply {
    backend_errc error = backend_errc::none;
    std::string body{};                    // the function's response JSON (when error == none)
    std::string detail{};                  // human-readable reason for an error, e.g. the exception text
    std::vector<std::string> log_lines{};  // the function's own log output for this call, if captured
};

// Thread-safety: invoke() may be called from any thread, concurrently. `done` is called
// exactly once, on any thread (often a backend-owned one); it must not block.
// The deadline is advisory for the backend (it should abandon the call at it); the service
// enforces it regardless.
class authorizer_backend {
public:
    using completion = std::function<void(backend_reply)>;
    virtual ~authorizer_backend() = default;
    virtual void invoke(std::string event_json, std::chrono::steady_clock::time_point deadline,
                        completion done) = 0;
    // One line for logs and reports, e.g. "lambda http://127.0.0.1:9001 fn=auth".
    virtual std::string describe() const = 0;
};

}  // namespace wv::auth

namespace wv::auth {

// A backend whose calls run on an engine with its own thread (the Lambda HTTP client, the
// handler worker pool). `Engine` provides run() (the thread's body, returns after stop()),
// stop(), invoke(event, deadline, done) and describe(). The engine is shared with its thread,
// so a backend dropped from inside one of its own completions (its last owner let go there)
// cannot join itself: the thread is detached and finishes on its own, holding the engine.
template <class Engine>
class engine_thread_backend final : public authorizer_backend {
public:
    explicit engine_thread_backend(std::shared_ptr<Engine> engine)
        : engine_(std::move(engine)), thread_([e = engine_] { e->run(); }) {}

    ~engine_thread_backend() override {
        engine_->stop();
        if (thread_.get_id() == std::this_thread::get_id())
            thread_.detach();
        else
            thread_.join();
    }

    void invoke(std::string event_json, std::chrono::steady_clock::time_point deadline,
                completion done) override {
        engine_->invoke(std::move(event_json), deadline, std::move(done));
    }
    std::string describe() const override { return engine_->describe(); }

private:
    std::shared_ptr<Engine> engine_;
    std::thread thread_;
};

}  // namespace wv::auth
