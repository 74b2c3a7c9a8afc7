#pragma once
// The in-process wvgate wvsim starts when it runs without --host: a loopback listener on an
// ephemeral port, a static authorizer that knows the fleet's credentials (rows expected to be
// denied are registered as isAuthenticated:false), and a policy that lets each device use its
// own topics. With --gateway-config, the gateway comes from the user's wvgate YAML instead
// (for example a local Lambda as the authorizer); only its first listener is used.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "identity.hpp"
#include "metrics/sparse_histogram.hpp"

namespace wv::gate {
class gateway;
}

namespace wv::sim {

struct gateway_endpoint {
    std::string host = "localhost";  // SNI and certificate name
    std::uint16_t port = 0;
    std::filesystem::path ca_file;
    std::string authorizer;          // the authorizer devices should name
};

class embedded_gateway {
public:
    // Starts the gateway. `verify_user`/`verify_password`: an extra credential allowed to
    // subscribe to everything (the --verify subscriber). Throws std::runtime_error.
    embedded_gateway(const std::vector<device_identity>& fleet, const std::filesystem::path& config_file,
                     const std::string& verify_user, const std::string& verify_password);
    ~embedded_gateway();

    const gateway_endpoint& endpoint() const { return ep_; }
    nlohmann::json stats_json() const;
    // The gateway's Prometheus text (served with wvsim's own by --metrics-port).
    std::string metrics_text() const;
    // The authorizer calls that ended since the last call (the first: since the start).
    // Called by the timeline sampler, once a second, from one thread.
    metrics::sparse_histogram take_authorizer_second();

private:
    std::filesystem::path ca_dir_;
    std::unique_ptr<gate::gateway> gw_;
    gateway_endpoint ep_;
    metrics::histogram authorizer_seen_;
};

}  // namespace wv::sim
