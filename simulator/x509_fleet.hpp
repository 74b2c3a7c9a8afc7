#pragma once
// --auth x509: each device presents its own certificate (spec 3.1: port 8883, or 443 with ALPN
// x-amzn-mqtt-ca), as a fleet of certificate-carrying devices does.
//
// Where the certificates come from:
//   --device-ca ca.crt --device-ca-key ca.key [--cert-cn '{akid}']
//       generated at start, ECDSA P-256, signed in parallel on every core, CN from the
//       template (the identity placeholders of --akid), in memory only;
//   --device-certs DIR
//       read from <name>.crt / <name>.key pairs (`wvca devices` writes them); the device's
//       client id is <name>, devices take the pairs in name order.
//
// Registration: an x509_registrar puts the fleet in a registry before the run (ACTIVE, a thing
// named as the client id, a policy). The embedded gateway's certificate directory is one
// (embedded_gateway.hpp); the control plane's API will be another, with the same call.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "identity.hpp"
#include "tls/client_identity.hpp"

namespace wv::sim {

// How the fleet gets into the gateway's registry before the run (--register).
enum class registration {
    api,         // through the control-plane API (embedded gateway, or --control-plane URL with --host)
    static_map,  // embedded gateway only: its in-memory certificate map, no API calls
    none,        // not at all: devices meet a registry that does not know them
};

struct x509_options {
    std::filesystem::path device_ca, device_ca_key;  // generate
    std::string cert_cn = "{akid}";
    std::filesystem::path device_certs;              // or load
    registration register_fleet = registration::api;
    // --control-plane URL: with --host, the control plane to register through (wvgate's).
    std::string control_plane;
    // --create-keys: the control plane issues each device's key and certificate
    // (CreateKeysAndCertificate) instead of RegisterCertificateWithoutCA of wvsim's own.
    bool create_keys = false;
    // --onboard jitr: the devices onboard themselves by just-in-time registration before the run
    // (onboard_jitr.hpp); nothing is registered beforehand. Empty: no onboarding phase.
    std::string onboard;
    double onboard_timeout_s = 60;                   // --onboard-timeout: per device, from its first attempt
    bool enabled() const { return !device_ca.empty() || !device_certs.empty() || create_keys; }
};

class x509_fleet {
public:
    // Generates one certificate per identity (parallel). Throws config_error naming the file.
    static x509_fleet generate(const std::vector<device_identity>& ids, const x509_options& o, std::uint64_t seed);
    // Reads the first `count` pairs of o.device_certs (by name) starting at `first`, and the
    // identities that go with them (client id = file stem). Throws config_error.
    static x509_fleet load(const x509_options& o, std::uint32_t first, std::uint32_t count,
                           std::vector<device_identity>& ids_out);
    // How many <name>.crt/.key pairs a directory holds (for --devices' default).
    static std::uint32_t count_pairs(const std::filesystem::path& dir);
    // Identities made elsewhere (the control plane's CreateKeysAndCertificate), one per device.
    static x509_fleet from_identities(std::vector<tls::client_identity> ids, std::string source,
                                      std::chrono::nanoseconds took);

    // The identity of the device at `local` (its place in this process's identity table).
    const tls::client_identity& of(std::uint32_t local) const { return ids_[local]; }
    std::size_t size() const { return ids_.size(); }
    std::chrono::nanoseconds prepare_time() const { return took_; }
    std::string source() const { return source_; }  // "generated (ECDSA P-256)" or the directory

private:
    std::vector<tls::client_identity> ids_;
    std::chrono::nanoseconds took_{0};
    std::string source_;
};

// The policy a registered fleet gets: each device publishes, subscribes and receives under
// wv/<its client id>/... (gate::own_topics_policy). HTTPS requests carry no client id and AWS
// resolves no thing variables for them, so for --protocol https the topic level is the
// certificate's CN (${iot:Certificate.Subject.CommonName}, --cert-cn '{akid}' by default).
std::string fleet_policy(bool https);

// Puts a fleet's certificates into a registry before the run.
class x509_registrar {
public:
    virtual ~x509_registrar() = default;
    // Registers every device's certificate ACTIVE, attaches `policy_json` to it and a thing
    // named as the device's client id. Throws std::runtime_error naming the device.
    virtual void register_fleet(const std::vector<device_identity>& ids, const x509_fleet& certs,
                                const std::string& policy_json) = 0;
};

}  // namespace wv::sim
