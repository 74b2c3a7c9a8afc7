#pragma once
// The certificate_directory over the AWS IoT registry (src/registry): what the control plane's
// RegisterCertificate / CreateKeysAndCertificate / UpdateCertificate / AttachPolicy /
// AttachThingPrincipal say decides who an X.509 device is, at its next CONNECT; an
// UpdateCertificate (or UpdateCACertificate) away from ACTIVE reaches subscribe()'s listeners
// at once, so the gateway closes the live connections using it.
//
// A certificate the registry does not know goes to `fallback` when one is given (the
// gateway's static config: a listener's client CA trusted with `certificate_policies`), so a
// config written before the registry behaves as before; one the registry knows is judged by
// the registry alone (an INACTIVE certificate is refused even when the client CA signed it).
//
// Policies: the default versions of the policies attached to the certificate and to the
// thing groups of its things, parsed once per distinct set (policy_set_cache).
//
// Threading: look_up() runs on the gateway's I/O threads: one shared-lock registry read and a
// cache lookup, no I/O. Listeners run on the thread that changed the registry.
#include <memory>
#include <mutex>
#include <vector>

#include "gateway/certificate_directory.hpp"
#include "policy/policy_set_cache.hpp"

namespace wv::registry {
class registry;
}

namespace wv::gate {

class registry_certificate_directory final : public certificate_directory {
public:
    registry_certificate_directory(registry::registry& reg, std::shared_ptr<certificate_directory> fallback);
    ~registry_certificate_directory() override;

    certificate_verdict look_up(const tls::certificate& cert, const tls::certificate* issuer) const override;
    std::shared_ptr<void> subscribe(status_listener listener) override;

private:
    registry::registry& reg_;
    std::shared_ptr<certificate_directory> fallback_;
    mutable policy::policy_set_cache policies_;
};

}  // namespace wv::gate
