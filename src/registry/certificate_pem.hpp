#pragma once
// X.509 certificates and CSRs as the registry needs them: parsed from PEM, identified the way
// AWS IoT identifies them (certificateId = SHA-256 of the DER, lower-case hex), checked
// against an issuer. Pure OpenSSL, no files.
//
// Errors: the parse functions return std::nullopt and put what is wrong into *why (the
// control plane answers CertificateValidationException or InvalidRequestException with it).
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace wv::registry {

struct parsed_certificate {
    std::string der;               // the certificate's DER bytes
    std::string id;                // SHA-256(der), hex
    std::string pem;               // normalised: one PEM block, as OpenSSL writes it
    std::string subject, issuer;   // RFC 2253 text, e.g. "CN=dev1,O=Acme"
    double not_before = 0, not_after = 0;
    bool is_ca = false;            // basicConstraints CA:TRUE
};

// Exactly one CERTIFICATE block (surrounding whitespace allowed).
std::optional<parsed_certificate> parse_certificate_pem(std::string_view pem, std::string* why);
// The certificateId of a DER certificate.
std::string certificate_id_of_der(std::string_view der);
// True when `cert` names `issuer`'s subject as its issuer and carries a valid signature by its key.
bool is_signed_by(const parsed_certificate& cert, const parsed_certificate& issuer);

struct parsed_csr {
    std::string subject;           // RFC 2253
    std::string public_key_pem;    // SubjectPublicKeyInfo
};
// One CERTIFICATE REQUEST block whose self-signature verifies.
std::optional<parsed_csr> parse_csr_pem(std::string_view pem, std::string* why);

// How many "-----BEGIN <label>-----" blocks `pem` holds (AWS takes one per call, not a bundle).
std::size_t count_pem_blocks(std::string_view pem, std::string_view label);

}  // namespace wv::registry
