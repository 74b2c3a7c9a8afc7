#include "embedded_gateway.hpp"

#include <unistd.h>

#include "gateway/config_yaml.hpp"
#include "gateway/gateway.hpp"
#include "gateway/memory_certificate_directory.hpp"
#include "provisioning/provisioning_service.hpp"
#include "registry/registry.hpp"
#include "gateway/registry_certificate_directory.hpp"
#include "tls/certificate.hpp"

namespace wv::sim {

namespace {

// The registrar over the embedded gateway's own directory. The control plane's
// (RegisterCertificateWithoutCA + AttachPolicy + CreateThing + AttachThingPrincipal over HTTP)
// takes the same call.
class directory_registrar final : public x509_registrar {
public:
    explicit directory_registrar(gate::memory_certificate_directory& dir) : dir_(dir) {}
    void register_fleet(const std::vector<device_identity>& ids, const x509_fleet& certs,
                        const std::string& policy_json) override {
        for (std::size_t i = 0; i < ids.size(); ++i) {
            const auto c = tls::certificate::from_der(certs.of(static_cast<std::uint32_t>(i)).cert_der());
            if (!c) throw std::runtime_error("device " + ids[i].akid + ": " + c.error);
            const auto id = dir_.add_certificate(*c, gate::certificate_status::active);
            if (auto e = dir_.attach_policy(id, "wvsim-device", policy_json); !e.empty())
                throw std::runtime_error("device " + ids[i].akid + ": " + e);
            dir_.attach_thing(id, {.name = ids[i].akid, .type_name = {}, .attributes = {}});
        }
    }

private:
    gate::memory_certificate_directory& dir_;
};

// The built-in gateway: the fleet's credentials in a static authorizer, own-topics policy.
gate::gateway_config built_in_config(const std::vector<device_identity>& fleet) {
    gate::gateway_config cfg;
    gate::listener_config l;
    l.name = "wvsim";
    l.kind = gate::listener_kind::aws_443;
    l.address = "127.0.0.1";
    cfg.listeners = {l};
    gate::authorizer_config a;
    a.name = "wavelet";  // --authorizer's default
    a.backend = gate::backend_kind::static_credentials;
    // --protocol https devices send their password as the token under --token-key-name's
    // default; MQTT devices send none (their user name has no token parameter).
    a.token_key_name = "token";
    a.default_policies = {gate::own_topics_policy("wv")};
    a.credentials.reserve(fleet.size());
    for (const auto& d : fleet) {
        gate::static_credential c;
        c.username = d.username;
        c.password = d.password;
        c.client_id = d.akid;
        c.authenticated = d.expected != expectation::deny;
        a.credentials.push_back(std::move(c));
    }
    cfg.default_authorizer = a.name;
    cfg.authorizers.push_back(std::move(a));
    // Errors only: the warnings here are the simulation itself (every --kill logs a
    // CONNECTION_LOST), one stderr line per device, and the report counts them anyway.
    cfg.level = gate::log_level::error;
    cfg.lifecycle_events = false;
    // A load test measures the authorizer and the pipeline, not AWS's per-connection quota.
    cfg.limits.publish_rate_per_s = 0;
    cfg.limits.max_connections = 1'000'000;
    return cfg;
}

const char* level_name(gate::log_level l) {
    switch (l) {
    case gate::log_level::debug: return "debug";
    case gate::log_level::info: return "info";
    case gate::log_level::warn: return "warn";
    case gate::log_level::error: return "error";
    case gate::log_level::off: return "off";
    }
    return "?";
}

rules_validation to_validation(const rules_engine::validate_counts& c) {
    rules_validation v;
    v.validated = c.validated;
    v.matched = c.matched;
    v.both_rejected = c.both_rejected;
    v.mismatched = c.mismatched;
    v.errors = c.errors;
    v.timeouts = c.timeouts;
    for (std::size_t k = 0; k < c.by_kind.size(); ++k)
        if (c.by_kind[k]) v.mismatched_by_kind[rules_engine::validate_kind_name(k)] = c.by_kind[k];
    v.errors_by_reason = c.errors_by_reason;
    v.decoder_replies = c.latency_count;
    v.decoder_p50_us = c.latency_p50_us;
    v.decoder_p99_us = c.latency_p99_us;
    return v;
}

}  // namespace

embedded_gateway::embedded_gateway(const std::vector<device_identity>& fleet, const embedded_gateway_options& o) {
    ca_dir_ = std::filesystem::temp_directory_path() / ("wvsim-gateway-" + std::to_string(::getpid()));
    const bool from_file = !o.config_file.empty();
    gate::gateway_config cfg;
    if (from_file) {
        try {
            cfg = gate::load_gateway_config(o.config_file);  // its errors say file:line
        } catch (const std::exception& e) {
            throw gateway_setup_error(e.what());
        }
        if (cfg.listeners.empty()) throw gateway_setup_error(o.config_file.string() + ": no listeners");
        cfg.listeners.resize(1);
        // Its log.level is for wvgate on its own; under wvsim a line per device would bury the
        // progress and the summary. A log file keeps the level the file asks for.
        if (cfg.log_file.empty() && o.log_level.empty() && cfg.level < gate::log_level::warn) {
            notes_.push_back(std::string("the embedded gateway logs at warn (the config says ") + level_name(cfg.level) +
                             "; --gateway-log-level " + level_name(cfg.level) + " to see those lines)");
            cfg.level = gate::log_level::warn;
        }
        // The config's ports are wvgate's; wvsim's gateway must not collide with a running one.
        if (cfg.metrics_port) cfg.metrics_port = std::uint16_t{0};
        cfg.control_plane.port = 0;
    } else {
        cfg = built_in_config(fleet);
    }
    cfg.listeners[0].port = o.port.value_or(0);
    if (o.metrics_port) cfg.metrics_port = *o.metrics_port;
    if (!o.log_level.empty()) {
        try {
            cfg.level = gate::parse_log_level(o.log_level);
        } catch (const std::exception& e) {
            throw gateway_setup_error("--gateway-log-level: " + std::string(e.what()));
        }
    }
    cfg.generated_ca_dir = ca_dir_;
    certs_ = o.certs;
    if (o.x509) {
        gate::listener_config l = cfg.listeners.front();
        l.name = "wvsim-8883";
        l.kind = gate::listener_kind::aws_8883;
        l.port = 0;
        cfg.listeners.push_back(l);
        if (o.https) {
            l.name = "wvsim-8443";
            l.kind = gate::listener_kind::aws_8443;
            cfg.listeners.push_back(l);
        }
        directory_ = std::make_shared<gate::memory_certificate_directory>(cfg.region, cfg.account);
        if (o.register_fleet == registration::static_map && o.certs)
            directory_registrar(*directory_).register_fleet(fleet, *o.certs, fleet_policy(o.https));
        cfg.certificates = directory_;
        if (o.register_fleet == registration::api && !cfg.control_plane.enabled)
            throw gateway_setup_error(o.config_file.string() + ": control_plane.enabled is false, so the fleet cannot "
                                      "be registered through it: give wvsim --register static (or none)");
    }
    gw_ = std::make_unique<gate::gateway>(std::move(cfg));
    try {
        gw_->start();
    } catch (const std::exception& e) {
        throw gateway_setup_error((from_file ? o.config_file.string() + ": " : std::string()) + e.what());
    }
    if (o.x509) {
        for (const auto& b : gw_->listeners()) {
            if (b.name == "wvsim-8883") ep_.x509_port = b.port;
            if (b.name == "wvsim-8443") ep_.https_port = b.port;
        }
        lookup_ = std::make_unique<gate::registry_certificate_directory>(*gw_->registry(), directory_);
    }
    ep_.control_plane_url = gw_->control_plane_url();
    if (!o.jitr_ca_pem.empty()) register_jitr_ca(o.jitr_ca_pem);
    const auto l = gw_->listeners().at(0);
    ep_.port = l.port;
    ep_.host = gw_->config().endpoint_host;
    ep_.ca_file = gw_->certificates().ca_cert;
    ep_.authorizer = gw_->config().default_authorizer;
    notes_.insert(notes_.begin(), "embedded wvgate on 127.0.0.1:" + std::to_string(l.port) +
                                      (from_file ? " (from " + o.config_file.string() + ")" : ""));
    if (const auto mp = gw_->metrics_port())
        notes_.push_back("embedded wvgate metrics on http://" + gw_->config().metrics_address + ":" +
                         std::to_string(*mp) + "/metrics");
}

embedded_gateway::~embedded_gateway() {
    stop();
    std::error_code ec;
    std::filesystem::remove_all(ca_dir_, ec);
}

std::string embedded_gateway::metrics_text() const { return gw_->metrics_text(); }

metrics::sparse_histogram embedded_gateway::take_authorizer_second() {
    auto now = gw_->authorizer_latency();
    auto d = metrics::sparse_histogram::since(now, authorizer_seen_);
    authorizer_seen_ = std::move(now);
    return d;
}

void embedded_gateway::observe(const std::string& filter, std::function<void(const gate::message_ptr&)> fn) {
    if (const auto id = gw_->observe(filter, std::move(fn))) observers_.push_back(id);
    else throw std::runtime_error("the embedded gateway is not running");
}

void embedded_gateway::stop() {
    if (!gw_) return;
    for (const auto id : observers_) gw_->unobserve(id);
    observers_.clear();
    gw_->stop();
}

std::optional<rules_result> embedded_gateway::rules() const {
    const auto rules = gw_->rules_report();
    if (rules.empty()) return std::nullopt;
    rules_result r;
    for (const auto& rule : rules)
        for (const auto& a : rule.actions) {
            rules_action_result x;
            x.rule = rule.name;
            x.rule_matched = rule.matched;
            x.kind = a.kind;
            x.action = a.description;
            x.ok = a.ok;
            x.failed = a.failed;
            x.dropped = a.dropped;
            if (a.validation) x.validation = to_validation(*a.validation);
            r.actions.push_back(std::move(x));
        }
    return r;
}

std::uint64_t embedded_gateway::connects_throttled() const { return gw_->stats().connects_throttled; }

namespace {
// The authorizer's latency as the gateway measured it (queue wait + call), when this build's
// gateway_stats carries it.
template <class Stats>
void add_authorizer_latency(nlohmann::json& j, const Stats& s) {
    if constexpr (requires { s.authorizer_p50_us; s.authorizer_p99_us; s.authorizer_max_us; }) {
        j["authorizer_p50_us"] = s.authorizer_p50_us;
        j["authorizer_p99_us"] = s.authorizer_p99_us;
        j["authorizer_max_us"] = s.authorizer_max_us;
    }
}
}  // namespace

void embedded_gateway::register_jitr_ca(const std::string& ca_pem) {
    auto* reg = gw_->registry();
    const auto r = reg->register_ca_certificate(ca_pem, "", true, true, nlohmann::json::object(), "SNI_ONLY");
    if (!r && r.err().code != registry::errc::already_exists)
        throw gateway_setup_error("--onboard jitr: registering the device CA: " + r.err().message);
    if (auto parsed = tls::certificate::from_pem(ca_pem)) jitr_ca_ = std::make_shared<tls::certificate>(*parsed);
    std::string id = r ? r.value().id : std::string();
    notes_.push_back("--onboard jitr: the device CA " + (id.empty() ? std::string("(registered already)") : id) +
                     " is registered ACTIVE with auto-registration");
    bool rule = false;
    for (const auto& t : gw_->config().rules.rules) rule = rule || t.sql.find("$aws/events/certificates/registered/") != std::string::npos;
    if (!rule)
        notes_.push_back("--onboard jitr: no topic rule on $aws/events/certificates/registered/...: nothing will "
                         "activate the certificates (--gateway-config config/jitr/wvgate-jitr.yaml runs the example "
                         "activation Lambda)");
}

outcome embedded_gateway::explain_x509_refusal(std::uint32_t local,
                                              std::chrono::system_clock::time_point attempt_began) const {
    const auto o = explain_x509_refusal(local);
    if (o != outcome::x509_connect_denied || !certs_ || local >= certs_->size()) return o;
    const auto c = tls::certificate::from_der(certs_->of(local).cert_der());
    if (!c) return o;
    const auto d = gw_->registry()->describe_certificate(c->id());
    const double began = std::chrono::duration<double>(attempt_began.time_since_epoch()).count();
    return d && d.value().last_modified >= began ? outcome::x509_inactive : o;
}

outcome embedded_gateway::explain_x509_refusal(std::uint32_t local) const {
    if (!lookup_ || !certs_ || local >= certs_->size()) return outcome::closed_without_connack;
    const auto c = tls::certificate::from_der(certs_->of(local).cert_der());
    if (!c) return outcome::closed_without_connack;
    // Not (yet) in the registry, but the JITR CA signed it: refused because its registration is
    // under way (the gateway registers right after refusing), i.e. PENDING_ACTIVATION.
    if (jitr_ca_ && !gw_->registry()->identify(c->id()).known && c->issued_by(*jitr_ca_)) return outcome::x509_inactive;
    // The gateway's registry first (the control plane's certificates, JITR's), then the map.
    const auto v = lookup_->look_up(*c, nullptr);
    switch (v.check) {
        case gate::certificate_check::unknown: return outcome::x509_unknown_certificate;
        case gate::certificate_check::inactive:
        case gate::certificate_check::pending_activation:
        case gate::certificate_check::pending_transfer: return outcome::x509_inactive;
        case gate::certificate_check::revoked: return outcome::x509_revoked;
        case gate::certificate_check::ca_inactive: return outcome::x509_ca_inactive;
        case gate::certificate_check::expired: return outcome::x509_expired;
        case gate::certificate_check::active: break;
    }
    const auto now = std::chrono::system_clock::now();
    if (now < c->not_before() || now > c->not_after()) return outcome::x509_expired;
    return outcome::x509_connect_denied;
}

nlohmann::json embedded_gateway::stats_json() const {
    const auto s = gw_->stats();
    nlohmann::json j = {{"connections_accepted", s.connections_accepted},
            {"tls_handshake_failures", s.tls_handshake_failures},
            {"connects_accepted", s.connects_accepted},
            {"connects_auth_failed", s.connects_auth_failed},
            {"connects_denied", s.connects_denied},
            {"connects_protocol_error", s.connects_protocol_error},
            {"connects_throttled", s.connects_throttled},
            {"authorizer_calls", s.authorizer_calls},
            {"authorizer_errors", s.authorizer_errors},
            {"messages_in", s.messages_in},
            {"messages_out", s.messages_out},
            {"messages_dropped", s.messages_dropped},
            {"policy_denials", s.policy_denials}};
    add_authorizer_latency(j, s);
    if (!s.scope_mismatch.empty()) j["scope_mismatch"] = s.scope_mismatch;
    return j;
}

metrics::histogram embedded_gateway::provisioning_hook_times() const {
    const auto* p = gw_ ? gw_->provisioning() : nullptr;
    return p ? p->hook_times() : metrics::histogram{};
}

}  // namespace wv::sim
