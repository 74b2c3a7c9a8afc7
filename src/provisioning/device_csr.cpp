#include "provisioning/device_csr.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>
#include <stdexcept>

namespace wv::provisioning {
namespace {

struct bio_text {
    BIO* b = BIO_new(BIO_s_mem());
    ~bio_text() { BIO_free(b); }
    std::string take() const {
        char* p = nullptr;
        const long n = BIO_get_mem_data(b, &p);
        return {p, static_cast<std::size_t>(n)};
    }
};

[[noreturn]] void openssl_failed(const char* step) { throw std::runtime_error(std::string("device CSR: ") + step + " failed"); }

}  // namespace

device_csr make_device_csr(std::string_view common_name, device_key_type type) {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        type == device_key_type::ec_p256 ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048), &EVP_PKEY_free);
    if (!key) openssl_failed("key generation");
    std::unique_ptr<X509_REQ, decltype(&X509_REQ_free)> req(X509_REQ_new(), &X509_REQ_free);
    if (!req) openssl_failed("X509_REQ_new");
    const std::string cn(common_name);
    if (X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req.get()), "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0) != 1)
        openssl_failed("setting the subject CN");
    if (X509_REQ_set_pubkey(req.get(), key.get()) != 1 || X509_REQ_sign(req.get(), key.get(), EVP_sha256()) <= 0)
        openssl_failed("signing the CSR");
    device_csr out;
    bio_text k, c;
    if (PEM_write_bio_PrivateKey(k.b, key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) openssl_failed("writing the key");
    if (PEM_write_bio_X509_REQ(c.b, req.get()) != 1) openssl_failed("writing the CSR");
    out.private_key_pem = k.take();
    out.csr_pem = c.take();
    return out;
}

}  // namespace wv::provisioning
