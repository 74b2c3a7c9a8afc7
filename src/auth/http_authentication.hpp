#pragma once
// Who is calling: authentication of an HTTP request on the device endpoint's 443 without ALPN
// (spec 3.1), for the two transports that arrive there as HTTP:
//
//   http  HTTPS publish, `POST /topics/<topic>?qos=N` (custom auth or SigV4)
//   wss   MQTT over WebSocket, `GET /mqtt` + Upgrade (SigV4 presigned URL, or custom auth)
//
// ONE entry point, http_authenticator::authenticate(), used by the HTTP front (ws's dispatch
// and the HTTPS publisher). It decides between the two schemes the way AWS does:
//
//   1. SigV4 when the request carries it: `X-Amz-Algorithm=AWS4-HMAC-SHA256` (+ Credential,
//      Date, SignedHeaders, Signature, optional Expires) in the query (the presigned /mqtt URL;
//      X-Amz-Security-Token may follow the signature unsigned, as AWS's SDKs append it), or an
//      `Authorization: AWS4-HMAC-SHA256 ...` header (+ X-Amz-Date, X-Amz-Security-Token).
//      Verified synchronously against the configured IAM keys (iam_keys.hpp) with
//      src/sigv4's verifier, service `iotdevicegateway` (WebSocket, aws-crt) or `iotdata` (botocore's
//      iot-data Publish), the gateway's region; the date must be
//      within 15 minutes of now (header form) or within X-Amz-Expires of X-Amz-Date (presigned,
//      plus 15 minutes' skew for a date in the future).
//   2. Otherwise custom auth (spec 1.2): the authorizer named by `x-amz-customauthorizer-name`
//      (header, else query parameter, else -- wss at CONNECT only -- the MQTT user name's
//      parameter), or the endpoint's default authorizer. Token (the authorizer's tokenKeyName)
//      and `x-amz-customauthorizer-signature` are looked up the same way; a signing-enabled
//      authorizer verifies the signature first (token_signature.hpp) and a failure refuses
//      without invoking the function. The event (authorizer_event.hpp) carries
//      protocols ["tls","http"] for http and ["tls","http","mqtt"] for wss, protocolData.http
//      { headers, queryString }, protocolData.mqtt (wss) and connectionMetadata.id.
//
// WHEN to call, per transport (what AWS's own clients require, see the gateway README):
//   http  once per request, with `body` set: the header form of SigV4 signs its SHA-256.
//         Each keep-alive request is authenticated again, except that an authorizer with
//         enableCachingForHttp has its allowed answer reused from the connection's
//         http_verdict_cache (below) for the same token until the answer's
//         refreshAfterInSeconds: the function is not invoked for those requests.
//   wss   at the upgrade with `mqtt` unset: SigV4 is decided there (a refusal is the upgrade's
//         answer); without SigV4 the verdict is `deferred_to_connect`: answer 101 and call again
//         when the MQTT CONNECT arrives, with the same request and `mqtt` set from CONNECT.
//         (aws-crt's newWebsocketMqttBuilderWithCustomAuth sends a plain upgrade and puts the
//         authorizer name, token and signature in the CONNECT user name; AWS accepts it, so
//         the authorizer cannot run before CONNECT.) A SigV4 wss connection is not
//         authenticated again at CONNECT.
//
// Threading: authenticate() may be called from any thread, concurrently; it never blocks on
// the authorizer. `done` runs exactly once: on the calling thread before authenticate()
// returns when no Lambda is involved (SigV4, deferred_to_connect, a refusal before
// invocation), otherwise on the authorizer service's thread. It must not block and must not
// re-enter the caller's state machine directly: post to the connection's executor.
// An http_authenticator is immutable after construction; the objects its options point to
// must outlive it.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "auth/authorizer_service.hpp"
#include "auth/custom_authorizers.hpp"
#include "auth/iam_keys.hpp"
#include "policy/policy_set_cache.hpp"

namespace wv::auth {

enum class http_transport { http, wss };
const char* to_string(http_transport t) noexcept;  // "http", "wss"

// The MQTT CONNECT's credentials (wss, second call).
struct mqtt_credentials {
    std::optional<std::string> username{};   // raw
    std::optional<std::string> password{};   // raw bytes
    std::optional<std::string> client_id{};  // absent or empty: omitted from the event
};

class http_verdict_cache;

struct http_auth_request {
    http_transport transport = http_transport::http;
    std::string method{};  // as sent: "POST", "GET"
    std::string target{};  // request-target as sent, query included: "/mqtt?X-Amz-Algorithm=..."
    std::vector<std::pair<std::string, std::string>> headers{};  // as received: names as sent, in order
    std::string body{};  // http: the payload (SigV4's header form signs its SHA-256); wss: empty
    std::optional<std::string> server_name{};  // TLS SNI
    std::string source_ip{};
    std::uint16_t source_port = 0;
    std::string connection_id{};             // make_connection_id(): the event's connectionMetadata.id
    std::optional<mqtt_credentials> mqtt{};  // wss at CONNECT only
    // http: the connection's cache for authorizers with enableCachingForHttp (null: no caching).
    http_verdict_cache* cache = nullptr;
};

// The authorizer was invoked (whatever it answered). `result.allowed()`: the connection or
// request is authenticated; its policies are `policies` (parsed, shared), its principal
// result.verdict.response.principal_id, its lifetime the response's disconnect/refresh TTLs.
// Any other outcome refuses: for http the publisher answers `refusal`, for wss the connection
// closes as the MQTT custom-auth path does (authorization_result says why, for logs/stats).
struct custom_auth_verdict {
    std::string authorizer{};  // the name of the authorizer that was invoked
    std::string event_json{};  // the event it received (logs, wvauthz, tests)
    authorization_result result{};
    policy::shared_policy_set policies{};  // set when result.allowed()
    bool cached = false;  // reused from the connection's http_verdict_cache: the function was not invoked
    bool allowed() const { return result.allowed(); }
};

// AWS's enableCachingForHttp (CreateAuthorizer): "the result from the authorizer's Lambda
// function is cached for the time specified in refreshAfterInSeconds. The cached result is used
// while the device reuses the same HTTP connection." One per HTTPS connection; keyed by the
// authorizer and the token (absent token: its own key), so a request with another token on the
// same connection invokes the function again. Only allowed answers are kept (a refusal is asked
// again next time). A connection's requests are serial: the cache is used by one request at a
// time (its completion may run on the authorizer's thread while the connection waits for it).
class http_verdict_cache {
public:
    // The answer still valid at `now`, or null.
    const custom_auth_verdict* find(const std::string& authorizer, const std::optional<std::string>& token,
                                    std::chrono::system_clock::time_point now) const;
    // Keeps `v` (allowed) until now + its refreshAfterInSeconds; replaces the entry of that key.
    void remember(const custom_auth_verdict& v, const std::optional<std::string>& token,
                  std::chrono::system_clock::time_point now);
    std::size_t size() const noexcept { return entries_.size(); }

private:
    struct entry {
        std::string authorizer;
        std::optional<std::string> token;
        custom_auth_verdict verdict;
        std::chrono::system_clock::time_point until;
    };
    // A device sends one token per connection; a few entries bound a client that rotates them.
    static constexpr std::size_t max_entries = 8;
    std::vector<entry> entries_;
};

// A configured IAM key signed the request. The key's policy documents decide every action.
struct sigv4_verdict {
    std::string access_key_id{};
    std::string principal{};  // iam_key::principal (the key id by default)
    policy::shared_policy_set policies{};
    std::chrono::system_clock::time_point signed_at{};  // X-Amz-Date
    bool presigned = false;                             // query form (wss) rather than Authorization header
};

// Refused before any Lambda: AWS's HTTP answer. `status`/`error_type`/`message` are what the
// device sees (JSON body {"message": ...}; header x-amzn-ErrorType: error_type); `detail` is
// the log line saying which check failed (never sent: it may name keys or authorizers).
//   401 UnauthorizedException     no credentials of either kind; custom auth: no authorizer,
//                                 unknown/inactive authorizer, missing token or signature,
//                                 bad signature, or the authorizer did not allow (http)
//   403 InvalidSignatureException, UnrecognizedClientException, IncompleteSignatureException,
//       ExpiredTokenException     SigV4: wrong signature or expired date, unknown key,
//                                 malformed SigV4 parameters, wrong session token
// (observed: a refused WSS upgrade is `403 Forbidden` with a JSON body, spec 8.2.)
struct http_refusal {
    unsigned status = 401;
    std::string error_type{};  // "UnauthorizedException", "InvalidSignatureException", ...
    std::string message{};     // the body's "message"
    std::string detail{};      // for the log
    std::string log_reason = "AUTHORIZATION_FAILURE";  // eventType reason in the JSON log
};

// wss at the upgrade without SigV4: accept the upgrade, authenticate at CONNECT.
struct deferred_to_connect {};

using http_auth_verdict = std::variant<custom_auth_verdict, sigv4_verdict, http_refusal, deferred_to_connect>;

// The request as the authorizer event carries it (protocolData.http): headers as received and
// the target's query with its '?' ("" when none). The gateway keeps this of a WebSocket
// upgrade for the custom-auth call at CONNECT.
http_request_info request_info_of(const http_auth_request& r);

// The refusal an http (HTTPS publish) client sees for a custom-auth verdict that did not
// allow: 401 UnauthorizedException, detail naming the authorizer and the outcome.
http_refusal refusal_for(const custom_auth_verdict& v);

struct http_authenticator_options {
    const custom_authorizers* authorizers = nullptr;  // null: custom auth refuses (401)
    // The running service of an authorizer, by name; null: that authorizer has no backend.
    std::function<authorizer_service*(const std::string& name)> services{};
    const iam_keys* iam = nullptr;     // null or empty: SigV4 refuses (403)
    std::string region = "us-east-1";  // the credential scope's region must match
    // Shared parsed authorizer policies (connection_machine's machine_env::policy_cache); null:
    // each verdict parses its own.
    policy::policy_set_cache* policy_cache = nullptr;
    // The wall clock for SigV4 dates; tests pin it.
    std::function<std::chrono::system_clock::time_point()> now = [] {
        return std::chrono::system_clock::now();
    };
};

class http_authenticator {
public:
    using completion = std::function<void(http_auth_verdict)>;

    explicit http_authenticator(http_authenticator_options o);

    void authenticate(http_auth_request request, completion done) const;

    const http_authenticator_options& options() const noexcept { return options_; }

private:
    http_authenticator_options options_;
};

}  // namespace wv::auth
