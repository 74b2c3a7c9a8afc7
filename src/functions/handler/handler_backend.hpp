#pragma once
// The `handler` backend: runs a user's Lambda handler file, unchanged, in a pool of local
// worker processes (python3 or node) through the runner scripts shipped in runners/.
//
//   auto b = wv::handler::make_handler_backend({.spec = "python:auth/lambda_function.py",
//                                               .workers = 4,
//                                               .environment = {{"region", "eu-central-1"}}});
//   b->invoke(event_json, deadline, [](wv::auth::backend_reply r) { ... });
//
// Protocol (runners/PROTOCOL.md): one JSON object per line over a socketpair at the worker's
// fd 3. Each worker runs one call at a time; the function's print()/console.log and logging
// output is captured per call and returned in backend_reply::log_lines, and anything written
// straight to fd 1/2 (C extensions, subprocesses) is appended to the current call's log lines
// with a "[stdout]" prefix. It never corrupts the protocol.
//
// Outcomes (backend_reply::error):
//   none            the function returned; body = its return value as JSON
//   function_error  the function raised (detail: "ErrorType: message", body: Lambda's error
//                   JSON), returned something JSON cannot hold (Runtime.MarshalError), or the
//                   file failed to import (Runtime.ImportModuleError)
//   timeout         no return by the deadline: the worker is killed and replaced
//   worker_crashed  the worker died mid-call (detail: exit status or signal); it is replaced
//   overloaded      more than max_queue calls waiting for a worker
//   transport       the worker could not be started (fork failed), or the event is not JSON
//
// Threading: invoke() may be called from any thread; completions run on the backend's own
// I/O thread and must not block. The destructor fails calls still pending with `transport`
// ("backend stopped"), kills the workers and joins the thread (when the last owner lets go
// inside a completion, on that thread, the thread is left to finish on its own instead).
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "auth/authorizer_backend.hpp"
#include "functions/handler/handler_spec.hpp"

namespace wv::handler {

struct handler_options {
    std::string spec{};                            // python:FILE[:FUNCTION] or node:FILE[:FUNCTION]
    std::size_t workers = 2;                       // pool size: calls in parallel
    std::map<std::string, std::string> environment{};  // the function's environment variables
    std::string function_name{};                   // context.function_name; default: the file's stem
    std::string region = "us-east-1";              // AWS_REGION / AWS_DEFAULT_REGION unless in environment
    int memory_mb = 128;                           // context.memory_limit_in_mb
    // A local AWS IoT control plane (src/control_plane) the python runner points boto3 'iot' clients
    // at, with dummy credentials when none are configured. Empty: boto3 is left alone.
    std::string iot_endpoint_url{};
    std::filesystem::path interpreter{};           // default: the python3/node found at build time
    std::filesystem::path runner_dir{};            // default: this source tree's runners/
    std::size_t max_queue = 10000;                 // calls waiting for a free worker
    bool prestart = true;                          // start the pool now rather than at the first call
};

// Throws std::invalid_argument for a bad spec, a missing handler file, interpreter or runner.
std::unique_ptr<auth::authorizer_backend> make_handler_backend(handler_options opts);

}  // namespace wv::handler
