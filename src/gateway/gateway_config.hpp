#pragma once
// Typed configuration of wvgate: everything the gateway reads, parsed once (from YAML by
// load_gateway_config() in config_yaml.hpp, or built in code by an embedding program such as
// wvsim). Nothing below this struct reads strings from a map. Defaults are AWS IoT Core's
// documented quotas (spec section 5); each is overridable for load tests.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/iam_keys.hpp"
#include "functions/backend_spec.hpp"
#include "rules_engine/engine_config.hpp"

namespace wv::auth {
class authorizer_backend;
}
namespace wv::backends {
struct local_iot;
}
namespace wv::gate {
class certificate_directory;
}

namespace wv::gate {

// Which AWS endpoint behaviour a listener reproduces (spec 3.1).
enum class listener_kind {
    aws_443,   // ALPN `mqtt` -> custom auth; `x-amzn-mqtt-ca` -> X.509; `x-amzn-http-ca` -> HTTPS
               // publish with X.509; no acceptable ALPN -> handshake fails
    aws_8883,  // MQTT with an X.509 client certificate, no ALPN needed
    aws_8443,  // HTTPS publish with an X.509 client certificate, no ALPN needed
    plain,     // MQTT over plain TCP with custom auth: tests and debugging only
};

struct listener_config {
    std::string name = "aws-443";
    listener_kind kind = listener_kind::aws_443;
    std::string address = "127.0.0.1";
    std::uint16_t port = 4443;  // 0: the kernel picks one; gateway::listeners() reports it
    // Server certificate and key. Empty: the gateway generates a local CA and a server
    // certificate into gateway_config::generated_ca_dir and logs where it put them.
    std::filesystem::path cert_file, key_file;
    // CA that signs device certificates (X.509 listeners and `x-amzn-mqtt-ca`). Empty: the
    // generated CA.
    std::filesystem::path client_ca_file;
};

// One device the built-in `static` backend knows (spec 2.1: it answers like a Lambda would).
struct static_credential {
    std::string username;        // the MQTT user name before `?`
    std::string password;
    std::string client_id;       // empty: any client id
    std::string principal_id;    // empty: derived from the user name (alphanumerics only)
    std::vector<std::string> policy_documents;  // empty: the authorizer's default_policies
    bool authenticated = true;   // false: answers isAuthenticated:false (a "deny" row)
};

// static, registry: built in (src/functions). lambda, handler: src/functions' backends, built
// by `factory` (config_yaml fills it from the authorizer's YAML). function: one of
// gateway_config::functions, by name or ARN (`function`). custom: `custom`, in code.
enum class backend_kind { static_credentials, registry, lambda, handler, function, custom };

// A custom authorizer as AWS models it (spec 1.1) plus where its function runs.
struct authorizer_config {
    std::string name = "wv-authorizer";
    bool active = true;                       // status ACTIVE / INACTIVE
    bool signing_disabled = true;
    std::string token_key_name;               // empty: no token extracted
    std::map<std::string, std::string> token_signing_public_keys;  // name -> PEM
    // AWS's enableCachingForHttp: HTTPS publish reuses an allowed answer on the same kept-alive
    // connection for the same token until its refreshAfterInSeconds (YAML enable_caching_for_http).
    bool enable_caching_for_http = false;

    backend_kind backend = backend_kind::static_credentials;
    std::vector<static_credential> credentials;        // static
    // Policies the static backend returns for a credential that names none. `${iot:ClientId}`
    // is resolved by the policy engine, so one document serves a whole fleet.
    std::vector<std::string> default_policies;
    int refresh_after_s = 86'400;
    int disconnect_after_s = 86'400;
    std::filesystem::path registry_csv;                // registry
    std::shared_ptr<auth::authorizer_backend> custom;  // custom: any backend, built in code
    // lambda / handler: builds the backend at start() (throws std::runtime_error naming the
    // problem), given the gateway's registry and control plane (a handler's boto3 `iot`
    // client talks to it). The returned pointer keeps whatever the backend needs alive.
    std::function<std::shared_ptr<auth::authorizer_backend>(const backends::local_iot&)> factory;
    // function: a name in gateway_config::functions or its ARN (AWS's authorizerFunctionArn).
    std::string function;

    std::chrono::milliseconds timeout{5000};  // AWS: 5 s, not adjustable
    std::size_t max_concurrency = 64;         // calls in flight
    std::size_t max_queue = 4096;             // waiting calls; beyond this: denied as overloaded
};

// Per-connection and broker limits. Defaults are AWS IoT Core's.
struct limits_config {
    std::size_t max_client_id_bytes = 128;
    std::size_t max_topic_bytes = 256;
    std::size_t max_topic_slashes = 7;
    std::size_t max_payload_bytes = 128 * 1024;
    std::size_t max_filters_per_subscribe = 8;
    std::size_t max_subscriptions_per_connection = 50;
    std::uint16_t min_keep_alive_s = 30;
    std::uint16_t max_keep_alive_s = 1200;
    double publish_rate_per_s = 100;          // inbound publishes per connection; 0: unlimited
    // AWS: 1 CONNECT per second per client id, not adjustable; a faster one is closed without
    // CONNACK (THROTTLED). 0: off (load tests that reconnect one id in a tight loop).
    double connects_per_s_per_client_id = 1;
    std::size_t max_inflight_qos1 = 100;      // unacknowledged outbound QoS 1 per connection
    std::size_t max_outbox_bytes = 1 << 20;   // queued for a slow subscriber; beyond: dropped+counted
    std::size_t max_offline_messages = 100;   // QoS 1 kept for a disconnected persistent session
    double session_replay_per_s = 10;         // AWS: a resumed session's stored QoS 1 at 10 msg/s; 0: at once
    std::chrono::seconds persistent_session_expiry{3600};  // MQTT 5: also the most a CONNECT's Session Expiry gets
    std::uint16_t topic_alias_maximum = 8;    // MQTT 5: topic aliases a client may set (AWS: 8)
    // MQTT 5: the User Properties of one PUBLISH, CONNECT or Will, names and values summed in
    // bytes (AWS's quota: 8 KB); beyond: the connection is refused or closed (0x95).
    std::size_t max_user_properties_bytes = 8 * 1024;
    std::size_t max_connections = 20'000;     // beyond: accepted and closed at once, logged
    std::chrono::milliseconds tls_handshake_timeout{10'000};
    std::chrono::milliseconds connect_timeout{10'000};  // from accept/handshake to CONNECT
};

// HTTPS publish (spec 8): ALPN x-amzn-http-ca on aws-443, and aws-8443 listeners.
struct https_config {
    std::size_t max_header_bytes = 8 * 1024;   // request line + headers; beyond: 400 and close
    // From the end of the last response (or the handshake) to the first byte of a request.
    std::chrono::milliseconds idle_timeout{60'000};
    // From a request's first byte to its last: a slow sender is closed (no response).
    std::chrono::milliseconds request_timeout{10'000};
};

// MQTT over WebSocket on aws-443 without ALPN (or ALPN http/1.1): `GET /mqtt` + Upgrade.
struct websocket_config {
    std::string path = "/mqtt";
    // AWS closes a WebSocket connection after 24 h (WEBSOCKET_TTL_EXPIRATION); scaled by
    // time_scale like the other AWS durations. 0: never.
    std::chrono::seconds ttl{86'400};
    std::uint64_t max_frame_bytes = 256 * 1024;   // a frame's payload; beyond: Close 1009
    // From the TLS handshake to the whole upgrade request (and the authenticator's answer).
    std::chrono::milliseconds handshake_timeout{10'000};
};

// The AWS IoT registry (src/registry) and its control-plane API (src/control_plane), which
// unmodified boto3 / `aws iot --endpoint-url` clients and handler functions' boto3 reach.
struct control_plane_config {
    bool enabled = true;                   // the HTTP listener; the registry exists regardless
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;                // 0: the kernel picks one; gateway::control_plane_url()
    std::filesystem::path state;           // the registry's SQLite file; empty: in memory
    std::filesystem::path seed;            // a registry seed file (registry/seed.hpp) applied at start
    // CreateKeysAndCertificate's keys: RSA-2048 as AWS; true: EC P-256, faster, NOT what AWS issues.
    bool issue_ec_keys = false;
    // Access key id -> secret. Empty: requests are accepted signed or not; otherwise each must
    // carry a valid SigV4 signature by one of these keys (403 as AWS answers otherwise).
    std::map<std::string, std::string> sigv4_keys;
};

// Fleet provisioning (src/provisioning): the MQTT API ($aws/certificates/create*,
// $aws/provisioning-templates/<name>/provision/<fmt>) is always on; templates come from the
// control plane. `hooks` are the functions pre-provisioning hooks may name: a template's
// preProvisioningHook.targetArn arn:aws:lambda:<region>:<account>:function:<name> (or <name>)
// calls the one called <name>.
struct provisioning_template_seed {
    std::string name;
    std::string body;                 // the template body (JSON text)
    std::string description{};
    bool enabled = true;
    std::string hook{};               // a hooks[] name or a Lambda ARN; empty: no hook
};

struct provisioning_config {
    // Templates created at start when the registry has none of that name (the control plane's
    // CreateProvisioningTemplate makes the others).
    std::vector<provisioning_template_seed> templates;
    // Function name -> builds its backend at first use (like authorizer_config::factory).
    std::map<std::string, std::function<std::shared_ptr<auth::authorizer_backend>(const backends::local_iot&)>> hooks;
    std::size_t threads = 2;          // key generation, signing, the registry
    std::size_t max_pending = 1024;   // requests in progress; beyond: 429 Throttling
    std::size_t hook_concurrency = 64;
};

enum class log_level { debug, info, warn, error, off };

struct gateway_config {
    std::vector<listener_config> listeners{listener_config{}};
    // The `functions:` section: each Lambda named once (backend lambda or handler). Authorizers
    // (`function`), rule lambda actions (`functionArn`) and validate decoders refer to one by
    // name or ARN; everyone naming a function shares one started backend (one worker pool).
    std::vector<backends::backend_spec> functions;
    std::vector<authorizer_config> authorizers;
    // SigV4 on the data plane (MQTT over WebSocket, HTTPS publish on 443 without ALPN): the
    // IAM-style keys accepted, each with the IAM policy deciding its iot: actions (iam_keys.hpp).
    std::vector<auth::iam_key_config> iam;
    std::string default_authorizer;        // used when the user name names none (spec 1.2)
    bool allow_authorizer_override = true;
    std::string region = "us-east-1";      // for resource ARNs in policies
    std::string account = "123456789012";
    std::string endpoint_host = "localhost";  // the data endpoint name devices use as SNI
    limits_config limits;
    // Divides refreshAfterInSeconds / disconnectAfterInSeconds (and the persistent-session
    // expiry), so tests see a 300 s refresh after 300 ms with time_scale 1000.
    double time_scale = 1.0;
    unsigned threads = 0;                  // I/O threads; 0: one per core
    std::filesystem::path generated_ca_dir = "wvgate-ca";
    log_level level = log_level::info;
    std::string log_file;                  // empty: stderr
    std::optional<std::uint16_t> metrics_port;  // Prometheus text on 127.0.0.1:<port>/metrics
    std::string metrics_address = "127.0.0.1";
    bool lifecycle_events = true;          // $aws/events/presence/...
    https_config https;
    websocket_config websocket;
    // Who X.509 devices are (aws-8883, ALPN x-amzn-mqtt-ca / x-amzn-http-ca, aws-8443): the
    // registered certificates, their status, attached policies and things
    // (certificate_directory.hpp). Null: the gateway builds a memory_certificate_directory
    // that trusts each X.509 listener's client CA (or the generated CA): every certificate it
    // signed is ACTIVE with `certificate_policies` (JSON texts), and any other is unknown.
    std::shared_ptr<certificate_directory> certificates;
    std::vector<std::string> certificate_policies;
    // Topic rules (AWS IoT SQL + actions, including `validate` for decoder Lambdas), run on
    // every accepted PUBLISH; empty: no rules engine at all.
    rules_engine::engine_config rules;
    control_plane_config control_plane;
    provisioning_config provisioning;
};

}  // namespace wv::gate
