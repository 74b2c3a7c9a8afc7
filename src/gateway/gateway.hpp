#pragma once
// wvgate as a library: the AWS IoT Core device gateway on this machine.
//
//   wv::gate::gateway_config cfg;                 // one aws-443 listener on 127.0.0.1:4443
//   cfg.listeners[0].port = 0;                     // any free port
//   wv::gate::authorizer_config a;                 // static backend by default
//   a.name = "auth";
//   wv::gate::static_credential dev;
//   dev.username = "u";                            // the MQTT user name before '?'
//   dev.password = "p";
//   a.credentials = {dev};
//   a.default_policies = {wv::gate::own_topics_policy("wv")};
//   cfg.authorizers = {a};
//   cfg.default_authorizer = "auth";
//   wv::gate::gateway gw{std::move(cfg)};
//   gw.start();                                    // throws on bad config / bind failure
//   std::uint16_t port = gw.listeners()[0].port;   // the port the kernel picked
//   ...                                            // devices connect with SNI/ALPN "mqtt"
//   gw.stop();                                     // also done by the destructor
//
// Threading: start() spawns config.threads I/O threads, each running its own io_context;
// connections are spread round-robin over them and each lives on one thread. Messages between
// connections are posted to the receiver's thread. All public member functions are safe to call
// from any thread except the destructor (not from a gateway thread).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/gateway_config.hpp"
#include "gateway/gateway_stats.hpp"
#include "metrics/histogram.hpp"
#include "gateway/message.hpp"
#include "rules_engine/engine.hpp"

namespace wv::provisioning {
class provisioning_service;
}
namespace wv::registry {
class registry;
}

namespace wv::gate {

struct bound_listener {
    std::string name;
    listener_kind kind;
    std::string address;
    std::uint16_t port;
};

// Where the gateway's TLS material is, once start() has run: the files a device needs.
struct certificate_paths {
    std::filesystem::path ca_cert;      // devices trust this (pass it as --cafile)
    std::filesystem::path server_cert, server_key;
};

class gateway {
public:
    explicit gateway(gateway_config config);
    ~gateway();
    gateway(const gateway&) = delete;
    gateway& operator=(const gateway&) = delete;

    // Generates certificates if needed, binds every listener, starts the I/O threads.
    // Throws std::runtime_error naming the listener or file on failure (nothing keeps running).
    void start();
    // Stops accepting, closes every connected session as SERVER_INITIATED_DISCONNECT (wills
    // and lifecycle events are published, as AWS does on a server-side disconnect; at most ~2 s
    // for the connections to run it), then closes every connection and joins the threads.
    // Idempotent.
    void stop();
    // Blocks until stop() is called from another thread or a signal handler.
    void wait();

    std::vector<bound_listener> listeners() const;
    // The Prometheus listener's port once started (the kernel's pick when configured as 0);
    // nullopt without metrics.
    std::optional<std::uint16_t> metrics_port() const;
    certificate_paths certificates() const;
    gateway_stats stats() const;
    // Every authorizer call's latency so far (queue wait + call), whole: wvsim takes it once a
    // second to plot the authorizer's share of CONNACK.
    metrics::histogram authorizer_latency() const;
    // What the topic rules did (matches, action outcomes, decoder validation); empty when no
    // rules are configured. Still available after stop(), which drains the rules first.
    std::string rules_summary() const;
    // The same, typed (rules_engine::engine::report()); empty when no rules are configured.
    std::vector<rules_engine::rule_report> rules_report() const;

    // A trusted in-process observer for an embedding program (wvsim --verify): `fn` sees every
    // message the broker publishes whose topic matches `filter` (devices' publishes, wills, rule
    // republishes, lifecycle events), with no MQTT login, authorizer or policy involved, so it
    // works whatever the configured authorizers grant. `fn` runs on a gateway I/O thread with
    // the broker locked: it must only enqueue work (post it elsewhere) and never call into the
    // gateway. Call between start() and stop() (returns 0 otherwise); unobserve(id) before
    // whatever `fn` refers to goes away (after it returns, `fn` is not running and is not
    // called again; stop() drops every observer).
    std::uint64_t observe(std::string filter, std::function<void(const message_ptr&)> fn);
    void unobserve(std::uint64_t id);
    // Prometheus text exposition of everything /metrics serves, from one registry
    // (gateway_metrics.hpp): the gateway's wvgate_* and its rules engine's wv_rules_*.
    std::string metrics_text() const;
    const gateway_config& config() const;
    // The control-plane API's base URL (http://127.0.0.1:<port>) once started; empty when
    // control_plane.enabled is false. Point boto3.client('iot', endpoint_url=...) at it.
    std::string control_plane_url() const;
    // The AWS IoT registry the control plane serves (null before start()).
    registry::registry* registry() const;
    // The fleet-provisioning service (its stats and hook times); null before start().
    const provisioning::provisioning_service* provisioning() const;

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

// A policy document allowing a device to connect as any client id and to publish, subscribe
// and receive under `<prefix>/<its client id>/...` only: what a fleet test usually wants.
std::string own_topics_policy(const std::string& prefix);
// A policy document allowing everything (iot:*): for debugging.
std::string allow_all_policy();

}  // namespace wv::gate
