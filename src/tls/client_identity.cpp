#include "tls/client_identity.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <fstream>
#include <iterator>
#include <stdexcept>

namespace wv::tls {
namespace {

std::string reason() {
    std::string out = "unknown error";
    if (const auto e = ERR_peek_last_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        out = buf;
    }
    ERR_clear_error();
    return out;
}

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + p.string());
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

struct client_identity::parsed {
    X509* cert = nullptr;
    EVP_PKEY* key = nullptr;
    parsed(X509* c, EVP_PKEY* k) : cert(c), key(k) {}
    parsed(const parsed&) = delete;
    parsed& operator=(const parsed&) = delete;
    ~parsed() {
        X509_free(cert);
        EVP_PKEY_free(key);
    }
};

client_identity client_identity::from_pem(std::string_view cert_pem, std::string_view key_pem, bool keep_parsed) {
    client_identity out;
    BIO* cb = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
    X509* x = cb ? PEM_read_bio_X509(cb, nullptr, nullptr, nullptr) : nullptr;
    BIO_free(cb);
    if (!x) throw std::runtime_error("certificate: no PEM certificate: " + reason());
    BIO* kb = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
    EVP_PKEY* k = kb ? PEM_read_bio_PrivateKey(kb, nullptr, nullptr, nullptr) : nullptr;
    BIO_free(kb);
    if (!k) {
        X509_free(x);
        throw std::runtime_error("key: no PEM private key (unencrypted): " + reason());
    }
    const bool match = X509_check_private_key(x, k) == 1;
    unsigned char* buf = nullptr;
    int n = i2d_X509(x, &buf);
    if (n > 0) out.cert_.assign(buf, buf + n);
    OPENSSL_free(buf);
    buf = nullptr;
    n = i2d_PrivateKey(k, &buf);
    if (n > 0) out.key_.assign(buf, buf + n);
    OPENSSL_free(buf);
    if (keep_parsed && match) {
        out.parsed_ = std::make_shared<const parsed>(x, k);
    } else {
        X509_free(x);
        EVP_PKEY_free(k);
    }
    ERR_clear_error();
    if (!match) throw std::runtime_error("key does not match the certificate");
    if (out.cert_.empty() || out.key_.empty()) throw std::runtime_error("certificate or key: DER encoding failed");
    return out;
}

client_identity client_identity::from_files(const std::filesystem::path& cert, const std::filesystem::path& key,
                                            bool keep_parsed) {
    try {
        return from_pem(slurp(cert), slurp(key), keep_parsed);
    } catch (const std::exception& e) {
        throw std::runtime_error(cert.string() + " / " + key.string() + ": " + e.what());
    }
}

bool client_identity::apply(SSL* ssl, std::string& error) const {
    if (parsed_) {  // the SSL takes references: nothing decoded
        if (SSL_use_certificate(ssl, parsed_->cert) == 1 && SSL_use_PrivateKey(ssl, parsed_->key) == 1) return true;
        error = "client certificate: " + reason();
        return false;
    }
    const unsigned char* p = key_.data();
    EVP_PKEY* k = d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(key_.size()));
    const bool ok = k && SSL_use_certificate_ASN1(ssl, cert_.data(), static_cast<int>(cert_.size())) == 1 &&
                    SSL_use_PrivateKey(ssl, k) == 1;
    EVP_PKEY_free(k);
    if (!ok) error = "client certificate: " + reason();
    return ok;
}

}  // namespace wv::tls
