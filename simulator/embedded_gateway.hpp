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
#include "outcome.hpp"
#include "x509_fleet.hpp"

namespace wv::gate {
class gateway;
class memory_certificate_directory;
}

namespace wv::sim {

struct gateway_endpoint {
    std::string host = "localhost";  // SNI and certificate name
    std::uint16_t port = 0;
    std::filesystem::path ca_file;
    std::string authorizer;          // the authorizer devices should name
    std::uint16_t x509_port = 0;     // --auth x509: the aws-8883 listener (0: none)
};

class embedded_gateway {
public:
    // Starts the gateway. `verify_user`/`verify_password`: an extra credential allowed to
    // subscribe to everything (the --verify subscriber). Throws std::runtime_error.
    // `certs` (--auth x509): adds an aws-8883 listener and a certificate directory in which
    // every device's certificate is registered ACTIVE, with a thing named as its client id and
    // the own-topics policy (x509_registrar); the aws-443 listener takes them with ALPN
    // x-amzn-mqtt-ca too.
    embedded_gateway(const std::vector<device_identity>& fleet, const std::filesystem::path& config_file,
                     const std::string& verify_user, const std::string& verify_password,
                     const x509_fleet* certs = nullptr);
    ~embedded_gateway();

    const gateway_endpoint& endpoint() const { return ep_; }
    nlohmann::json stats_json() const;
    // --auth x509: why the gateway refused the device at `local` (its certificate directory's
    // verdict), for a connect that was closed without CONNACK.
    outcome explain_x509_refusal(std::uint32_t local) const;

private:
    std::filesystem::path ca_dir_;
    std::unique_ptr<gate::gateway> gw_;
    gateway_endpoint ep_;
    std::shared_ptr<gate::memory_certificate_directory> directory_;
    const x509_fleet* certs_ = nullptr;
};

}  // namespace wv::sim
