#pragma once
// wvsim's options, parsed once from the command line and an optional YAML file
// (--config FILE; its keys are the long flag names, e.g. `devices: 1000`, `connect-rate: 200`;
// the command line wins over the file). Nothing below main reads a string map.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "claim_options.hpp"
#include "identity.hpp"
#include "reconnect.hpp"
#include "shard.hpp"
#include "x509_fleet.hpp"

namespace wv::sim {

enum class engine_kind { asio, paho };

struct sim_options {
    // Endpoint. No host: an embedded wvgate on a loopback ephemeral port.
    std::string host;
    std::uint16_t port = 443;
    std::string sni;                       // default: host
    std::vector<std::string> alpn{"mqtt"};
    std::filesystem::path ca_file;
    bool insecure = false;
    std::string resumption = "auto";       // auto (on for loopback only), on, off
    std::string tls_records = "own";       // own (a connected device leaves OpenSSL) or openssl
    std::filesystem::path gateway_config;  // embedded gateway from this wvgate YAML
    std::string gateway_log_level;         // empty: warn with --gateway-config, error without
    std::optional<std::uint16_t> gateway_port, gateway_metrics_port;  // none: any free port

    // Fleet and identities.
    std::uint32_t devices = 100;
    bool devices_given = false;            // --devices was set: with --credentials, the first N rows
    identity_templates ids;
    std::filesystem::path credentials;     // CSV: replaces the templates
    shard part;
    // --auth x509: devices log in with their own certificates (x509_fleet.hpp), no user name.
    std::string auth = "custom";           // custom or x509
    // --protocol https: reports as HTTPS POSTs: X.509 (8443, or 443 + ALPN x-amzn-http-ca), or
    // custom auth on 443 without ALPN (each request carries the authorizer name and the device's
    // token, its password, under --token-key-name; signed with --token-signing-key).
    std::string protocol = "mqtt";
    bool https() const { return protocol == "https"; }
    std::string token_key_name = "token";          // the authorizer's tokenKeyName (HTTPS custom auth)
    std::filesystem::path token_signing_key;       // RSA private key PEM: x-amz-customauthorizer-signature
    x509_options certs;
    claim_options claim;  // --onboard claim:<t> / trusted-user:<t> (onboard_claim.hpp)
    bool x509() const { return auth == "x509"; }
    // --transport wss: MQTT over WebSocket (443, no ALPN, GET <ws_path> with subprotocol mqtt);
    // tls: MQTT straight on TLS.
    std::string transport = "tls";
    bool wss() const { return transport == "wss"; }
    std::string ws_path = "/mqtt";         // the upgrade's path and query
    // --auth sigv4 (--transport wss only): each connection's upgrade is a presigned /mqtt URL
    // (sigv4::presign_target, as aws-crt builds it; a session token appended unsigned as AWS's
    // SDKs do), signed at connect time with these keys for service iotdevicegateway in
    // `region`; the MQTT CONNECT carries no user name. Keys: --access-key-id /
    // --secret-access-key / --session-token (flags or YAML), else the AWS environment or shared
    // credentials file (sigv4/credentials.hpp).
    bool sigv4() const { return auth == "sigv4"; }
    std::string access_key_id, secret_access_key, session_token;
    std::string region = "us-east-1";

    // Load shape.
    double connect_rate = 0;               // connects/s over the fleet; 0: max_connecting bounds it
    std::uint32_t max_connecting = 100;
    double interval_s = 1.0;
    double rate = 0;                       // msgs/s over the fleet; overrides interval
    double duration_s = 30;
    std::uint64_t messages = 0;
    double jitter = 0.1;
    double churn_s = 0;
    retry_backoff retry;                   // a failed reconnect tries again after this (reconnect.hpp)
    double kill = 0;
    int qos = 1;
    std::uint16_t keep_alive_s = 60;
    std::filesystem::path profile;         // payload report profile (YAML); empty: Ayyeka's sample
    // MQTT version of the devices: "3.1.1" (default) or "5" (--mqtt). At 5: CONNECT's Session
    // Expiry Interval and User Properties (templates, "name=value"), and a Topic Alias for the
    // report topic when the server allows one.
    std::string mqtt = "3.1.1";
    bool mqtt5() const { return mqtt == "5"; }
    std::uint32_t session_expiry_s = 0;
    std::vector<std::string> user_properties;
    bool topic_alias = true;
    std::string topic = "wv/{akid}/1/samp/p1";
    std::string will_topic = "wv/{akid}/1/reportend/p1";

    std::chrono::milliseconds connect_timeout{10'000};  // TCP, TLS and CONNACK, each
    std::chrono::milliseconds ack_timeout{30'000};      // PUBACK/PINGRESP before a session counts as dead

    // Engine and output.
    engine_kind engine = engine_kind::asio;
    unsigned threads = 0;                  // 0: auto (thread_plan.hpp)
    double timer_tick_ms = 0;              // the session threads' timer tick; 0: auto (thread_plan.hpp)
    bool verify = false;
    // --verify with --host: the subscriber's MQTT login (the embedded gateway needs none: its
    // verifier observes inside it).
    std::string verify_client_id = "wvsimverify";  // alphanumeric: valid as an AWS principalId
    std::string verify_username, verify_password;
    bool quiet = false;
    std::filesystem::path json_file, html_file;
    std::vector<std::string> expect;       // --expect thresholds (checked by parse_options)
    std::optional<std::uint16_t> metrics_port;  // live Prometheus text at metrics_address:port/metrics
    std::string metrics_address = "127.0.0.1";
    std::string command_line;              // argv, shell-quoted, for the reports' header
};

struct parse_outcome {
    enum kind_t { run, merge, exit } kind = run;
    int exit_code = 0;                     // for exit: 0 after --help, 2 after a usage error
    sim_options options;
    std::vector<std::filesystem::path> merge_inputs;  // `wvsim merge a.json b.json`
    std::filesystem::path merge_json, merge_html;
    std::vector<std::string> merge_expect;  // `wvsim merge --expect ...`, besides the shards' own
};

// Parses argv. Prints --help (stdout) or the error naming the flag or file:line (stderr) and
// returns kind=exit with the code to use; never throws.
parse_outcome parse_options(int argc, const char* const* argv);

}  // namespace wv::sim
