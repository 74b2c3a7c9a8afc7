#include "registry/certificate_pem.hpp"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "util/hex.hpp"

namespace wv::registry {
namespace {

using bio_ptr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using x509_ptr = std::unique_ptr<X509, decltype(&X509_free)>;
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

double asn1_seconds(const ASN1_TIME* t) {
    std::tm tm{};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
    return static_cast<double>(timegm(&tm));
}

// Counts BEGIN lines of a kind: AWS takes one certificate per call, not a bundle.
std::size_t count_blocks(std::string_view pem, std::string_view label) {
    const std::string begin = "-----BEGIN " + std::string(label) + "-----";
    std::size_t n = 0;
    for (auto pos = pem.find(begin); pos != std::string_view::npos; pos = pem.find(begin, pos + 1)) ++n;
    return n;
}

}  // namespace

std::string certificate_id_of_der(std::string_view der) {
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(der.data()), der.size(), md);
    return util::hex_encode(std::string_view(reinterpret_cast<const char*>(md), sizeof md));
}

std::optional<parsed_certificate> parse_certificate_pem(std::string_view pem, std::string* why) {
    const auto blocks = count_blocks(pem, "CERTIFICATE");
    if (blocks != 1) {
        set(why, blocks == 0 ? "no -----BEGIN CERTIFICATE----- block: expected one PEM certificate"
                             : std::to_string(blocks) + " certificates given: expected exactly one");
        return std::nullopt;
    }
    bio_ptr in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
    x509_ptr cert(PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr), X509_free);
    if (!cert) {
        set(why, "the certificate PEM does not parse as X.509");
        return std::nullopt;
    }
    parsed_certificate out;
    unsigned char* der = nullptr;
    const int len = i2d_X509(cert.get(), &der);
    if (len <= 0) {
        set(why, "the certificate cannot be encoded as DER");
        return std::nullopt;
    }
    out.der.assign(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
    out.id = certificate_id_of_der(out.der);
    bio_ptr mem(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_X509(mem.get(), cert.get());
    char* p = nullptr;
    const long plen = BIO_get_mem_data(mem.get(), &p);
    out.pem.assign(p, static_cast<std::size_t>(plen));
    out.subject = name_text(X509_get_subject_name(cert.get()));
    out.issuer = name_text(X509_get_issuer_name(cert.get()));
    out.not_before = asn1_seconds(X509_get0_notBefore(cert.get()));
    out.not_after = asn1_seconds(X509_get0_notAfter(cert.get()));
    out.is_ca = X509_check_ca(cert.get()) > 0;
    ERR_clear_error();
    return out;
}

bool is_signed_by(const parsed_certificate& cert, const parsed_certificate& issuer) {
    const auto* c = reinterpret_cast<const unsigned char*>(cert.der.data());
    const auto* i = reinterpret_cast<const unsigned char*>(issuer.der.data());
    x509_ptr xc(d2i_X509(nullptr, &c, static_cast<long>(cert.der.size())), X509_free);
    x509_ptr xi(d2i_X509(nullptr, &i, static_cast<long>(issuer.der.size())), X509_free);
    if (!xc || !xi) return false;
    if (X509_NAME_cmp(X509_get_issuer_name(xc.get()), X509_get_subject_name(xi.get())) != 0) return false;
    EVP_PKEY* key = X509_get0_pubkey(xi.get());
    const bool ok = key && X509_verify(xc.get(), key) == 1;
    ERR_clear_error();
    return ok;
}

std::optional<parsed_csr> parse_csr_pem(std::string_view pem, std::string* why) {
    const auto blocks = count_blocks(pem, "CERTIFICATE REQUEST");
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
