#pragma once
// The onboarding phase of `wvsim --onboard claim:<t>` / `trusted-user:<t>` (simulation.cpp's
// onboard_fleet calls it): the claim identities (a claim certificate registered through the
// control plane, --claim-cert, or CreateProvisioningClaim per device), the provisioning run
// (onboard_claim.hpp), and what the run goes on with: the devices that provisioned, each with
// its new certificate.
//
// Errors: std::runtime_error for what stops the phase (the control plane cannot be reached or
// refuses the claim setup, a claim certificate that does not load); a device that fails is a
// bucket of the result, not an error.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <nlohmann/json.hpp>

#include "identity.hpp"
#include "metrics/histogram.hpp"
#include "options.hpp"
#include "x509_fleet.hpp"

namespace wv::tls {
class client_context;
}

namespace wv::sim {

struct claim_phase_target {
    std::string host;
    boost::asio::ip::tcp::endpoint address;
    const tls::client_context* tls = nullptr;
    std::string control_plane_url;  // empty: none (then --claim-cert is required)
};

struct claim_phase_result {
    nlohmann::json onboarding;            // the report's "onboarding" object
    std::vector<device_identity> ids;     // the devices that provisioned, in order
    std::unique_ptr<x509_fleet> certs;    // their new certificates (certs->of(i) for ids[i])
    metrics::histogram total;             // connect with the claim to reconnected, per device
    // Each step's histogram by the report's latency name (onboard_connect, onboard_create,
    // onboard_register, onboard_reconnect; onboard_claim by trusted user; onboard_hook when the
    // gateway is embedded): the HTML report draws them.
    std::map<std::string, metrics::histogram> steps;
    std::vector<std::string> mismatches;  // --provision-refuse expectations that did not hold
    std::uint64_t not_provisioned = 0;
};

// `hook_times` (optional): the embedded gateway's pre-provisioning hook times, read after the run.
claim_phase_result run_claim_phase(const std::vector<device_identity>& ids, const sim_options& o,
                                   const claim_phase_target& t,
                                   const std::function<metrics::histogram()>& hook_times = {});

}  // namespace wv::sim
