#include "registry/amazon_ca.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <stdexcept>

namespace wv::registry {
namespace {

using bio_ptr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using x509_ptr = std::unique_ptr<X509, decltype(&X509_free)>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using name_ptr = std::unique_ptr<X509_NAME, decltype(&X509_NAME_free)>;

[[noreturn]] void throw_ssl(const std::string& what) {
    std::string msg = "amazon CA stand-in: " + what;
    if (const auto e = ERR_peek_last_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        msg += ": ";
        msg += buf;
    }
    ERR_clear_error();
    throw std::runtime_error(msg);
}

std::string bio_text(BIO* b) {
    char* p = nullptr;
    const long n = BIO_get_mem_data(b, &p);
    return std::string(p, static_cast<std::size_t>(n));
}

pkey_ptr make_key(issued_key kind) {
    EVP_PKEY* k = kind == issued_key::rsa_2048 ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
    if (!k) throw_ssl("key generation");
    return pkey_ptr(k, EVP_PKEY_free);
}

name_ptr amazon_issuer_name() {
    name_ptr n(X509_NAME_new(), X509_NAME_free);
    const auto add = [&](const char* f, const char* v) {
        X509_NAME_add_entry_by_txt(n.get(), f, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(v), -1, -1, 0);
    };
    add("OU", "Amazon Web Services O=Amazon.com Inc. L=Seattle ST=Washington C=US");
    return n;
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (!ext) throw_ssl("extension");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

// Serial numbers are 20 random bytes, positive, as public CAs issue them.
void random_serial(X509* cert) {
    unsigned char raw[20];
    RAND_bytes(raw, sizeof raw);
    raw[0] &= 0x7f;
    BIGNUM* bn = BN_bin2bn(raw, sizeof raw, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
    BN_free(bn);
}

std::string cert_pem(X509* c) {
    bio_ptr b(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_X509(b.get(), c);
    return bio_text(b.get());
}

}  // namespace

struct amazon_ca::keys {
    pkey_ptr key{nullptr, EVP_PKEY_free};
    x509_ptr cert{nullptr, X509_free};
};

amazon_ca::~amazon_ca() = default;
amazon_ca::amazon_ca(amazon_ca&&) noexcept = default;
amazon_ca& amazon_ca::operator=(amazon_ca&&) noexcept = default;

amazon_ca amazon_ca::generate() {
    amazon_ca ca;
    ca.k_ = std::make_unique<keys>();
    ca.k_->key = make_key(issued_key::ec_p256);
    ca.k_->cert.reset(X509_new());
    X509* c = ca.k_->cert.get();
    X509_set_version(c, 2);
    random_serial(c);
    X509_gmtime_adj(X509_getm_notBefore(c), -3600);
    ASN1_TIME_set_string(X509_getm_notAfter(c), "20491231235959Z");
    auto name = amazon_issuer_name();
    X509_set_subject_name(c, name.get());
    X509_set_issuer_name(c, name.get());
    X509_set_pubkey(c, ca.k_->key.get());
    add_ext(c, c, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(c, c, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_ext(c, c, NID_subject_key_identifier, "hash");
    if (X509_sign(c, ca.k_->key.get(), EVP_sha256()) <= 0) throw_ssl("self-signing the CA");
    ca.cert_pem_ = cert_pem(c);
    bio_ptr b(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_PrivateKey(b.get(), ca.k_->key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    ca.key_pem_ = bio_text(b.get());
    return ca;
}

amazon_ca amazon_ca::from_pem(std::string_view certificate_pem, std::string_view private_key_pem) {
    amazon_ca ca;
    ca.k_ = std::make_unique<keys>();
    bio_ptr cb(BIO_new_mem_buf(certificate_pem.data(), static_cast<int>(certificate_pem.size())), BIO_free);
    ca.k_->cert.reset(PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr));
    bio_ptr kb(BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size())), BIO_free);
    ca.k_->key.reset(PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr));
    if (!ca.k_->cert || !ca.k_->key) throw_ssl("reading the stored CA");
    ca.cert_pem_ = certificate_pem;
    ca.key_pem_ = private_key_pem;
    return ca;
}

namespace {
std::string issue(const amazon_ca& /*unused*/, X509* ca_cert, EVP_PKEY* ca_key, EVP_PKEY* subject_key,
                  X509_NAME* subject) {
    x509_ptr c(X509_new(), X509_free);
    X509_set_version(c.get(), 2);
    random_serial(c.get());
    X509_gmtime_adj(X509_getm_notBefore(c.get()), -60);
    ASN1_TIME_set_string(X509_getm_notAfter(c.get()), "20491231235959Z");
    X509_set_subject_name(c.get(), subject);
    X509_set_issuer_name(c.get(), X509_get_subject_name(ca_cert));
    X509_set_pubkey(c.get(), subject_key);
    add_ext(c.get(), ca_cert, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(c.get(), ca_cert, NID_key_usage, "critical,digitalSignature");
    add_ext(c.get(), ca_cert, NID_subject_key_identifier, "hash");
    add_ext(c.get(), ca_cert, NID_authority_key_identifier, "keyid");
    if (X509_sign(c.get(), ca_key, EVP_sha256()) <= 0) throw_ssl("signing a device certificate");
    return cert_pem(c.get());
}
}  // namespace

issued_keys amazon_ca::create_keys_and_certificate(issued_key kind) const {
    auto key = make_key(kind);
    name_ptr subject(X509_NAME_new(), X509_NAME_free);
    X509_NAME_add_entry_by_txt(subject.get(), "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>("AWS IoT Certificate"), -1, -1, 0);
    issued_keys out;
    out.certificate_pem = issue(*this, k_->cert.get(), k_->key.get(), key.get(), subject.get());
    bio_ptr pub(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_PUBKEY(pub.get(), key.get());
    out.public_key_pem = bio_text(pub.get());
    // AWS hands out "-----BEGIN RSA PRIVATE KEY-----" (PKCS#1) for its RSA keys; PKCS#8 for EC.
    bio_ptr priv(BIO_new(BIO_s_mem()), BIO_free);
    if (kind == issued_key::rsa_2048) {
        auto* enc = OSSL_ENCODER_CTX_new_for_pkey(key.get(), EVP_PKEY_KEYPAIR, "PEM", "type-specific", nullptr);
        if (!enc || OSSL_ENCODER_to_bio(enc, priv.get()) != 1) {
            OSSL_ENCODER_CTX_free(enc);
            throw_ssl("encoding the RSA key");
        }
        OSSL_ENCODER_CTX_free(enc);
    } else {
        PEM_write_bio_PrivateKey(priv.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    }
    out.private_key_pem = bio_text(priv.get());
    return out;
}

std::string amazon_ca::sign_csr(std::string_view csr_pem) const {
    bio_ptr b(BIO_new_mem_buf(csr_pem.data(), static_cast<int>(csr_pem.size())), BIO_free);
    std::unique_ptr<X509_REQ, decltype(&X509_REQ_free)> req(PEM_read_bio_X509_REQ(b.get(), nullptr, nullptr, nullptr),
                                                            X509_REQ_free);
    EVP_PKEY* key = req ? X509_REQ_get0_pubkey(req.get()) : nullptr;
    if (!key || X509_REQ_verify(req.get(), key) != 1) throw_ssl("the CSR does not parse or verify");
    return issue(*this, k_->cert.get(), k_->key.get(), key, X509_REQ_get_subject_name(req.get()));
}

}  // namespace wv::registry
