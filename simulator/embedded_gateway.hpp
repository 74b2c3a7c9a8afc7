#pragma once
// The in-process wvgate wvsim starts when it runs without --host: a loopback listener on an
// ephemeral port, a static authorizer that knows the fleet's credentials (rows expected to be
// denied are registered as isAuthenticated:false), and a policy that lets each device use its
// own topics. With --gateway-config, the gateway comes from the user's wvgate YAML instead
// (for example a local Lambda as the authorizer, topic rules with `validate`); only its first
// listener is used.
//
// Under wvsim the gateway is a part of the test rig, not a server of its own, so a config file
// written for wvgate is adjusted (see embedded_gateway_options): its listener and metrics
// ports become 0 (any free port) unless named on wvsim's command line, and it logs to stderr at
// warn unless --gateway-log-level says otherwise.
//
// --verify observes inside the gateway (gate::gateway::observe): a trusted observer that needs
// no login, so it works whatever the user's authorizer grants.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gateway/message.hpp"
#include "tls/certificate.hpp"
#include "identity.hpp"
#include "metrics/sparse_histogram.hpp"
#include "outcome.hpp"
#include "x509_fleet.hpp"
#include "report.hpp"

namespace wv::gate {
class gateway;
class certificate_directory;
class memory_certificate_directory;
}

namespace wv::sim {

struct gateway_endpoint {
    std::string host = "localhost";  // SNI and certificate name
    std::uint16_t port = 0;
    std::filesystem::path ca_file;
    std::string authorizer;          // the authorizer devices should name
    std::uint16_t x509_port = 0;     // --auth x509: the aws-8883 listener (0: none)
    std::uint16_t https_port = 0;    // --protocol https: the aws-8443 listener (0: none)
    std::string control_plane_url;   // its control-plane API (empty: off in --gateway-config)
};

struct embedded_gateway_options {
    std::filesystem::path config_file;          // --gateway-config; empty: the built-in gateway
    // --gateway-log-level (debug, info, warn, error, off). Empty: warn with a config file (its
    // log.level is for wvgate; a log.file keeps it), error for the built-in gateway (whose
    // warnings would be the simulation itself: every --kill is a CONNECTION_LOST).
    std::string log_level;
    std::optional<std::uint16_t> port;          // --gateway-port; none: 0, any free port
    std::optional<std::uint16_t> metrics_port;  // --gateway-metrics-port; none: 0 if the config enables metrics
    // --auth x509: adds an aws-8883 listener (and aws-8443 with `https`); the aws-443 listener
    // takes them with ALPN x-amzn-mqtt-ca / x-amzn-http-ca too. With registration::static_map
    // every certificate of `certs` goes into an in-memory certificate map, ACTIVE, with a thing
    // named as its client id and the own-topics policy; with registration::api the caller
    // registers them through control_plane_url() (control_plane_registrar) once it runs.
    bool x509 = false;
    bool https = false;
    const x509_fleet* certs = nullptr;
    registration register_fleet = registration::api;
    // --onboard jitr: this CA (PEM) is registered ACTIVE with auto-registration in the gateway's
    // registry, as RegisterCACertificate allowAutoRegistration does (empty: none; a CA the
    // config's state or seed holds already is left as it is).
    std::string jitr_ca_pem;
};

// The configuration could not be used (unreadable, invalid, an authorizer or rule that cannot
// start, a port that cannot be bound): what() names the file (and line) and the problem.
// wvsim exits 2 on it: nothing ran.
class gateway_setup_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class embedded_gateway {
public:
    // Starts the gateway. Throws gateway_setup_error.
    embedded_gateway(const std::vector<device_identity>& fleet, const embedded_gateway_options& o);
    ~embedded_gateway();

    const gateway_endpoint& endpoint() const { return ep_; }
    // Lines for stderr at start: where it listens, its metrics URL, its log level if changed.
    const std::vector<std::string>& start_notes() const { return notes_; }

    // Trusted observation for --verify (gate::gateway::observe): `fn` runs on a gateway thread
    // and must only post work elsewhere. Unobserved by stop() and the destructor.
    void observe(const std::string& filter, std::function<void(const gate::message_ptr&)> fn);

    // Stops accepting and lets queued rule actions finish (up to 5 s). Counters and the rules
    // stay readable. Idempotent; the destructor calls it.
    void stop();
    nlohmann::json stats_json() const;
    // The gateway's Prometheus text (served with wvsim's own by --metrics-port).
    std::string metrics_text() const;
    // The authorizer calls that ended since the last call (the first: since the start).
    // Called by the timeline sampler, once a second, from one thread.
    metrics::sparse_histogram take_authorizer_second();
    // --auth x509: why the gateway refused the device at `local` (its certificate directory's
    // verdict), for a connect that was closed without CONNACK. `certs` (the fleet the devices
    // present) must be given first, here or in the options.
    outcome explain_x509_refusal(std::uint32_t local) const;
    // The same for an attempt that began at `attempt_began`: a certificate found ACTIVE now whose
    // status changed after that (a JITR activation racing the refusal) reads x509_inactive, the
    // status it had when it was refused.
    outcome explain_x509_refusal(std::uint32_t local, std::chrono::system_clock::time_point attempt_began) const;
    void set_fleet(const x509_fleet* certs) { certs_ = certs; }
    // The topic rules' counts; nullopt when the configuration has no rules. Complete after stop().
    std::optional<rules_result> rules() const;
    // THROTTLED CONNECTs (more than 1/s per client id), which a device sees as a close without CONNACK.
    std::uint64_t connects_throttled() const;
    // The pre-provisioning hook's time per RegisterThing so far (--onboard claim / trusted-user).
    metrics::histogram provisioning_hook_times() const;

private:
    void register_jitr_ca(const std::string& ca_pem);

    std::filesystem::path ca_dir_;
    std::unique_ptr<gate::gateway> gw_;
    gateway_endpoint ep_;
    metrics::histogram authorizer_seen_;
    std::shared_ptr<gate::memory_certificate_directory> directory_;
    std::unique_ptr<gate::certificate_directory> lookup_;  // the registry, then directory_
    const x509_fleet* certs_ = nullptr;
    std::shared_ptr<const tls::certificate> jitr_ca_;  // --onboard jitr's CA, once registered
    std::vector<std::string> notes_;
    std::vector<std::uint64_t> observers_;
};

}  // namespace wv::sim
