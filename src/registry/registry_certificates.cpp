// Certificates (issued here, registered, updated, deleted) and CA certificates.
#include <algorithm>
#include <cstdio>
#include <mutex>

#include "registry/certificate_pem.hpp"
#include "registry/registry.hpp"
#include "registry/registry_state.hpp"

namespace wv::registry {
namespace {

// Registration status names RegisterCertificate(WithoutCA) accept in `status`.
outcome<cert_status> registration_status(const std::optional<std::string>& name, bool set_active) {
    if (!name) return set_active ? cert_status::active : cert_status::inactive;
    const auto s = parse_cert_status(*name);
    if (!s) return fail(errc::invalid_request, "status '" + *name + "' is not a CertificateStatus");
    if (*s == cert_status::pending_transfer || *s == cert_status::revoked)
        return fail(errc::certificate_state, "a certificate cannot be registered as " + *name);
    return *s;
}

// Ordering key for ListCertificates: creation time, then id (AWS orders by creation date).
std::string order_key(const certificate& c) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%016.3f", c.creation_date);
    return buf + c.id;
}

}  // namespace

outcome<certificate> registry::add_certificate(const std::string& pem, const std::string& ca_id, cert_status st,
                                               const std::string& mode, bool must_be_new) {
    std::string why;
    const auto parsed = parse_certificate_pem(pem, &why);
    if (!parsed) return fail(errc::certificate_validation, "certificatePem: " + why);
    const double now = now_seconds();
    if (parsed->not_after < now) return fail(errc::certificate_validation, "The certificate has expired.");
    certificate c{.id = parsed->id, .pem = parsed->pem, .ca_id = ca_id, .status = st, .mode = mode,
                  .creation_date = now, .last_modified = now, .not_before = parsed->not_before,
                  .not_after = parsed->not_after, .customer_version = 1, .generation_id = new_uuid()};
    std::unique_lock lock(mu_);
    auto& s = *st_;
    if (s.certs.count(c.id)) {
        if (must_be_new) return fail(errc::already_exists, "The certificate is already registered: " + c.id);
        return s.certs.at(c.id);
    }
    if (s.cas.count(c.id)) return fail(errc::certificate_conflict, "This certificate is registered as a CA certificate");
    if (auto e = commit({put_op(kind::certificate, c.id, c)})) return *e;
    s.certs.emplace(c.id, c);
    return c;
}

outcome<created_keys> registry::create_keys_and_certificate(bool set_active) {
    return issue_keys_and_certificate(set_active ? cert_status::active : cert_status::inactive);
}

outcome<created_keys> registry::issue_keys_and_certificate(cert_status st) {
    issued_keys keys;
    try {
        keys = ca_->create_keys_and_certificate(opts_.key_type);  // outside the lock: RSA takes a while
    } catch (const std::exception& e) {
        return fail(errc::internal, e.what());
    }
    auto c = add_certificate(keys.certificate_pem, "", st, "DEFAULT", true);
    if (!c) return c.err();
    return created_keys{std::move(c.value()), std::move(keys)};
}

outcome<certificate> registry::create_certificate_from_csr(const std::string& csr_pem, bool set_active) {
    return issue_certificate_from_csr(csr_pem, set_active ? cert_status::active : cert_status::inactive);
}

outcome<certificate> registry::issue_certificate_from_csr(const std::string& csr_pem, cert_status st) {
    // The CA parses and verifies the CSR itself; parse_csr_pem runs only to say why one was
    // refused. (Checking it first parsed and verified every CSR twice: a tenth of a device's CPU
    // in claim onboarding, OpenSSL 3.0's decoders being slow.)
    std::string pem;
    if (count_pem_blocks(csr_pem, "CERTIFICATE REQUEST") == 1) {
        try {
            pem = ca_->sign_csr(csr_pem);
        } catch (const std::exception&) {
        }
    }
    if (pem.empty()) {
        std::string why;
        if (!parse_csr_pem(csr_pem, &why)) return fail(errc::invalid_request, "certificateSigningRequest: " + why);
        try {
            pem = ca_->sign_csr(csr_pem);
        } catch (const std::exception& e) {
            return fail(errc::invalid_request, std::string("certificateSigningRequest: ") + e.what());
        }
    }
    return add_certificate(pem, "", st, "DEFAULT", true);
}

outcome<certificate> registry::register_certificate(const std::string& pem, const std::string& ca_pem,
                                                    const std::optional<std::string>& status_name, bool set_active) {
    const auto st = registration_status(status_name, set_active);
    if (!st) return st.err();
    std::string why;
    const auto cert = parse_certificate_pem(pem, &why);
    if (!cert) return fail(errc::certificate_validation, "certificatePem: " + why);
    // The signing CA must be registered: the one given, or the one the certificate names.
    std::string ca_id;
    {
        std::optional<parsed_certificate> given;
        if (!ca_pem.empty()) {
            given = parse_certificate_pem(ca_pem, &why);
            if (!given) return fail(errc::certificate_validation, "caCertificatePem: " + why);
        }
        std::shared_lock lock(mu_);
        for (const auto& [id, ca] : st_->cas) {
            if (given && id != given->id) continue;
            const auto parsed_ca = parse_certificate_pem(ca.pem, nullptr);
            if (parsed_ca && is_signed_by(*cert, *parsed_ca)) {
                ca_id = id;
                break;
            }
        }
        if (ca_id.empty()) {
            if (given && !st_->cas.count(given->id))
                return fail(errc::certificate_validation, "The CA certificate " + given->id + " is not registered");
            return fail(errc::certificate_validation,
                        "The certificate is not signed by a registered CA certificate (use RegisterCACertificate "
                        "first, or RegisterCertificateWithoutCA)");
        }
        if (!st_->cas.at(ca_id).active && st.value() == cert_status::active)
            return fail(errc::certificate_state, "The CA certificate " + ca_id + " is INACTIVE");
    }
    return add_certificate(pem, ca_id, st.value(), "DEFAULT", true);
}

outcome<certificate> registry::register_certificate_without_ca(const std::string& pem,
                                                               const std::optional<std::string>& status_name) {
    const auto st = registration_status(status_name, false);
    if (!st) return st.err();
    return add_certificate(pem, "", st.value(), "SNI_ONLY", true);
}

outcome<certificate> registry::describe_certificate(const std::string& id) const {
    std::shared_lock lock(mu_);
    const auto it = st_->certs.find(id);
    if (it == st_->certs.end()) return fail(errc::not_found, "The certificate " + id + " does not exist.");
    return it->second;
}

outcome<page<certificate>> registry::list_certificates(const std::optional<std::string>& ca_id,
                                                       const page_request& p) const {
    std::shared_lock lock(mu_);
    std::vector<std::pair<std::string, const certificate*>> keys;
    for (const auto& [id, c] : st_->certs)
        if (!ca_id || c.ca_id == *ca_id) keys.emplace_back(order_key(c), &c);
    std::sort(keys.begin(), keys.end());
    using entry = std::pair<std::string, const certificate*>;
    return make_page<entry>(keys, p, [](const entry& e) { return *e.second; },
                            +[](const entry& e) -> const std::string& { return e.first; });
}

status registry::update_certificate(const std::string& id, const std::string& new_status) {
    const auto target = parse_cert_status(new_status);
    if (!target) return fail(errc::invalid_request, "newStatus '" + new_status + "' is not a CertificateStatus");
    if (*target == cert_status::pending_transfer || *target == cert_status::pending_activation)
        return fail(errc::invalid_request, "newStatus " + new_status +
                                               " is used internally by AWS IoT and cannot be set with UpdateCertificate");
    {
        std::unique_lock lock(mu_);
        const auto it = st_->certs.find(id);
        if (it == st_->certs.end()) return fail(errc::not_found, "The certificate " + id + " does not exist.");
        certificate c = it->second;
        if (c.status == *target) return std::nullopt;  // idempotent
        if (c.status == cert_status::revoked)
            return fail(errc::certificate_state, "The certificate " + id + " is REVOKED; a revoked certificate cannot "
                                                 "change status (delete it instead)");
        if (c.status == cert_status::pending_transfer)
            return fail(errc::certificate_state, "The certificate " + id + " is PENDING_TRANSFER");
        if (*target == cert_status::active && !c.ca_id.empty())
            if (const auto ca = st_->cas.find(c.ca_id); ca != st_->cas.end() && !ca->second.active)
                return fail(errc::certificate_state, "The CA certificate " + c.ca_id + " is INACTIVE");
        c.status = *target;
        c.last_modified = now_seconds();
        if (auto e = commit({put_op(kind::certificate, id, c)})) return *e;
        it->second = std::move(c);
    }
    notify_certificates({{.certificate_id = id, .status = *target}});
    return std::nullopt;
}

status registry::delete_certificate(const std::string& id, bool force) {
    {
        std::unique_lock lock(mu_);
        auto& s = *st_;
        const auto it = s.certs.find(id);
        if (it == s.certs.end()) return fail(errc::not_found, "The certificate " + id + " does not exist.");
        const auto& c = it->second;
        if (c.status == cert_status::active)
            return fail(errc::certificate_state, "Certificate " + id + " is ACTIVE: set it INACTIVE or REVOKED "
                                                 "(UpdateCertificate) before deleting it");
        if (c.status == cert_status::pending_transfer)
            return fail(errc::certificate_state, "Certificate " + id + " is PENDING_TRANSFER");
        const std::string arn = opts_.acct.arn("cert", id);
        if (!s.thing_principals.to(arn).empty())
            return fail(errc::delete_conflict, "Certificate " + id + " is attached to thing " +
                                                   *s.thing_principals.to(arn).begin() + "; detach it first");
        const auto policies = s.policy_targets.to(arn);
        if (!policies.empty() && !force)
            return fail(errc::delete_conflict, "Certificate " + id + " has policy " + *policies.begin() +
                                                   " attached; detach it or pass forceDelete");
        std::vector<store_op> ops{erase_op(kind::certificate, id)};
        for (const auto& p : policies) ops.push_back(erase_op(kind::policy_target, pair_key(p, arn)));
        if (auto e = commit(ops)) return *e;
        for (const auto& p : policies) s.policy_targets.remove(p, arn);
        s.certs.erase(it);
    }
    notify_certificates({{.certificate_id = id}});
    return std::nullopt;
}

std::string registry::registration_code() {
    std::shared_lock lock(mu_);
    return st_->registration_code;
}

outcome<ca_certificate> registry::register_ca_certificate(const std::string& ca_pem, const std::string& verification_pem,
                                                          bool set_active, bool allow_auto_registration,
                                                          const nlohmann::json& registration_config,
                                                          const std::string& mode) {
    if (mode != "DEFAULT" && mode != "SNI_ONLY")
        return fail(errc::invalid_request, "certificateMode must be DEFAULT or SNI_ONLY");
    std::string why;
    const auto ca = parse_certificate_pem(ca_pem, &why);
    if (!ca) return fail(errc::certificate_validation, "caCertificate: " + why);
    if (!ca->is_ca)
        return fail(errc::certificate_validation, "caCertificate is not a CA certificate (basicConstraints CA:TRUE)");
    if (mode == "DEFAULT") {
        // AWS proves possession of the CA key: a verification certificate signed by it whose
        // common name is this account's registration code.
        if (verification_pem.empty())
            return fail(errc::invalid_request, "verificationCertificate is required with certificateMode DEFAULT");
        const auto v = parse_certificate_pem(verification_pem, &why);
        if (!v) return fail(errc::certificate_validation, "verificationCertificate: " + why);
        if (!is_signed_by(*v, *ca))
            return fail(errc::certificate_validation, "The verification certificate is not signed by the CA certificate");
        const std::string code = registration_code();
        if (v->subject.find("CN=" + code) == std::string::npos)
            return fail(errc::registration_code_validation,
                        "The verification certificate's common name must be the registration code " + code +
                            " (GetRegistrationCode); it is " + v->subject);
    }
    const double now = now_seconds();
    ca_certificate c{.id = ca->id, .pem = ca->pem, .active = set_active, .auto_registration = allow_auto_registration,
                     .mode = mode, .creation_date = now, .last_modified = now, .not_before = ca->not_before,
                     .not_after = ca->not_after, .customer_version = 1, .generation_id = new_uuid(),
                     .registration_config = registration_config.is_object() ? registration_config : nlohmann::json::object()};
    std::unique_lock lock(mu_);
    auto& s = *st_;
    if (s.cas.count(c.id)) return fail(errc::already_exists, "The CA certificate is already registered: " + c.id);
    if (auto e = commit({put_op(kind::ca, c.id, c)})) return *e;
    s.cas.emplace(c.id, c);
    return c;
}

outcome<ca_certificate> registry::describe_ca_certificate(const std::string& id) const {
    std::shared_lock lock(mu_);
    const auto it = st_->cas.find(id);
    if (it == st_->cas.end()) return fail(errc::not_found, "The CA certificate " + id + " does not exist.");
    return it->second;
}

status registry::update_ca_certificate(const std::string& id, const std::optional<std::string>& new_status,
                                       const std::optional<std::string>& new_auto_registration,
                                       const std::optional<nlohmann::json>& registration_config,
                                       bool remove_auto_registration) {
    if (new_status && *new_status != "ACTIVE" && *new_status != "INACTIVE")
        return fail(errc::invalid_request, "newStatus must be ACTIVE or INACTIVE, not " + *new_status);
    if (new_auto_registration && *new_auto_registration != "ENABLE" && *new_auto_registration != "DISABLE")
        return fail(errc::invalid_request, "newAutoRegistrationStatus must be ENABLE or DISABLE");
    std::vector<certificate_change> affected;
    {
        std::unique_lock lock(mu_);
        auto& s = *st_;
        const auto it = s.cas.find(id);
        if (it == s.cas.end()) return fail(errc::not_found, "The CA certificate " + id + " does not exist.");
        ca_certificate c = it->second;
        const bool was_active = c.active;
        if (new_status) c.active = *new_status == "ACTIVE";
        if (new_auto_registration) c.auto_registration = *new_auto_registration == "ENABLE";
        if (registration_config) c.registration_config = *registration_config;
        if (remove_auto_registration) c.registration_config = nlohmann::json::object();
        c.last_modified = now_seconds();
        if (auto e = commit({put_op(kind::ca, id, c)})) return *e;
        it->second = std::move(c);
        if (was_active != it->second.active)
            affected.push_back({.ca_certificate_id = id,
                                .status = it->second.active ? cert_status::active : cert_status::inactive});
    }
    notify_certificates(affected);
    return std::nullopt;
}

outcome<page<ca_certificate>> registry::list_ca_certificates(const page_request& p) const {
    std::shared_lock lock(mu_);
    return make_page<std::string>(keys_of(st_->cas), p, [&](const std::string& k) { return st_->cas.at(k); }, self_text);
}

status registry::delete_ca_certificate(const std::string& id) {
    std::unique_lock lock(mu_);
    auto& s = *st_;
    const auto it = s.cas.find(id);
    if (it == s.cas.end()) return fail(errc::not_found, "The CA certificate " + id + " does not exist.");
    if (it->second.active)
        return fail(errc::certificate_state, "The CA certificate " + id + " is ACTIVE: set it INACTIVE first");
    if (auto e = commit({erase_op(kind::ca, id)})) return *e;
    s.cas.erase(it);
    drop_tags(opts_.acct.arn("cacert", id));
    return std::nullopt;
}

}  // namespace wv::registry
