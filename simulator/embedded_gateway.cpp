#include "embedded_gateway.hpp"

#include <unistd.h>

#include "gateway/config_yaml.hpp"
#include "gateway/gateway.hpp"

namespace wv::sim {

embedded_gateway::embedded_gateway(const std::vector<device_identity>& fleet, const std::filesystem::path& config_file,
                                   const std::string& verify_user, const std::string& verify_password) {
    ca_dir_ = std::filesystem::temp_directory_path() / ("wvsim-gateway-" + std::to_string(::getpid()));
    gate::gateway_config cfg;
    if (!config_file.empty()) {
        cfg = gate::load_gateway_config(config_file);
        if (cfg.listeners.empty()) throw std::runtime_error(config_file.string() + ": no listeners");
        cfg.listeners.resize(1);
    } else {
        gate::listener_config l;
        l.name = "wvsim";
        l.kind = gate::listener_kind::aws_443;
        l.address = "127.0.0.1";
        l.port = 0;
        cfg.listeners = {l};
        gate::authorizer_config a;
        a.name = "wv-authorizer";
        a.backend = gate::backend_kind::static_credentials;
        a.default_policies = {gate::own_topics_policy("wv")};
        a.credentials.reserve(fleet.size() + 1);
        for (const auto& d : fleet) {
            gate::static_credential c;
            c.username = d.username;
            c.password = d.password;
            c.client_id = d.akid;
            c.authenticated = d.expected != expectation::deny;
            a.credentials.push_back(std::move(c));
        }
        gate::static_credential v;
        v.username = verify_user;
        v.password = verify_password;
        v.policy_documents = {gate::allow_all_policy()};
        a.credentials.push_back(std::move(v));
        cfg.default_authorizer = a.name;
        cfg.authorizers.push_back(std::move(a));
        // Errors only: the warnings here are the simulation itself (every --kill logs a
        // CONNECTION_LOST), one stderr line per device, and the report counts them anyway.
        cfg.level = gate::log_level::error;
        cfg.lifecycle_events = false;
        // A load test measures the authorizer and the pipeline, not AWS's per-connection quota.
        cfg.limits.publish_rate_per_s = 0;
        cfg.limits.max_connections = 1'000'000;
    }
    cfg.generated_ca_dir = ca_dir_;
    gw_ = std::make_unique<gate::gateway>(std::move(cfg));
    gw_->start();
    const auto l = gw_->listeners().at(0);
    ep_.port = l.port;
    ep_.host = gw_->config().endpoint_host;
    ep_.ca_file = gw_->certificates().ca_cert;
    ep_.authorizer = gw_->config().default_authorizer;
}

embedded_gateway::~embedded_gateway() {
    if (gw_) gw_->stop();
    std::error_code ec;
    std::filesystem::remove_all(ca_dir_, ec);
}

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

nlohmann::json embedded_gateway::stats_json() const {
    const auto s = gw_->stats();
    nlohmann::json j = {{"connections_accepted", s.connections_accepted},
            {"tls_handshake_failures", s.tls_handshake_failures},
            {"connects_accepted", s.connects_accepted},
            {"connects_auth_failed", s.connects_auth_failed},
            {"connects_denied", s.connects_denied},
            {"connects_protocol_error", s.connects_protocol_error},
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

}  // namespace wv::sim
