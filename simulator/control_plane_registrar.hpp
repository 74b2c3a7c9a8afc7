#pragma once
// --register api: the fleet set up through the AWS IoT control-plane API before the run, the
// calls a user's onboarding script makes against AWS (so the run rehearses that workflow):
//
//   CreatePolicy      e.g. wvsim-device (fleet_policy()), once; kept when it exists
//   per device:
//     RegisterCertificateWithoutCA {certificatePem, status: ACTIVE}   (wvsim's certificates)
//     or CreateKeysAndCertificate ?setAsActive=true                    (--create-keys: the
//                                                                       control plane issues them)
//     CreateThing <client id>
//     AttachPolicy wvsim-device -> certificate ARN
//     AttachThingPrincipal <client id> <- certificate ARN
//
// A rerun against a wvgate that keeps its state finds the policy, things and certificates from
// before (ResourceAlreadyExistsException): they are reused as they are, attachments are
// idempotent. Devices are spread over a few connections in parallel.
//
//   control_plane_registrar reg({.url = gw.control_plane_url()}, "wvsim-device");
//   reg.register_fleet(ids, certs, policy);        // or: auto certs = reg.create_fleet(ids, policy);
//   reg.summary();  // "10000 devices registered through http://...: 40001 API calls in 4.1 s"
//
// Errors: std::runtime_error naming the device, the operation and AWS's error type.
#include <chrono>
#include <string>
#include <vector>

#include "control_plane_client.hpp"
#include "x509_fleet.hpp"

namespace wv::sim {

class control_plane_registrar final : public x509_registrar {
public:
    // `policy_name`: the policy every certificate gets (created when it does not exist).
    control_plane_registrar(control_plane_target t, std::string policy_name, unsigned connections = 4);

    void register_fleet(const std::vector<device_identity>& ids, const x509_fleet& certs,
                        const std::string& policy_json) override;
    // --create-keys: CreateKeysAndCertificate per device, then the same attachments; returns
    // the fleet's identities as issued.
    x509_fleet create_fleet(const std::vector<device_identity>& ids, const std::string& policy_json);

    // One line for stderr: devices, calls, seconds.
    std::string summary() const;

private:
    void ensure_policy(control_plane_client& c, const std::string& policy_json);
    void attach(control_plane_client& c, const device_identity& id, const std::string& certificate_arn);
    // Runs fn(client, i) for every i < n on `connections_` threads; rethrows the first error.
    template <class Fn>
    void parallel(std::size_t n, Fn fn);

    control_plane_target t_;
    std::string policy_name_;
    unsigned connections_;
    std::uint64_t calls_ = 0;
    std::size_t devices_ = 0;
    std::chrono::nanoseconds took_{0};
};

}  // namespace wv::sim
