#pragma once
// `wvauthz hook invoke|bench`: a pre-provisioning hook called as AWS IoT calls it on every
// RegisterThing (developer guide, pre-provisioning-hook.html), offline: the event
// (src/provisioning/pre_provisioning_hook.hpp), AWS's 5 s deadline, and how the reply is read
// (allowProvisioning, parameterOverrides). The backends are wvauthz's (backend_flags.hpp): your
// handler file, a Lambda Invoke URL, or a function of a wvgate config's `functions:`.
//
//   wvauthz hook invoke --handler python:hook.py --param SerialNumber=1001
//   wvauthz hook bench  --handler python:hook.py --param 'SerialNumber={n}' --rate 200 --duration 5
//
// invoke prints the verdict, the overrides, the latency and the function's own log lines; its
// exit code: 0 allowed, 1 refused (allowProvisioning false), 3 a reply that is not the hook's
// shape, a function error or a timeout (each refuses provisioning at AWS), 2 usage.
// bench is `wvauthz bench` with hook events: allowed/denied/invalid, errors by kind, latency.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/authorizer_service.hpp"
#include "auth/connect_verdict.hpp"
#include "authorizer_clients/wvauthz/backend_flags.hpp"

namespace CLI {
class App;
}

namespace wv::wvauthz {

struct hook_event_flags {
    std::string event_file;                  // --event: the whole event JSON (overrides the rest)
    std::vector<std::string> params;         // --param NAME=VALUE ({n}: the device number in bench)
    std::string template_name = "fleet";     // --template: the templateArn's last part
    std::string client_id = "dev{n}";        // --client-id
    std::string certificate;                 // --certificate PEM file; default: one made here
};

void add_hook_event_flags(CLI::App& cmd, hook_event_flags& f);

// The event for device `n` (bench: 1..devices; invoke: 1). Throws std::invalid_argument for a
// bad --param or an unreadable --event / --certificate.
std::string hook_event(const hook_event_flags& f, const backend_flags& b, std::size_t n);

// A reply read as AWS reads it: allowed, denied (allowProvisioning false) or invalid_response
// (`kind` says what was wrong: not_json, no_allow, bad_overrides).
auth::connect_outcome judge_hook_reply(const auth::authorization_result& r, std::string& kind);

// One call, printed (text or JSON); the exit code above.
int run_hook_invoke(const backend_flags& bf, const hook_event_flags& ef, int timeout_ms, bool json);

}  // namespace wv::wvauthz
