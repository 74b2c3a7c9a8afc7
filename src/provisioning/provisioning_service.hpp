#pragma once
// The service behind the fleet-provisioning MQTT API: one request (topic, payload, who asked)
// in, one reply (topic, payload) out, on a worker thread, never on the caller's. The gateway
// hands it every PUBLISH to a request topic and sends the reply to the asking connection only.
//
//   provisioning_service svc(reg, {.resolve_function = [&](const std::string& arn) { ... }});
//   if (provisioning_service::handles(topic))
//       svc.submit({.topic = topic, .payload = payload, .client_id = id, .certificate_id = claim_id},
//                  [](provisioning_reply r) { /* post to the connection: r.topic, r.payload */ });
//
// CreateKeysAndCertificate / CreateCertificateFromCsr issue a PENDING_ACTIVATION certificate
// from the registry's Amazon CA stand-in and a certificateOwnershipToken bound to it (1 h).
// RegisterThing checks the token, the template (exists, enabled; a trusted-user claim
// certificate only for its own template), calls the template's pre-provisioning hook
// (payloadVersion 2020-04-01, 5 s deadline, bounded concurrency; a failure, a timeout or a reply
// without allowProvisioning true refuses), merges parameterOverrides, evaluates the template
// and applies it. Certificates whose token expired unused are deleted, as AWS does.
//
// Rejections (statusCode / errorCode), AWS's where known:
//   400 InvalidCertificateOwnershipToken  empty, unknown or expired token (observed on AWS)
//   400 InvalidPayload                    JSON/CBOR that does not decode, wrong field types
//   400 InvalidCSR                        a CSR that does not parse or verify
//   400 InvalidParameters                 the template does not evaluate (missing parameter, ...)
//   403 AccessDenied                      the hook refused, failed, timed out or answered garbage;
//                                         a claim used past its 5 minutes or for another template
//   404 ResourceNotFound                  no such template (or thing type, group, policy it names)
//   409 ResourceConflict                  OverrideSettings FAIL on an existing thing
//   429 Throttling                        more requests waiting than max_pending
//
// Threading: submit() may be called from any thread; `done` runs exactly once, on a worker or
// a hook's thread, and must not block. The destructor waits for the requests in progress.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "auth/authorizer_backend.hpp"
#include "auth/authorizer_service.hpp"
#include "metrics/histogram.hpp"
#include "provisioning/mqtt_api.hpp"
#include "provisioning/ownership_tokens.hpp"
#include "registry/registry.hpp"

namespace wv::provisioning {

struct provisioning_request {
    std::string topic;
    std::string payload;
    std::string client_id;
    std::string certificate_id;  // the connection's certificate (the claim); empty: not X.509
};

struct provisioning_reply {
    std::string topic;    // <request topic>/accepted or /rejected
    std::string payload;  // in the request's format
    bool accepted = false;
    std::string log;      // one line for the gateway's log: what was done, or why not
    std::chrono::nanoseconds hook_time{0};  // time spent in the pre-provisioning hook
};

struct provisioning_options {
    std::size_t threads = 2;          // workers: key generation, signing, the registry
    std::size_t max_pending = 1024;   // requests accepted but not answered; beyond: 429
    std::chrono::milliseconds hook_deadline{5000};  // AWS's
    std::size_t hook_concurrency = 64;
    std::chrono::seconds token_ttl{3600};            // AWS's
    // A hook's targetArn (a Lambda ARN or a function name) to the function to call; null, or
    // a null result: the hook cannot be called and RegisterThing is refused (AccessDenied).
    std::function<std::shared_ptr<auth::authorizer_backend>(const std::string& target_arn)> resolve_function{};
};

struct provisioning_stats {
    std::uint64_t requests = 0, accepted = 0, rejected = 0, throttled = 0, hook_calls = 0;
};

class provisioning_service {
public:
    provisioning_service(registry::registry& reg, provisioning_options options = {});
    ~provisioning_service();
    provisioning_service(const provisioning_service&) = delete;
    provisioning_service& operator=(const provisioning_service&) = delete;

    // True for the request topics of the API (the gateway hands those over instead of routing).
    static bool handles(std::string_view topic);

    using completion = std::function<void(provisioning_reply)>;
    void submit(provisioning_request r, completion done);

    provisioning_stats stats() const;
    // Every hook call's own time (queue wait + the call), as RegisterThing's share of it.
    metrics::histogram hook_times() const;
    ownership_tokens& tokens() { return tokens_; }

private:
    struct pool;
    struct register_job;
    void run(provisioning_request r, const request_topic& t, completion done);
    provisioning_reply create_keys(const provisioning_request& r, const request_topic& t, const nlohmann::json& body);
    provisioning_reply create_from_csr(const provisioning_request& r, const request_topic& t, const nlohmann::json& body);
    void register_thing(std::shared_ptr<register_job> job);
    void finish_register(std::shared_ptr<register_job> job);
    auth::authorizer_service* hook_service(const std::string& target_arn, std::string& why_not);
    std::optional<api_error> claim_refusal(const provisioning_request& r, const std::string* template_name) const;
    void sweep_expired_certificates();
    void complete(const completion& done, provisioning_reply reply);
    // Completes once the batch's writes are on disk (a failed save turns an acceptance into 500).
    void complete_when_saved(registry::registry::write_batch& batch, const completion& done, provisioning_reply reply,
                             const provisioning_request& r, payload_format f);

    registry::registry& reg_;
    provisioning_options opts_;
    ownership_tokens tokens_;
    std::atomic<std::size_t> pending_{0};
    mutable std::mutex mu_;
    provisioning_stats stats_;
    metrics::histogram hook_times_;
    std::map<std::string, std::unique_ptr<auth::authorizer_service>> hooks_;
    std::unique_ptr<pool> pool_;  // last: destroyed first, joining the workers
};

// The reply topics of a request topic.
std::string accepted_topic(std::string_view request_topic);
std::string rejected_topic(std::string_view request_topic);

}  // namespace wv::provisioning
