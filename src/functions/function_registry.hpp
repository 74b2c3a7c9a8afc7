#pragma once
// Functions named once: the Lambdas AWS would call (custom authorizers, rule `lambda` actions,
// `validate` decoders, provisioning hooks), looked up by name or by the ARN AWS would use,
//   arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
//
//   functions::function_registry fns(iot);        // iot: the host's control plane, or {}
//   fns.add(spec);                                // each entry of `functions:` (backend_spec.hpp)
//   functions::function f = fns.resolve("arn:aws:lambda:us-east-1:123456789012:function:auth");
//   f.invoke(event_json, [](functions::function_reply r) { ... });  // deadline: now + f.timeout
//
// A function is started at its first resolve() and then shared by everyone who resolves it:
// an authorizer and a rule naming the same handler file share one worker pool, not two.
// A function is the seam auth::authorizer_backend already is: JSON event in, the function's
// raw reply out (or a transport error kind: timeout, function_error, worker_crashed, ...),
// asynchronous, completion on any thread, never blocking.
//
// An ARN matches the function of that name whose region and account are the ARN's (each
// entry's `region`/`account`, inherited from the config's). A qualifier (":live", ":3") is
// accepted and ignored locally, except that a `lambda` backend already sets its own.
//
// Errors (std::runtime_error) say what to do: an unknown name or ARN lists the known
// functions with their ARNs; an ARN whose name is known but whose region or account is not the
// function's says which differs; a function that cannot start names itself and the reason.
//
// Lifetime: the registry owns what hosts a started function (handler workers' local control
// plane, the backend). Callers keep the shared backend; the registry must outlive their calls.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/authorizer_backend.hpp"
#include "functions/backend_spec.hpp"
#include "functions/build_backend.hpp"

namespace wv::functions {

using function_reply = auth::backend_reply;
using function_errc = auth::backend_errc;

// arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
struct lambda_arn {
    std::string region{};
    std::string account{};
    std::string name{};
    std::string qualifier{};  // empty: none
};

// nullopt when `text` is not a Lambda function ARN (a plain name, say).
std::optional<lambda_arn> parse_lambda_arn(std::string_view text);
std::string function_arn(std::string_view region, std::string_view account, std::string_view name);
inline bool looks_like_arn(std::string_view text) { return text.starts_with("arn:"); }

// One started function, as every caller that named it sees it.
struct function {
    std::string name{};                         // its name in `functions:`
    std::string arn{};                          // arn:aws:lambda:<region>:<account>:function:<name>
    std::chrono::milliseconds timeout{3000};    // its own timeout (Lambda's default: 3 s)
    std::shared_ptr<auth::authorizer_backend> backend{};

    // Calls with the deadline now + timeout.
    void invoke(std::string event_json, auth::authorizer_backend::completion done) const;
};

class function_registry {
public:
    explicit function_registry(backends::local_iot iot = {});
    ~function_registry();
    function_registry(const function_registry&) = delete;
    function_registry& operator=(const function_registry&) = delete;

    // Names a function; nothing starts yet. Throws std::invalid_argument when the name is taken.
    void add(backends::backend_spec spec);

    // The function's spec, or nullptr when `name_or_arn` names none (no exception).
    const backends::backend_spec* find(std::string_view name_or_arn) const;
    // The spec; throws std::runtime_error as above when unknown.
    const backends::backend_spec& spec(std::string_view name_or_arn) const;
    // Starts the function at the first call, then hands out the same one. Throws as above.
    function resolve(std::string_view name_or_arn);

    std::vector<std::string> names() const;
    std::string arn_of(const backends::backend_spec& spec) const;
    // "auth (arn:aws:lambda:us-east-1:123456789012:function:auth), decoder (...)" or "none".
    std::string known() const;

private:
    struct entry {
        backends::backend_spec spec;
        std::optional<backends::built_backend> started{};
    };
    const entry* lookup(std::string_view name_or_arn) const;  // throws when unknown
    const entry* lookup_locked(std::string_view name_or_arn) const;
    std::string known_locked() const;

    backends::local_iot iot_;
    mutable std::mutex mutex_;
    std::map<std::string, entry, std::less<>> entries_;
};

}  // namespace wv::functions
