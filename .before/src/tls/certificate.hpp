#pragma once
// One X.509 certificate, parsed once, with the facts AWS IoT derives from it: its id (the
// SHA-256 of the DER in lowercase hex, which is AWS's certificateId), subject and issuer
// attributes under AWS's policy-variable names, alternative names, serial number, validity,
// and whether another certificate signed it.
//
//   auto c = wv::tls::certificate::from_pem(pem_text);      // or from_der(bytes), or adopt(X509*)
//   if (!c) fail(c.error);
//   c->id();                         // "3f1c...": 64 hex digits
//   c->subject_attribute("CommonName");   // {"thing1"}
//   c->issued_by(ca_cert);           // issuer name matches and ca's key verifies the signature
//
// Cheap to copy (the X509 is reference-counted; derived facts are computed once, on parse).
// Immutable; safe to share between threads.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

typedef struct x509_st X509;

namespace wv::tls {

class certificate {
public:
    struct parsed;  // the value, or what is wrong with the input
    // DER bytes. Error: "not a DER X.509 certificate: <OpenSSL reason>".
    static parsed from_der(std::span<const unsigned char> der);
    // The first CERTIFICATE block of a PEM text.
    static parsed from_pem(std::string_view pem);
    // Every CERTIFICATE block of a PEM text (a chain file), in order; an error names the block.
    static std::pair<std::vector<certificate>, std::string> all_from_pem(std::string_view pem);
    // Takes a reference to an X509 OpenSSL already holds (a peer certificate).
    static certificate adopt(X509* x);

    // SHA-256 of the DER, lowercase hex: AWS's certificateId.
    const std::string& id() const;
    std::span<const unsigned char> der() const;
    std::string pem() const;

    // RFC 2253 text ("CN=thing1,O=Example"), for logs.
    std::string subject() const;
    std::string issuer() const;

    // Attribute values by AWS's names (CommonName, Organization, OrganizationalUnit, Country,
    // State, Locality, SerialNumber, DistinguishedNameQualifier, Title, Surname, GivenName,
    // Initials, Pseudonym, GenerationQualifier), in certificate order; empty when absent.
    std::vector<std::string> subject_attribute(std::string_view aws_name) const;
    std::vector<std::string> issuer_attribute(std::string_view aws_name) const;
    // Alternative names by AWS's names: RFC822Name, DNSName, DirectoryName,
    // UniformResourceIdentifier, IPAddress.
    std::vector<std::string> subject_alt_names(std::string_view aws_name) const;
    std::vector<std::string> issuer_alt_names(std::string_view aws_name) const;
    std::string serial_hex() const;  // lowercase hex, no separators

    std::chrono::system_clock::time_point not_before() const;
    std::chrono::system_clock::time_point not_after() const;
    bool is_ca() const;  // basicConstraints CA:TRUE

    // True when this certificate's issuer name equals `ca`'s subject and `ca`'s public key
    // verifies its signature. (No path building, no validity check: what registering a
    // certificate under a CA means.)
    bool issued_by(const certificate& ca) const;

    X509* native_handle() const;

    struct impl;

private:
    explicit certificate(std::shared_ptr<const impl> p) : p_(std::move(p)) {}
    std::shared_ptr<const impl> p_;
};

struct certificate::parsed {
    std::optional<certificate> value;
    std::string error;
    bool ok() const { return value.has_value(); }
    explicit operator bool() const { return ok(); }
    const certificate* operator->() const { return &*value; }
    const certificate& operator*() const { return *value; }
};

}  // namespace wv::tls
