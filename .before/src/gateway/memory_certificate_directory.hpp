#pragma once
// A certificate_directory held in memory: tests build one by hand, and wvgate builds one from
// its static config (a listener's client CA plus `certificate_policies`: every certificate that
// CA signed is ACTIVE with those policies, which is how wvgate behaved before the registry).
//
//   memory_certificate_directory dir{"eu-west-1", "123456789012"};
//   auto ca = dir.add_ca(ca_cert);                                   // RegisterCACertificate, ACTIVE
//   dir.add_certificate(dev_cert, certificate_status::active, ca);   // RegisterCertificate
//   dir.attach_policy(dev_cert.id(), "dev", policy_json);            // AttachPolicy (error text or "")
//   dir.attach_thing(dev_cert.id(), {.name = "thing1", .attributes = {{"site", "a"}}});
//   dir.set_status(dev_cert.id(), certificate_status::inactive);     // listeners hear of it
//
// Trusted CAs (trust_ca): a certificate not registered by id but issued by a trusted CA
// (issued_by: name and signature) is ACTIVE with the CA's policies and no thing; its ARN is
// still cert/<its id>. A registered certificate is judged by its own record first.
//
// Threading: look_up() takes a shared lock; changes an exclusive one, and call listeners
// after releasing it.
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "gateway/certificate_directory.hpp"

namespace wv::gate {

class memory_certificate_directory final : public certificate_directory {
public:
    memory_certificate_directory(std::string region, std::string account);
    ~memory_certificate_directory() override;

    certificate_verdict look_up(const tls::certificate& cert, const tls::certificate* issuer) const override;
    std::shared_ptr<void> subscribe(status_listener listener) override;

    // Registers a CA certificate; returns its id. Registering it again updates the status.
    std::string add_ca(const tls::certificate& ca, certificate_status status = certificate_status::active);
    // A CA whose signed certificates count as registered and ACTIVE with these policies.
    // Returns an error text (a policy document that does not parse), empty on success.
    std::string trust_ca(const tls::certificate& ca, const std::vector<std::string>& policy_documents);
    // Registers a device certificate (under a registered CA when ca_id is given); returns its id.
    std::string add_certificate(const tls::certificate& cert, certificate_status status,
                                const std::string& ca_id = {});
    // False when the id is not registered.
    bool set_status(const std::string& certificate_id, certificate_status status);
    bool set_ca_status(const std::string& ca_id, certificate_status status);
    // Error text ("no certificate <id>", or the policy parser's message), empty on success.
    std::string attach_policy(const std::string& certificate_id, const std::string& policy_name,
                              const std::string& document);
    bool detach_policy(const std::string& certificate_id, const std::string& policy_name);
    bool attach_thing(const std::string& certificate_id, thing_identity thing);
    bool remove_certificate(const std::string& certificate_id);

private:
    struct cert_record;
    struct ca_record;
    void notify(const certificate_status_change& c);
    std::string arn(const std::string& id) const;

    std::string region_, account_;
    mutable std::shared_mutex mu_;
    std::unordered_map<std::string, std::shared_ptr<cert_record>> certs_;
    std::unordered_map<std::string, std::shared_ptr<ca_record>> cas_;
    // Certificates a trusted CA signed, by id: the signature check runs once per certificate,
    // not on every connect (bounded; cleared when full).
    mutable std::mutex signed_mu_;
    mutable std::unordered_map<std::string, std::string> signed_by_;
    std::mutex listeners_mu_;
    std::shared_ptr<std::vector<std::shared_ptr<status_listener>>> listeners_;
};

}  // namespace wv::gate
