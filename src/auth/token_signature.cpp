#include "auth/token_signature.hpp"

#include <stdexcept>

#include <openssl/bio.h>
#include <openssl/decoder.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "util/base64.hpp"

namespace wv::auth {

const char* to_string(signature_errc e) noexcept {
    switch (e) {
    case signature_errc::none: return "ok";
    case signature_errc::missing_token: return "signing is enabled but the request (user name, or HTTP header or query) carries no token under the authorizer's tokenKeyName";
    case signature_errc::missing_signature: return "signing is enabled but the request (user name, or HTTP header or query) has no x-amz-customauthorizer-signature";
    case signature_errc::bad_base64: return "x-amz-customauthorizer-signature is not base64 (URL-encode it: '+' '/' '=' must be escaped)";
    case signature_errc::mismatch: return "token signature does not verify with any of the authorizer's public keys (RSA SHA-256 over the token)";
    }
    return "unknown";
}

namespace {

struct pkey_deleter {
    void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_deleter>;

struct md_ctx_deleter {
    void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};

// Parses a PEM public key (SubjectPublicKeyInfo, or PKCS#1 "RSA PUBLIC KEY"). Sets `problem`.
pkey_ptr load_public_key(std::string_view pem, std::string& problem) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    if (!bio) {
        problem = "out of memory";
        return nullptr;
    }
    pkey_ptr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    if (!key) {
        // PKCS#1 "BEGIN RSA PUBLIC KEY", through the OpenSSL 3 decoder (the RSA_* API is deprecated).
        EVP_PKEY* raw = nullptr;
        OSSL_DECODER_CTX* dctx = OSSL_DECODER_CTX_new_for_pkey(&raw, "PEM", "type-specific", "RSA",
                                                               EVP_PKEY_PUBLIC_KEY, nullptr, nullptr);
        if (dctx) {
            const auto* data = reinterpret_cast<const unsigned char*>(pem.data());
            std::size_t len = pem.size();
            if (OSSL_DECODER_from_data(dctx, &data, &len) == 1) key.reset(raw);
            OSSL_DECODER_CTX_free(dctx);
        }
    }
    if (!key) {
        problem = "not a PEM public key";
        return nullptr;
    }
    if (EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA) {
        problem = "not an RSA key (AWS requires RSA)";
        return nullptr;
    }
    if (const int bits = EVP_PKEY_bits(key.get()); bits < 2048) {
        problem = "RSA key of " + std::to_string(bits) + " bits; AWS requires at least 2048";
        return nullptr;
    }
    return key;
}

}  // namespace

std::string sign_token_b64(std::string_view private_key_pem, std::string_view token) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size())), &BIO_free);
    pkey_ptr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!key || EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA)
        throw std::invalid_argument("not a PEM RSA private key (openssl genrsa -out key.pem 2048 makes one)");
    std::unique_ptr<EVP_MD_CTX, md_ctx_deleter> ctx(EVP_MD_CTX_new());
    std::size_t len = 0;
    const auto* data = reinterpret_cast<const unsigned char*>(token.data());
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, data, token.size()) != 1)
        throw std::invalid_argument("RSA SHA-256 signing failed");
    std::string sig(len, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, data, token.size()) != 1)
        throw std::invalid_argument("RSA SHA-256 signing failed");
    sig.resize(len);
    return util::base64_encode(sig);
}

std::string check_public_key(std::string_view pem) {
    std::string problem;
    (void)load_public_key(pem, problem);
    return problem;
}

struct token_verifier::impl {
    std::vector<pkey_ptr> keys;
};

token_verifier::token_verifier(const std::map<std::string, std::string>& pem_keys_by_name)
    : impl_(std::make_unique<impl>()) {
    for (const auto& [name, pem] : pem_keys_by_name) {
        std::string problem;
        auto key = load_public_key(pem, problem);
        if (!key) throw std::invalid_argument("tokenSigningPublicKeys." + name + ": " + problem);
        impl_->keys.push_back(std::move(key));
    }
}

token_verifier::~token_verifier() = default;
token_verifier::token_verifier(token_verifier&&) noexcept = default;
token_verifier& token_verifier::operator=(token_verifier&&) noexcept = default;

std::size_t token_verifier::key_count() const { return impl_->keys.size(); }

signature_errc token_verifier::verify(std::string_view token, std::string_view signature_b64) const {
    if (signature_b64.empty()) return signature_errc::missing_signature;
    const auto sig = util::base64_decode(signature_b64);
    if (!sig || sig->empty()) return signature_errc::bad_base64;
    for (const auto& key : impl_->keys) {
        std::unique_ptr<EVP_MD_CTX, md_ctx_deleter> ctx(EVP_MD_CTX_new());
        if (!ctx) continue;
        if (EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1) continue;
        const int ok = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig->data()), sig->size(),
                                        reinterpret_cast<const unsigned char*>(token.data()), token.size());
        if (ok == 1) return signature_errc::none;
    }
    return signature_errc::mismatch;
}

}  // namespace wv::auth
