#pragma once
// Token signature verification for signing-enabled authorizers (spec 1.1): the device signs
// the exact token string with RSA + SHA-256 (`openssl dgst -sha256 -sign key.pem`) and sends
// the signature base64-encoded (URL-encoded in the user name). Any one of the authorizer's
// public keys may verify it (AWS allows several, for rotation). When verification fails the
// authorizer function is not invoked.
//
// Threading: a token_verifier is immutable after construction; verify() may be called from
// any number of threads at once (each call uses its own OpenSSL context).
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace wv::auth {

enum class signature_errc {
    none = 0,
    missing_token,      // signing enabled but no `<tokenKeyName>=` in the user name
    missing_signature,  // no `x-amz-customauthorizer-signature=`
    bad_base64,         // the signature is not base64
    mismatch,           // no configured key verifies it
};
const char* to_string(signature_errc e) noexcept;

class token_verifier {
public:
    // Throws std::invalid_argument naming the key when a PEM does not parse, is not RSA, or
    // is shorter than 2,048 bits (AWS's minimum).
    explicit token_verifier(const std::map<std::string, std::string>& pem_keys_by_name);
    ~token_verifier();
    token_verifier(token_verifier&&) noexcept;
    token_verifier& operator=(token_verifier&&) noexcept;

    // `signature_b64` is the already URL-decoded parameter value.
    signature_errc verify(std::string_view token, std::string_view signature_b64) const;
    std::size_t key_count() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

// The device's side: signs `token` with an RSA private key (PEM) and SHA-256, base64-encoded,
// as `openssl dgst -sha256 -sign key.pem | base64 -w0` does (wvsim's HTTPS devices). Throws
// std::invalid_argument when the PEM is not an RSA private key. Thread-safe.
std::string sign_token_b64(std::string_view private_key_pem, std::string_view token);

// Problems with one PEM public key: empty when it is an RSA key of at least 2,048 bits.
std::string check_public_key(std::string_view pem);

}  // namespace wv::auth
