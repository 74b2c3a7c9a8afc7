#include "registry/certificate_pem.hpp"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <span>

#include "tls/certificate.hpp"
#include "util/hex.hpp"

namespace wv::registry {
namespace {

using bio_ptr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using req_ptr = std::unique_ptr<X509_REQ, decltype(&X509_REQ_free)>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

void set(std::string* why, std::string text) {
    if (const auto e = ERR_peek_last_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        text += " (";
        text += buf;
        text += ')';
    }
    ERR_clear_error();
    if (why) *why = std::move(text);
}

std::string name_text(const X509_NAME* n) {
    bio_ptr b(BIO_new(BIO_s_mem()), BIO_free);
    X509_NAME_print_ex(b.get(), n, 0, XN_FLAG_RFC2253);
    char* p = nullptr;
    const long len = BIO_get_mem_data(b.get(), &p);
    return std::string(p, static_cast<std::size_t>(len));
}

}  // namespace

std::size_t count_pem_blocks(std::string_view pem, std::string_view label) {
    const std::string begin = "-----BEGIN " + std::string(label) + "-----";
    std::size_t n = 0;
    for (auto pos = pem.find(begin); pos != std::string_view::npos; pos = pem.find(begin, pos + 1)) ++n;
    return n;
}

std::string certificate_id_of_der(std::string_view der) {
    const auto c = tls::certificate::from_der(
        std::span(reinterpret_cast<const unsigned char*>(der.data()), der.size()));
    if (c) return c->id();
    // Not a certificate: still the SHA-256 of the bytes, as the id is defined.
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(der.data()), der.size(), md);
    return util::hex_encode(std::string_view(reinterpret_cast<const char*>(md), sizeof md));
}

// The certificate itself is parsed by tls::certificate (one parser for the gateway and the
// registry); this adds AWS's one-certificate-per-call rule and the registry's plain fields.
std::optional<parsed_certificate> parse_certificate_pem(std::string_view pem, std::string* why) {
    const auto blocks = count_pem_blocks(pem, "CERTIFICATE");
    if (blocks != 1) {
        set(why, blocks == 0 ? "no -----BEGIN CERTIFICATE----- block: expected one PEM certificate"
                             : std::to_string(blocks) + " certificates given: expected exactly one");
        return std::nullopt;
    }
    const auto c = tls::certificate::from_pem(pem);
    if (!c) {
        set(why, "the certificate PEM does not parse as X.509: " + c.error);
        return std::nullopt;
    }
    parsed_certificate out;
    const auto der = c->der();
    out.der.assign(reinterpret_cast<const char*>(der.data()), der.size());
    out.id = c->id();
    out.pem = c->pem();
    out.subject = c->subject();
    out.issuer = c->issuer();
    out.not_before = static_cast<double>(std::chrono::system_clock::to_time_t(c->not_before()));
    out.not_after = static_cast<double>(std::chrono::system_clock::to_time_t(c->not_after()));
    out.is_ca = c->is_ca();
    return out;
}

bool is_signed_by(const parsed_certificate& cert, const parsed_certificate& issuer) {
    const auto as_bytes = [](const std::string& d) {
        return std::span(reinterpret_cast<const unsigned char*>(d.data()), d.size());
    };
    const auto c = tls::certificate::from_der(as_bytes(cert.der));
    const auto i = tls::certificate::from_der(as_bytes(issuer.der));
    return c && i && c->issued_by(*i);
}

std::optional<parsed_csr> parse_csr_pem(std::string_view pem, std::string* why) {
    const auto blocks = count_pem_blocks(pem, "CERTIFICATE REQUEST");
    if (blocks != 1) {
        set(why, blocks == 0 ? "no -----BEGIN CERTIFICATE REQUEST----- block: expected one PEM CSR"
                             : std::to_string(blocks) + " CSRs given: expected exactly one");
        return std::nullopt;
    }
    bio_ptr in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
    req_ptr req(PEM_read_bio_X509_REQ(in.get(), nullptr, nullptr, nullptr), X509_REQ_free);
    if (!req) {
        set(why, "the CSR PEM does not parse as PKCS#10");
        return std::nullopt;
    }
    EVP_PKEY* key = X509_REQ_get0_pubkey(req.get());
    if (!key || X509_REQ_verify(req.get(), key) != 1) {
        set(why, "the CSR's signature does not verify with its own public key");
        return std::nullopt;
    }
    parsed_csr out;
    out.subject = name_text(X509_REQ_get_subject_name(req.get()));
    bio_ptr mem(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_PUBKEY(mem.get(), key);
    char* p = nullptr;
    const long plen = BIO_get_mem_data(mem.get(), &p);
    out.public_key_pem.assign(p, static_cast<std::size_t>(plen));
    ERR_clear_error();
    return out;
}

}  // namespace wv::registry
