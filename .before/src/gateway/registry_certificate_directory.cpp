#include "gateway/registry_certificate_directory.hpp"

#include "registry/registry.hpp"

namespace wv::gate {
namespace {

certificate_status status_of(registry::cert_status s) {
    certificate_status out = certificate_status::inactive;
    parse_certificate_status(registry::to_string(s), out);  // the same names: AWS's CertificateStatus
    return out;
}

certificate_check check_of(registry::cert_status s) {
    switch (s) {
        case registry::cert_status::active: return certificate_check::active;
        case registry::cert_status::revoked: return certificate_check::revoked;
        case registry::cert_status::pending_activation: return certificate_check::pending_activation;
        case registry::cert_status::pending_transfer: return certificate_check::pending_transfer;
        case registry::cert_status::inactive:
        case registry::cert_status::register_inactive: return certificate_check::inactive;
    }
    return certificate_check::inactive;
}

}  // namespace

registry_certificate_directory::registry_certificate_directory(registry::registry& reg,
                                                               std::shared_ptr<certificate_directory> fallback)
    : reg_(reg), fallback_(std::move(fallback)) {}

registry_certificate_directory::~registry_certificate_directory() = default;

certificate_verdict registry_certificate_directory::look_up(const tls::certificate& cert,
                                                            const tls::certificate* issuer) const {
    const auto who = reg_.identify(cert.id());
    if (!who.known && fallback_) return fallback_->look_up(cert, issuer);
    certificate_verdict v;
    v.certificate_id = cert.id();
    v.certificate_arn = reg_.certificate_arn(cert.id());
    if (!who.known) {
        v.check = certificate_check::unknown;
        v.detail = "certificate " + cert.id() + " (" + cert.subject() + ", issuer " + cert.issuer() +
                   ") is not registered (RegisterCertificate, CreateKeysAndCertificate)";
        return v;
    }
    v.ca_certificate_id = who.ca_id;
    if (!who.ca_active) {
        v.check = certificate_check::ca_inactive;
        v.detail = "its CA " + who.ca_id + " is INACTIVE";
        return v;
    }
    v.check = check_of(who.status);
    if (!v.active()) {
        v.detail = "certificate " + cert.id() + " is " + std::string(registry::to_string(who.status));
        return v;
    }
    if (!who.policy_documents.empty()) {
        auto r = policies_.intern(who.policy_documents);
        // The registry validated each document when it was created; a set that no longer
        // parses is a bug, and the device gets no policy (everything denied), not a crash.
        if (r.ok()) v.policies = std::move(r.value);
        else v.detail = "attached policies do not parse: " + r.error;
    }
    if (!who.things.empty()) {
        auto things = std::make_shared<std::vector<thing_identity>>();
        for (const auto& t : who.things) things->push_back({t.name, t.type, t.attributes});
        v.things = std::move(things);
    }
    return v;
}

std::shared_ptr<void> registry_certificate_directory::subscribe(status_listener listener) {
    auto shared = std::make_shared<status_listener>(std::move(listener));
    auto from_registry = reg_.on_certificate_change([shared](const registry::certificate_change& c) {
        certificate_status_change out;
        out.certificate_id = c.certificate_id;
        out.ca_certificate_id = c.ca_certificate_id;
        // A deleted certificate was not ACTIVE (DeleteCertificate refuses that): report INACTIVE.
        out.status = c.status ? status_of(*c.status) : certificate_status::inactive;
        (*shared)(out);
    });
    std::shared_ptr<void> from_fallback = fallback_ ? fallback_->subscribe([shared](const certificate_status_change& c) {
        (*shared)(c);
    }) : nullptr;
    return std::make_shared<std::pair<std::shared_ptr<void>, std::shared_ptr<void>>>(std::move(from_registry),
                                                                                       std::move(from_fallback));
}

}  // namespace wv::gate
