#pragma once
// What an HTTPS publish request does, without I/O (spec 8): the decisions the MQTT path makes
// for a PUBLISH, answered as AWS's data endpoint answers them.
//
//   https_publisher pub{env, services, {.ip = "127.0.0.1", .certificate = read_x509_peer(ssl)}};
//   http_response r = pub.handle("POST", "/topics/wv%2Fd1%2Fsamp?qos=1", body);
//   // r.status 200, r.body {"message":"OK","traceId":"<uuid>"}, r.trace_id the same uuid
//
// On 8443 and ALPN x-amzn-http-ca the principal is the client certificate (X.509, as on the
// MQTT x-amzn-mqtt-ca path): its id, as AWS reports it. On 443 without ALPN (the HTTP front)
// each request authenticates itself (custom auth or SigV4, auth/http_authentication.hpp) and
// the caller passes the verdict's identity to handle(); refused() answers a refusal. Every request asks the certificate directory again (a hash lookup),
// so a certificate set INACTIVE stops a keep-alive connection at its next request; the
// policies attached to the certificate decide. There is no client id: rules see
// clientid() = "n/a", `${iot:ClientId}` and the thing variables resolve to nothing.
//
// Statuses (every body is JSON {"message": ..., "traceId": ...}):
//   200  accepted: routed to subscribers and the rules engine like an MQTT PUBLISH (with
//        the request's MQTT 5 properties, https_target.hpp)
//   400  the topic breaks AWS's rules (256 bytes, 7 slashes, reserved `$`, wildcards) or the
//        query is bad (https_target.hpp)
//   403  iot:Publish (or iot:RetainPublish for retain=true) denied by the policies; or the
//        certificate is not registered / not ACTIVE / its CA not ACTIVE / expired (then the
//        connection is closed after the answer; the log says which check failed)
//   404  not /topics/<topic>;  405  not POST
//   413  body over limits_config::max_payload_bytes (see too_large())
// On the HTTP front (refused()): 401 UnauthorizedException for missing or refused custom-auth
// credentials (the authorizer named, the token signature, the authorizer's answer), 403 with
// InvalidSignatureException / UnrecognizedClientException / IncompleteSignatureException for
// SigV4; the error type also goes in x-amzn-ErrorType and the connection stays open. On the
// X.509 paths a connection without a verified client certificate never reaches a request
// (https_session).
//
// Side effects of handle(): one JSON log line (eventType Publish-In, protocol HTTP) per
// request, counters (messages_in, policy_denials), broker publish, rules hook.
// Threading: one publisher per connection, used from that connection's executor.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/http_authentication.hpp"
#include "gateway/connection_machine.hpp"
#include "gateway/effect_applier.hpp"
#include "gateway/https_target.hpp"

namespace wv::gate {

struct https_peer {
    // 443 without ALPN: requests carry their own credentials (custom auth or SigV4); the
    // certificate, if any, is ignored (X.509 on 443 needs ALPN x-amzn-http-ca, spec 3.1).
    bool http_front = false;
    std::string ip = "127.0.0.1";
    std::uint16_t port = 0;
    std::shared_ptr<const x509_peer> certificate;  // what the client presented
    std::optional<std::string> server_name;   // SNI, for iot:DomainName
};

struct http_response {
    unsigned status = 200;
    std::string body;       // JSON
    std::string trace_id;   // also sent as x-amzn-RequestId
    bool close = false;     // close the connection after this answer
    std::string error_type; // x-amzn-ErrorType when set (authentication refusals)
};

// Who sent one request on the HTTP front: the http_authenticator's verdict, reduced to what
// the publisher needs.
struct request_identity {
    std::string principal;                 // the authorizer's principalId, or the IAM principal
    policy::shared_policy_set policies;    // decide iot:Publish / iot:RetainPublish
    std::string policy_owner;              // for the 403 text: "the authorizer's policies", ...
};

class https_publisher {
public:
    https_publisher(machine_env env, gateway_services services, https_peer peer);

    // `who`: the HTTP front's verdict for this request (null on the X.509 paths); `mqtt5`: its
    // x-amz-mqtt5-* headers (https_target.hpp).
    http_response handle(std::string_view method, std::string_view target, std::string body,
                         const request_identity* who = nullptr, const mqtt5_headers& mqtt5 = {});
    // The HTTP front refused the request's credentials (401/403 with AWS's error type).
    http_response refused(const auth::http_refusal& r);
    // The body was over the limit (the caller stops reading it and closes the connection).
    http_response too_large();
    // The request could not be parsed (the caller closes the connection); `why` is logged.
    http_response malformed(std::string_view why);

private:
    http_response reply(unsigned status, std::string text, const char* reason, const std::string* topic,
                        const std::string* log_detail = nullptr);
    bool allowed(const std::string& action, const std::string& topic);
    bool authenticated(std::string& why);  // the directory's verdict for this request

    machine_env env_;
    gateway_services services_;
    https_peer peer_;
    std::string principal_;  // the certificate id
    policy::shared_policy_set policies_;
    std::shared_ptr<const policy::principal_facts> facts_;
};

// The status line's reason phrase ("OK", "Forbidden", ...).
std::string_view http_reason(unsigned status) noexcept;

}  // namespace wv::gate
