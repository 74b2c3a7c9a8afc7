#include "options.hpp"

#include <algorithm>
#include <iostream>
#include <map>

#include <CLI/CLI.hpp>
#include <yaml-cpp/yaml.h>

#include "report_html/page.hpp"
#include "run_metrics.hpp"
#include "sigv4/credentials.hpp"
#include "verdict.hpp"

namespace wv::sim {

namespace {


// YAML keys become `--key=value` arguments placed before the real ones, so the command line
// wins (options keep the last value). Records file:line per flag for error messages.
std::vector<std::string> yaml_args(const std::filesystem::path& file, const CLI::App& app,
                                   std::map<std::string, std::string>& where) {
    YAML::Node root;
    try {
        root = YAML::LoadFile(file.string());
    } catch (const YAML::BadFile&) {
        throw config_error(file.string() + ": cannot read the config file");
    } catch (const YAML::Exception& e) {
        throw config_error(file.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    std::vector<std::string> out;
    if (root.IsNull()) return out;
    if (!root.IsMap()) throw config_error(file.string() + ": expected a map of option: value");
    for (const auto& kv : root) {
        const auto key = kv.first.as<std::string>();
        const auto at = file.string() + ":" + std::to_string(kv.first.Mark().line + 1);
        std::string flag = key;
        std::replace(flag.begin(), flag.end(), '_', '-');
        if (flag == "config" || flag == "help" || !app.get_option_no_throw("--" + flag))
            throw config_error(at + ": unknown option '" + key + "' (keys are wvsim's long flag names)");
        where["--" + flag] = at;
        const auto& v = kv.second;
        if (v.IsSequence()) {
            for (const auto& e : v) out.push_back("--" + flag + "=" + e.as<std::string>());
        } else if (v.IsScalar()) {
            out.push_back("--" + flag + "=" + v.as<std::string>());
        } else {
            throw config_error(at + ": '" + key + "' must be a value or a list");
        }
    }
    return out;
}

// --protocol https, either authentication: what HTTP has not (a will, a session to churn).
void check_https(const CLI::App& app, const sim_options& o) {
    if (o.kill > 0) throw config_error("--kill drops MQTT connections to fire wills; HTTPS has no will (--protocol https)");
    if (o.churn_s > 0) throw config_error("--churn is for MQTT sessions; with --protocol https a device keeps one "
                                          "connection alive and reopens it only when the server closes it");
    if (app.count("--engine") && o.engine == engine_kind::paho)
        throw config_error("--engine paho is MQTT; --protocol https runs on wvsim's own engine");
}

// --auth sigv4: MQTT over WebSocket only; the keys from the flags, or where the AWS CLI finds them.
void check_sigv4(const CLI::App& app, sim_options& o) {
    const bool keys_given = app.count("--access-key-id") || app.count("--secret-access-key") || app.count("--session-token");
    if (!o.sigv4()) {
        if (keys_given || app.count("--region"))
            throw config_error("--access-key-id, --secret-access-key, --session-token and --region are for --auth sigv4");
        return;
    }
    if (!o.wss())
        throw config_error("--auth sigv4 signs the WebSocket upgrade (a presigned /mqtt URL): add --transport wss "
                           "(AWS takes SigV4 over MQTT only on WSS)");
    if (o.host.empty() && o.gateway_config.empty())
        throw config_error("--auth sigv4 against the embedded gateway needs its `iam:` keys: give --gateway-config "
                           "FILE with an iam: entry for the key (src/gateway/README.md), or --host");
    if (o.ws_path.find('?') != std::string::npos)
        throw config_error("--auth sigv4 presigns --ws-path's query itself: give a path without '?'");
    if (app.count("--authorizer") || !o.credentials.empty())
        throw config_error("--authorizer and --credentials are for custom auth; --auth sigv4 devices sign with one key");
    if (keys_given) {
        if (o.access_key_id.empty() || o.secret_access_key.empty())
            throw config_error("--auth sigv4: give both --access-key-id and --secret-access-key");
        return;
    }
    try {
        const auto c = sigv4::load_credentials();
        o.access_key_id = c.access_key_id;
        o.secret_access_key = c.secret_access_key;
        o.session_token = c.session_token;
    } catch (const std::runtime_error& e) {
        throw config_error(std::string("--auth sigv4 without --access-key-id: ") + e.what());
    }
}

// --auth x509: one certificate source; AWS's X.509 endpoint defaults (8883 without ALPN, or
// 443 with x-amzn-mqtt-ca); no resumption (a resumed session would carry another device's
// certificate).
void check_x509(const CLI::App& app, sim_options& o) {
    const bool generate = !o.certs.device_ca.empty() || !o.certs.device_ca_key.empty();
    const bool load = !o.certs.device_certs.empty();
    if (!o.certs.onboard.empty()) {
        parse_onboard(o.certs.onboard, o.claim);
        const std::string what = "--onboard " + o.certs.onboard;
        if (app.count("--auth") && !o.x509()) throw config_error(what + " is for X.509 devices (--auth x509)");
        if (app.count("--register") && o.certs.register_fleet != registration::none)
            throw config_error(what + " registers nothing beforehand: leave out --register (or give --register none)");
        o.auth = "x509";
        o.certs.register_fleet = registration::none;
    }
    if (o.claim.mode.empty() && (!o.claim.params.empty() || !o.claim.refuse_file.empty() || !o.claim.claim_cert.empty()))
        throw config_error("--provision-param, --provision-refuse and --claim-cert are for --onboard claim:<template> "
                           "or trusted-user:<template>");
    if (!o.claim.mode.empty()) {
        if (generate || load || o.certs.create_keys)
            throw config_error("--onboard " + o.certs.onboard + " gets every device's certificate by fleet provisioning: "
                               "leave out --device-ca, --device-certs and --create-keys");
        if (o.https()) throw config_error("--onboard " + o.certs.onboard + " onboards over MQTT; leave out --protocol https");
        if (o.claim.claim_cert.empty() != o.claim.claim_key.empty())
            throw config_error("--claim-cert and --claim-key go together");
        if (o.claim.mode == "trusted-user" && !o.claim.claim_cert.empty())
            throw config_error("--onboard trusted-user:<t> gets a claim per device from CreateProvisioningClaim: leave "
                               "out --claim-cert (or use --onboard claim:<t>)");
        if (!o.host.empty() && o.certs.control_plane.empty() && (o.claim.mode == "trusted-user" || o.claim.claim_cert.empty()))
            throw config_error("--onboard " + o.certs.onboard + " with --host needs " +
                               (o.claim.mode == "trusted-user" ? std::string("--control-plane URL (CreateProvisioningClaim)")
                                                               : std::string("--claim-cert/--claim-key, or --control-plane URL "
                                                                             "to register a claim certificate")));
        for (const auto& p : o.claim.params) {
            const auto eq = p.find('=');
            if (eq == std::string::npos || eq == 0)
                throw config_error("--provision-param " + p + ": expected NAME=VALUE, e.g. serialNumber={n}");
            (void)field_template(p.substr(eq + 1), "--provision-param");
        }
    }
    if (!o.x509()) {
        if (generate || load || o.certs.create_keys)
            throw config_error("--device-ca, --device-ca-key, --device-certs and --create-keys need --auth x509");
        if (o.https()) {
            // Custom auth over HTTPS (spec 3.1): 443 without ALPN; curl offers http/1.1.
            check_https(app, o);
            if (app.count("--alpn") == 0) o.alpn = {"http/1.1"};
        } else if (!o.token_signing_key.empty() || app.count("--token-key-name")) {
            throw config_error("--token-key-name and --token-signing-key are for --protocol https with custom auth "
                               "(over MQTT the token travels in the user name)");
        }
        return;
    }
    if (!o.token_signing_key.empty() || app.count("--token-key-name"))
        throw config_error("--token-key-name and --token-signing-key are for custom auth (--auth custom)");
    if (o.https()) check_https(app, o);
    if (o.https() && o.certs.create_keys)
        throw config_error("--create-keys with --protocol https: every certificate CreateKeysAndCertificate issues "
                           "has the CN 'AWS IoT Certificate' (as AWS's do), and an HTTPS request carries no client "
                           "id, so no policy can give each device its own topics: use --device-ca or --device-certs");
    if (o.certs.create_keys && (generate || load))
        throw config_error("--create-keys takes every device's key and certificate from the control plane: "
                           "leave out --device-ca, --device-ca-key and --device-certs");
    if (o.certs.create_keys && o.certs.register_fleet != registration::api)
        throw config_error("--create-keys needs --register api (the control plane issues the certificates)");
    if (o.certs.create_keys && !o.host.empty() && o.certs.control_plane.empty())
        throw config_error("--create-keys with --host needs --control-plane URL (wvgate's control-plane listener)");
    if (!o.certs.create_keys && o.claim.mode.empty() && generate == load)
        throw config_error("--auth x509 needs its certificates: --device-ca with --device-ca-key (generated at "
                           "start), --device-certs DIR (`wvca devices` writes one), or --create-keys (issued by "
                           "the control plane)");
    if (generate && (o.certs.device_ca.empty() || o.certs.device_ca_key.empty()))
        throw config_error("--device-ca and --device-ca-key go together");
    if (!o.credentials.empty()) throw config_error("--credentials is for custom-auth logins; --auth x509 uses certificates");
    (void)field_template(o.certs.cert_cn, "--cert-cn");
    if (!o.host.empty() && o.certs.register_fleet == registration::static_map)
        throw config_error("--register static is the embedded gateway's certificate map; with --host use --register "
                           "api with --control-plane URL, or none");
    if (o.certs.register_fleet == registration::api && !o.certs.control_plane.empty() &&
        !o.certs.control_plane.starts_with("http://"))
        throw config_error("--control-plane " + o.certs.control_plane + ": expected http://host:port (wvgate logs it at start)");
    if (app.count("--port") == 0) o.port = o.https() ? 8443 : 8883;
    const char* alpn443 = o.https() ? "x-amzn-http-ca" : "x-amzn-mqtt-ca";
    if (app.count("--alpn") == 0) o.alpn = o.port == 443 ? std::vector<std::string>{alpn443} : std::vector<std::string>{};
    if (o.resumption == "on") throw config_error("--resumption on cannot be used with --auth x509 (each device has its own certificate)");
    o.resumption = "off";
    if (load && app.count("--devices") == 0) o.devices = std::max<std::uint32_t>(1, x509_fleet::count_pairs(o.certs.device_certs));
}

// --mqtt 5's own flags need it; the engines and protocols that cannot speak it say so.
void check_mqtt5(const CLI::App& app, const sim_options& o) {
    if (!o.mqtt5()) {
        for (const char* f : {"--session-expiry", "--user-property", "--topic-alias"})
            if (app.count(f)) throw config_error(std::string(f) + " is an MQTT 5 feature: add --mqtt 5");
        return;
    }
    if (o.https()) throw config_error("--mqtt 5 is for MQTT sessions; --protocol https publishes over HTTP");
    for (const auto& p : o.user_properties) {
        const auto eq = p.find('=');
        if (eq == std::string::npos || eq == 0)
            throw config_error("--user-property '" + p + "': expected NAME=VALUE (e.g. 'site=lab-{n:3}')");
        if (p.size() > 4096) throw config_error("--user-property: at most 4096 characters (AWS's whole PUBLISH is 128 KB)");
        (void)field_template(p.substr(0, eq), "--user-property name");
        (void)field_template(p.substr(eq + 1), "--user-property value");
    }
}

void check_output_path(const std::filesystem::path& file, const char* flag) {
    if (file.empty()) return;
    const auto dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
        throw config_error(std::string(flag) + " " + file.string() + ": no such directory " + dir.string());
    if (std::filesystem::is_directory(file, ec))
        throw config_error(std::string(flag) + " " + file.string() + ": is a directory");
}

void add_run_options(CLI::App& app, sim_options& o, std::string& shard_text, std::string& engine_text,
                     std::string& retry_text, std::string& register_text, std::string& topic_alias_text,
                     double& connect_timeout_s, double& ack_timeout_s) {
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    auto* ep = app.add_option_group("Endpoint");
    ep->add_option("--host", o.host, "MQTT-over-TLS endpoint (AWS IoT Core, mosquitto, ...); none: embedded wvgate");
    ep->add_option("--port", o.port, "TCP port")->capture_default_str();
    ep->add_option("--sni", o.sni, "TLS server name and certificate name (default: --host)");
    ep->add_option("--alpn", o.alpn, "ALPN protocols to offer, comma separated; 'none' offers none")
        ->delimiter(',')
        ->capture_default_str()
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    ep->add_option("--protocol", o.protocol,
                   "mqtt, or https: each report an HTTPS POST /topics/<topic>?qos=N, one kept-alive connection per "
                   "device; with --auth x509 the device's certificate (port 8443, or 443 with ALPN x-amzn-http-ca), "
                   "with custom auth (443 without ALPN) headers x-amz-customauthorizer-name (--authorizer) and "
                   "<--token-key-name>: the device's password")
        ->check(CLI::IsMember({"mqtt", "https"}))
        ->capture_default_str();
    ep->add_option("--token-key-name", o.token_key_name,
                   "--protocol https with custom auth: the header carrying each device's token (its password), "
                   "the authorizer's tokenKeyName")
        ->capture_default_str();
    ep->add_option("--token-signing-key", o.token_signing_key,
                   "--protocol https with custom auth: RSA private key (PEM) each device signs its token with "
                   "(x-amz-customauthorizer-signature), for a signing-enabled authorizer")
        ->check(CLI::ExistingFile);
    ep->add_option("--transport", o.transport,
                   "tls: MQTT on TLS; wss: MQTT over WebSocket (RFC 6455, AWS's wss://<host>/mqtt on 443: no ALPN "
                   "unless --alpn, subprotocol mqtt, the custom authorizer's parameters in the MQTT user name); a "
                   "refused upgrade counts as ws_upgrade_refused:<HTTP status>")
        ->check(CLI::IsMember({"tls", "wss"}))
        ->capture_default_str();
    ep->add_option("--ws-path", o.ws_path, "--transport wss: the upgrade request's path and query")
        ->capture_default_str();
    ep->add_option("--cafile", o.ca_file, "CA bundle that signs the server's certificate (default: system store)");
    ep->add_flag("--insecure", o.insecure, "skip certificate and host-name checks (only when asked)");
    ep->add_option("--resumption", o.resumption, "TLS session resumption: auto (loopback only), on, off")
        ->check(CLI::IsMember({"auto", "on", "off"}))
        ->capture_default_str();
    ep->add_option("--tls-records", o.tls_records,
                   "TLS 1.3 records of a connected device: own (wvsim seals and opens them and frees OpenSSL's "
                   "per-connection state, ~12 KiB a device) or openssl (they stay in OpenSSL: to compare, or for a "
                   "server that sends what the own records refuse, e.g. a post-handshake CertificateRequest)")
        ->check(CLI::IsMember({"own", "openssl"}))
        ->capture_default_str();
    ep->add_option("--gateway-config", o.gateway_config,
                   "without --host: run the embedded wvgate from this YAML (e.g. with a real authorizer backend, "
                   "topic rules with `validate`); only its first listener is used, on --gateway-port");
    ep->add_option("--gateway-log-level", o.gateway_log_level,
                   "embedded wvgate's log level on stderr (default: warn with --gateway-config unless its log goes to "
                   "a file, error without)")
        ->check(CLI::IsMember({"debug", "info", "warn", "error", "off"}));
    ep->add_option("--gateway-port", o.gateway_port,
                   "embedded wvgate's listener port (default: any free port, whatever the config file says)");
    ep->add_option("--gateway-metrics-port", o.gateway_metrics_port,
                   "embedded wvgate's Prometheus port (default: any free port when the config enables metrics)");

    auto* fl = app.add_option_group("Fleet");
    fl->add_option("-n,--devices", o.devices, "devices in the whole fleet (with --credentials: the first N rows)")
        ->capture_default_str()
        ->check(CLI::Range(1u, 10'000'000u));
    fl->add_option("--akid", o.ids.akid, "AKID template, e.g. 'AKID{n:6}' (default: 16 hex digits from index and seed)");
    fl->add_option("--username", o.ids.username, "user name template (before ?x-amz-customauthorizer-name=)")
        ->capture_default_str();
    fl->add_option("--password", o.ids.password, "password template")->capture_default_str();
    fl->add_option("--authorizer", o.ids.authorizer, "custom authorizer name; empty: no query in the user name")
        ->capture_default_str();
    fl->add_option("--credentials", o.credentials, "credentials CSV with a header, e.g. akid,username,password,authorizer,expected (config/credentials.md)");
    fl->add_option("--seed", o.ids.seed, "seed for identities, phases, jitter, kills and sample values")->capture_default_str();
    fl->add_option("--shard", shard_text, "run slice i of N of the fleet, e.g. 0/4")->capture_default_str();

    auto* xg = app.add_option_group("X.509 devices (--auth x509)");
    xg->add_option("--auth", o.auth, "custom (user name + password to a custom authorizer), x509 (each device "
                                          "its own certificate: port 8883, or 443 with ALPN x-amzn-mqtt-ca) or sigv4 "
                                          "(--transport wss: a presigned /mqtt URL per connection, see --access-key-id)")
        ->check(CLI::IsMember({"custom", "x509", "sigv4"}))
        ->capture_default_str();
    auto* sg = app.add_option_group("SigV4 devices (--auth sigv4 --transport wss)");
    sg->add_option("--access-key-id", o.access_key_id,
                   "the key the upgrade is signed with (default: AWS_ACCESS_KEY_ID or the shared credentials file)");
    sg->add_option("--secret-access-key", o.secret_access_key, "its secret (never printed)");
    sg->add_option("--session-token", o.session_token,
                   "temporary credentials: appended to the presigned URL as X-Amz-Security-Token, unsigned, as AWS's "
                   "SDKs do");
    sg->add_option("--region", o.region, "the signing region (the gateway's `region:`)")->capture_default_str();
    xg->add_option("--device-ca", o.certs.device_ca, "CA certificate that signs the devices' certificates (generated at start)")
        ->check(CLI::ExistingFile);
    xg->add_option("--device-ca-key", o.certs.device_ca_key, "its private key")->check(CLI::ExistingFile);
    xg->add_option("--cert-cn", o.certs.cert_cn, "certificate CN template (placeholders as --akid)")->capture_default_str();
    xg->add_option("--register", register_text,
                   "api: before the run, create the own-topics policy, a thing per device, register every "
                   "certificate ACTIVE (RegisterCertificateWithoutCA, or CreateKeysAndCertificate with "
                   "--create-keys) and attach both, through the control-plane API (the embedded gateway's, or "
                   "--control-plane with --host); static: the embedded gateway's in-memory map, no API calls; "
                   "none (or false): devices meet a registry that does not know them")
        ->check(CLI::IsMember({"api", "static", "none", "true", "false"}))
        ->capture_default_str();
    xg->add_option("--control-plane", o.certs.control_plane,
                   "with --host: wvgate's control-plane URL (http://127.0.0.1:PORT) to register the fleet through; "
                   "SigV4-signed with the AWS credentials of the environment when there are any");
    xg->add_flag("--create-keys", o.certs.create_keys,
                 "the control plane issues each device's key and certificate (CreateKeysAndCertificate: RSA-2048 as "
                 "AWS, or EC P-256 when wvgate's control_plane.issue_ec_keys is on) instead of --device-ca");
    xg->add_option("--device-certs", o.certs.device_certs,
                   "directory of <name>.crt/.key pairs (`wvca devices`); client id = <name>");
    xg->add_option("--onboard", o.certs.onboard,
                   "jitr: the devices onboard themselves by just-in-time registration before the run: first attempt "
                   "refused, retries with --retry-backoff until the activation Lambda set the certificate ACTIVE; "
                   "time to active and outcomes reported (config/jitr/README.md). claim:<template>: each device "
                   "connects with a claim certificate, gets its own by fleet provisioning (CreateCertificateFromCsr or "
                   "CreateKeysAndCertificate, RegisterThing with <template>), reconnects with it, then runs; "
                   "trusted-user:<template>: the same with a claim per device from CreateProvisioningClaim "
                   "(src/provisioning/README.md). Each implies --auth x509 --register none")
;
    xg->add_option("--claim-cert", o.claim.claim_cert,
                   "--onboard claim:<t>: the claim certificate every device connects with first (registered, ACTIVE, "
                   "its policy allowing the provisioning topics); default: wvsim registers one through the control "
                   "plane with the developer guide's claim policy")
        ->check(CLI::ExistingFile);
    xg->add_option("--claim-key", o.claim.claim_key, "its private key")->check(CLI::ExistingFile);
    xg->add_option("--provision-param", o.claim.params,
                   "NAME=VALUE, repeatable: a RegisterThing parameter, VALUE a template with the placeholders of "
                   "--akid, e.g. --provision-param 'SerialNumber={n}'");
    xg->add_option("--provision-key", o.claim.key,
                   "csr: the device generates its key (EC P-256) and sends CreateCertificateFromCsr; keys: "
                   "CreateKeysAndCertificate, the gateway generates the key (RSA-2048 as AWS, slow)")
        ->check(CLI::IsMember({"csr", "keys"}))
        ->capture_default_str();
    xg->add_option("--provision-format", o.claim.format,
                   "json or cbor: the provisioning API's topics ($aws/certificates/create-from-csr/cbor, ...) and "
                   "payloads the devices use, as the AWS IoT Device SDKs offer both")
        ->check(CLI::IsMember({"json", "cbor"}))
        ->capture_default_str();
    xg->add_option("--provision-refuse", o.claim.refuse_file,
                   "file of client ids (one a line) the pre-provisioning hook must refuse: each must get 403 "
                   "AccessDenied and every other device must provision, or the run fails")
        ->check(CLI::ExistingFile);
    xg->add_option("--provision-timeout", o.claim.reply_timeout_s, "seconds to wait for each provisioning reply")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    xg->add_option("--onboard-timeout", o.certs.onboard_timeout_s,
                   "seconds a device keeps retrying from its first attempt before it counts as never_active")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();

    auto* ld = app.add_option_group("Load");
    ld->add_option("--connect-rate", o.connect_rate, "connects/s ramp (0: as fast as --max-connecting allows)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    ld->add_option("--max-connecting", o.max_connecting, "connects in flight (mosquitto's accept backlog is 100)")
        ->check(CLI::Range(1u, 100'000u))
        ->capture_default_str();
    ld->add_option("--interval", o.interval_s, "seconds between reports of one device")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    ld->add_option("--rate", o.rate, "messages/s over the fleet (overrides --interval)")->check(CLI::NonNegativeNumber);
    ld->add_option("-d,--duration", o.duration_s, "seconds the run lasts (default 30; with --messages: until done)")
        ->check(CLI::PositiveNumber);
    ld->add_option("--messages", o.messages, "reports per device (0: until --duration)");
    ld->add_option("--jitter", o.jitter, "fraction of the interval each report moves, 0..1")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    ld->add_option("--churn", o.churn_s,
                   "each device reconnects cleanly every S seconds (never sooner than 1 s after its last connect: "
                   "AWS allows 1 CONNECT/s per client id)")
        ->check(CLI::NonNegativeNumber);
    ld->add_option("--retry-backoff", retry_text,
                   "a failed reconnect retries after INITIAL,MAX seconds of exponential backoff with jitter (attempt k "
                   "waits 1/2..1 x min(MAX, INITIAL*2^k)) until the run ends; 'off': a failed reconnect ends the "
                   "device. A first connect is never retried")
        ->capture_default_str();
    ld->add_option("--kill", o.kill, "fraction of devices that drop TCP without DISCONNECT (wills fire)")
        ->check(CLI::Range(0.0, 1.0));
    ld->add_option("--qos", o.qos, "QoS of reports (0 or 1)")->check(CLI::Range(0, 1))->capture_default_str();
    ld->add_option("--keep-alive", o.keep_alive_s, "MQTT keep-alive seconds")->capture_default_str();
    ld->add_option("--profile", o.profile, "report profile YAML (channels, samples); default: Ayyeka's sample client")
        ->check(CLI::ExistingFile);
    ld->add_option("--topic", o.topic, "report topic template")->capture_default_str();

    auto* m5 = app.add_option_group("MQTT 5 (--mqtt 5)");
    m5->add_option("--mqtt", o.mqtt,
                   "MQTT version of the devices: 3.1.1 or 5. At 5 a refusal is a reason code: CONNACK (e.g. "
                   "'connack_refused:0x87:<reason string>'), PUBACK per report (puback_refused: a denied report, not "
                   "an acked one) and the server's DISCONNECT (server_disconnect) are outcome buckets")
        ->check(CLI::IsMember({"3.1.1", "5"}))
        ->capture_default_str();
    m5->add_option("--session-expiry", o.session_expiry_s,
                   "Session Expiry Interval in CONNECT, seconds (0: the session ends with the connection; AWS keeps "
                   "at most 7 days)")
        ->capture_default_str();
    m5->add_option("--user-property", o.user_properties,
                   "NAME=VALUE User Property in every device's CONNECT and on every report, where subscribers and "
                   "rules see it (repeatable); both are templates with the placeholders of --akid, e.g. "
                   "'site=lab-{n:3}' or 'device={akid}'")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->allow_extra_args(false);
    m5->add_option("--topic-alias", topic_alias_text,
                   "on: the first report of a connection sets Topic Alias 1 for the report topic, later ones send "
                   "the alias and an empty topic (when the server's CONNACK allows aliases); off: the topic every "
                   "time (--engine paho: always off)")
        ->check(CLI::IsMember({"on", "off"}))
        ->capture_default_str();
    ld->add_option("--will-topic", o.will_topic, "last-will and ReportEnd topic template")->capture_default_str();
    ld->add_option("--connect-timeout", connect_timeout_s, "seconds for each of TCP, TLS and CONNACK")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    ld->add_option("--ack-timeout", ack_timeout_s, "seconds without PUBACK/PINGRESP before a connection counts as dead")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();

    auto* out = app.add_option_group("Engine and output");
    out->add_option("--engine", engine_text, "asio (lean, default) or paho (cross-check on Paho MQTT C++)")
        ->check(CLI::IsMember({"asio", "paho"}))
        ->capture_default_str();
    out->add_option("--threads", o.threads,
                    "I/O threads (0: auto: as few session threads as the report rate needs, one per 20,000 "
                    "reports/s, with TCP/TLS connects spread over one thread per core; N: N threads that each "
                    "connect and run their own devices)");
    out->add_option("--timer-tick", o.timer_tick_ms,
                    "milliseconds per tick of each session thread's timer: deadlines (reports, acks, keep-alive) "
                    "that fall in one tick share a wake-up; a report goes out up to one tick after it is due (0: auto, "
                    "0.4% of the report interval, 1 to 4 ms)")
        ->check(CLI::Range(0.0, 1000.0))
        ->capture_default_str();
    out->add_flag("--verify", o.verify,
                  "check every acked report and every will arrived on wv/+/1/#: inside the embedded gateway as its "
                  "trusted observer (no login, whatever the authorizer grants); with --host as an MQTT subscriber");
    out->add_option("--verify-client-id", o.verify_client_id,
                    "--verify with --host: the subscriber's client id (one your authorizer accepts; an authorizer "
                    "returning it as principalId needs [a-zA-Z0-9] only)")
        ->capture_default_str();
    out->add_option("--verify-username", o.verify_username,
                    "--verify with --host: the subscriber's MQTT user name (with ?x-amz-customauthorizer-name=... if "
                    "your endpoint needs it)");
    out->add_option("--verify-password", o.verify_password, "--verify with --host: the subscriber's password");
    out->add_flag("-q,--quiet", o.quiet, "no progress line on stderr");
    out->add_option("--json", o.json_file, "write the full report as JSON (input of `wvsim merge`)");
    out->add_option("--html", o.html_file, "write a self-contained HTML report with plots");
    out->add_option("--expect", o.expect,
                    "threshold checked at the end, e.g. 'connack.p99<200ms' or 'acked>=99.9%' (repeatable; one that "
                    "fails: exit 1; metrics below)")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->allow_extra_args(false);
    out->add_option("--metrics-port", o.metrics_port,
                    "serve live Prometheus metrics on --metrics-address:PORT/metrics while running (0: any free port, "
                    "printed on stderr); config/grafana/wvsim.json reads them");
    out->add_option("--metrics-address", o.metrics_address, "address for --metrics-port")->capture_default_str();
}

// Each --expect parses now: a typo fails before anything runs, listing the metric names.
void check_expectations(const std::vector<std::string>& expect) {
    for (const auto& e : expect) {
        try {
            (void)thresholds::parse(e, run_metric_catalogue());
        } catch (const thresholds::parse_error& err) {
            throw config_error(err.what());
        }
    }
}

}  // namespace

parse_outcome parse_options(int argc, const char* const* argv) {
    parse_outcome r;
    std::vector<std::string> args(argv + 1, argv + argc);

    if (!args.empty() && args[0] == "merge") {
        CLI::App m{"wvsim merge: combine the --json reports of shards into one (histograms merge exactly)",
                   "wvsim merge"};
        m.add_option("reports", r.merge_inputs, "wvsim --json files")->required()->check(CLI::ExistingFile);
        m.add_option("--json", r.merge_json, "write the merged report as JSON");
        m.add_option("--html", r.merge_html, "write the merged report as HTML");
        m.add_option("--expect", r.merge_expect,
                     "threshold checked on the merged fleet (the shards' own --expect are checked again too)")
            ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
            ->allow_extra_args(false);
        m.footer(std::string(exit_codes_help) + expect_help());
        try {
            std::vector<std::string> rest(args.begin() + 1, args.end());
            std::reverse(rest.begin(), rest.end());  // CLI11 parses a vector from the back
            m.parse(rest);
        } catch (const CLI::CallForHelp&) {
            std::cout << m.help();
            r.kind = parse_outcome::exit;
            return r;
        } catch (const CLI::ParseError& e) {
            std::cerr << "wvsim merge: " << e.what() << "\n";
            r.kind = parse_outcome::exit;
            r.exit_code = 2;
            return r;
        }
        try {
            check_output_path(r.merge_json, "--json");
            check_output_path(r.merge_html, "--html");
            check_expectations(r.merge_expect);
        } catch (const config_error& e) {
            std::cerr << "wvsim merge: " << e.what() << "\n";
            r.kind = parse_outcome::exit;
            r.exit_code = 2;
            return r;
        }
        r.kind = parse_outcome::merge;
        return r;
    }

    auto& o = r.options;
    CLI::App app{"wvsim: a fleet of simulated Ayyeka Wavelet dataloggers (MQTT 3.1.1 or 5 over TLS, AWS IoT custom "
                 "authorizer logins) for load-testing authorizers and pipelines.\n"
                 "Without --host it starts an embedded wvgate on 127.0.0.1 and points the fleet at it.\n"
                 "`wvsim merge a.json b.json ...` combines shard reports.",
                 "wvsim"};
    std::string shard_text = "0/1", engine_text = "asio", retry_text = "1,30";
    double connect_timeout_s = 10, ack_timeout_s = 30;
    std::filesystem::path config;
    app.add_option("--config", config, "YAML file of options (keys: the long flag names)");
    std::string register_text = "api", topic_alias_text = "on";
    add_run_options(app, o, shard_text, engine_text, retry_text, register_text, topic_alias_text, connect_timeout_s,
                    ack_timeout_s);
    app.footer(std::string(exit_codes_help) + expect_help());
    {
        // The report keeps the command line: secrets given as flags are masked in it.
        std::vector<std::string> argv_all{"wvsim"};
        bool mask_next = false;
        for (const auto& a : args) {
            std::string shown = mask_next ? std::string("****") : a;
            mask_next = false;
            for (const char* secret : {"--secret-access-key", "--session-token"}) {
                if (a == secret) mask_next = true;
                else if (a.starts_with(std::string(secret) + "=")) shown = std::string(secret) + "=****";
            }
            argv_all.push_back(std::move(shown));
        }
        o.command_line = report_html::shell_quote(argv_all);
    }

    std::map<std::string, std::string> where;
    try {
        // --config first: the file's values go before the command line's.
        for (std::size_t i = 0; i < args.size(); ++i) {
            if (args[i] == "--config" && i + 1 < args.size()) config = args[i + 1];
            else if (args[i].starts_with("--config=")) config = args[i].substr(9);
        }
        std::vector<std::string> all;
        if (!config.empty()) all = yaml_args(config, app, where);
        all.insert(all.end(), args.begin(), args.end());
        std::reverse(all.begin(), all.end());
        app.parse(all);
        o.part = parse_shard(shard_text);
        o.devices_given = app.count("--devices") > 0;
        o.engine = engine_text == "paho" ? engine_kind::paho : engine_kind::asio;
        try {
            o.retry = parse_retry_backoff(retry_text);
        } catch (const std::invalid_argument& e) {
            throw config_error(e.what());
        }
        o.connect_timeout = std::chrono::milliseconds(static_cast<long>(connect_timeout_s * 1000));
        o.ack_timeout = std::chrono::milliseconds(static_cast<long>(ack_timeout_s * 1000));
        if (o.alpn.size() == 1 && o.alpn[0] == "none") o.alpn.clear();
        if (o.wss()) {
            // AWS: MQTT over WSS is 443 without ALPN (spec 3.1); an ALPN of mqtt would be MQTT.
            if (app.count("--alpn") == 0) o.alpn.clear();
            if (o.https()) throw config_error("--transport wss is MQTT over WebSocket; --protocol https is HTTPS publish");
            if (o.engine == engine_kind::paho)
                throw config_error("--transport wss runs on wvsim's own engine (--engine asio)");
            if (o.ws_path.empty() || o.ws_path[0] != '/') throw config_error("--ws-path must start with '/'");
        } else if (app.count("--ws-path")) {
            throw config_error("--ws-path is for --transport wss");
        }
        o.certs.register_fleet = register_text == "static"                              ? registration::static_map
                                 : register_text == "none" || register_text == "false" ? registration::none
                                                                                         : registration::api;
        check_sigv4(app, o);
        check_x509(app, o);
        o.topic_alias = topic_alias_text == "on";
        check_mqtt5(app, o);
        // With a message budget and no duration, run until the budget is spent.
        if (app.count("--duration") == 0 && o.messages)
            o.duration_s = static_cast<double>(o.messages) * (o.rate > 0 ? o.devices / o.rate : o.interval_s) + 1 +
                           (o.connect_rate > 0 ? o.devices / o.connect_rate : 0);
        if (o.sni.empty()) o.sni = o.host;
        if (!o.host.empty())
            for (const char* f : {"--gateway-config", "--gateway-log-level", "--gateway-port", "--gateway-metrics-port"})
                if (app.count(f))
                    throw config_error(std::string(f) + " configures the embedded gateway; it cannot be used with --host");
        if (o.host.empty())
            for (const char* f : {"--verify-client-id", "--verify-username", "--verify-password"})
                if (app.count(f))
                    throw config_error(std::string(f) + " is for --verify with --host; the embedded gateway's verifier "
                                       "observes inside it and needs no login");
        if (!o.gateway_config.empty() && !std::filesystem::exists(o.gateway_config))
            throw config_error("--gateway-config " + o.gateway_config.string() + ": no such file");
        if (!o.ca_file.empty() && !std::filesystem::exists(o.ca_file))
            throw config_error("--cafile " + o.ca_file.string() + ": no such file");
        // A report path that cannot be written is found now, not after an hour's run.
        check_output_path(o.json_file, "--json");
        check_output_path(o.html_file, "--html");
        check_expectations(o.expect);
        if (!o.credentials.empty() && !std::filesystem::exists(o.credentials))
            throw config_error("--credentials " + o.credentials.string() + ": no such file");
        // Templates are checked here so a typo fails before any connection.
        (void)identity_generator(o.ids);
        (void)field_template(o.topic, "--topic");
        (void)field_template(o.will_topic, "--will-topic");
    } catch (const CLI::CallForHelp&) {
        std::cout << app.help();
        r.kind = parse_outcome::exit;
        return r;
    } catch (const CLI::ParseError& e) {
        std::string msg = e.what();
        for (const auto& [flag, at] : where)
            if (msg.find(flag) != std::string::npos) msg = at + ": " + msg;
        std::cerr << "wvsim: " << msg << "\n(see wvsim --help)\n";
        r.kind = parse_outcome::exit;
        r.exit_code = 2;
        return r;
    } catch (const config_error& e) {
        std::cerr << "wvsim: " << e.what() << "\n";
        r.kind = parse_outcome::exit;
        r.exit_code = 2;
        return r;
    }
    return r;
}

}  // namespace wv::sim
