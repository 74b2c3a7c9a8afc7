#pragma once
// A local stand-in for the CA AWS IoT signs device certificates with (CreateKeysAndCertificate,
// CreateCertificateFromCsr). Like AWS's, its certificates carry "CN=AWS IoT Certificate"
// (CreateKeysAndCertificate) or the CSR's subject, are valid until 2049-12-31 23:59:59 UTC,
// and are issued by "OU=Amazon Web Services O=Amazon.com Inc. L=Seattle ST=Washington C=US";
// but it is this machine's own key, so only this gateway trusts them.
//
// Keys: AWS issues RSA-2048. Generating one takes tens of milliseconds here (see
// tests/bench/registry); `ec_p256` is offered for load tests that create thousands of
// certificates, and is NOT what AWS issues.
//
// Errors: throws std::runtime_error naming the OpenSSL step that failed.
// Threading: const member functions may run concurrently.
#include <memory>
#include <string>
#include <string_view>

namespace wv::registry {

enum class issued_key { rsa_2048, ec_p256 };

struct issued_keys {
    std::string certificate_pem, public_key_pem, private_key_pem;
};

class amazon_ca {
public:
    // A new CA key (EC P-256) and self-signed certificate.
    static amazon_ca generate();
    // The CA kept in the registry's state, so certificates issued before a restart still chain.
    static amazon_ca from_pem(std::string_view certificate_pem, std::string_view private_key_pem);

    issued_keys create_keys_and_certificate(issued_key kind) const;
    // A certificate for a CSR's public key, with its subject (throws on a CSR that does not
    // parse or verify; parse_csr_pem says why).
    std::string sign_csr(std::string_view csr_pem) const;

    const std::string& certificate_pem() const { return cert_pem_; }
    const std::string& private_key_pem() const { return key_pem_; }

    ~amazon_ca();
    amazon_ca(amazon_ca&&) noexcept;
    amazon_ca& operator=(amazon_ca&&) noexcept;

private:
    amazon_ca() = default;
    struct keys;
    std::unique_ptr<keys> k_;
    std::string cert_pem_, key_pem_;
};

}  // namespace wv::registry
