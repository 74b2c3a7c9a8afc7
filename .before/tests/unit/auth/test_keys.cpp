#include "test_keys.hpp"

#include <memory>
#include <stdexcept>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "util/base64.hpp"

namespace wv::auth::test {

namespace {

std::string bio_text(BIO* b) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(b, &data);
    return std::string(data, static_cast<std::size_t>(n));
}

key_pair make(EVP_PKEY* k) {
    if (!k) throw std::runtime_error("key generation failed");
    key_pair p;
    BIO* pub = BIO_new(BIO_s_mem());
    BIO* priv = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(pub, k);
    PEM_write_bio_PrivateKey(priv, k, nullptr, nullptr, 0, nullptr, nullptr);
    p.public_pem = bio_text(pub);
    p.private_pem = bio_text(priv);
    BIO_free(pub);
    BIO_free(priv);
    EVP_PKEY_free(k);
    return p;
}

}  // namespace

const key_pair& rsa_2048() {
    static const key_pair k = make(EVP_RSA_gen(2048));
    return k;
}
const key_pair& rsa_2048_other() {
    static const key_pair k = make(EVP_RSA_gen(2048));
    return k;
}
const key_pair& rsa_1024() {
    static const key_pair k = make(EVP_RSA_gen(1024));
    return k;
}
const key_pair& ec_p256() {
    static const key_pair k = make(EVP_EC_gen("P-256"));
    return k;
}

std::string sign_token_b64(const key_pair& k, const std::string& token) {
    BIO* b = BIO_new_mem_buf(k.private_pem.data(), static_cast<int>(k.private_pem.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(b, nullptr, nullptr, nullptr);
    BIO_free(b);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    std::size_t len = 0;
    EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key);
    EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(token.data()), token.size());
    std::string sig(len, '\0');
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(token.data()), token.size());
    sig.resize(len);
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    return util::base64_encode(sig);
}

}  // namespace wv::auth::test
