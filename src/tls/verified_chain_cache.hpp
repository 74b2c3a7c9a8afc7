#pragma once
// Server certificate chains a client context has verified, so that the next handshake that
// presents exactly the same certificates for the same expected name skips X509_verify_cert (the
// chain build, the trust-store lookups and one ECDSA/RSA verification of the leaf's signature:
// ~13% of a client's CPU per full TLS 1.3 handshake, measured against mosquitto). The server's
// CertificateVerify (proof that it holds the key) is checked on every handshake as before; this
// only saves re-deriving a result that is a pure function of its inputs:
//
//   the certificates the server sent (byte for byte, leaf first)
//   + the expected name (host or IP literal) and the verification settings
//   + the trust store (the context's own, never changed after construction)
//   + the time (every certificate of the verified chain, trust anchor included, must be inside
//     its validity now, with OpenSSL's own comparison: X509_cmp_time)
//
// Only successes are remembered; anything else (no entry, another name, one byte different, a
// certificate expired or not yet valid since) runs the full X509_verify_cert, so a failure
// reads exactly as it did without the cache. tls/client_context.cpp installs it as the
// context's certificate-verification callback.
//
// Private to src/tls (like openssl_util.hpp); the tests use it directly.
// Threading: every member is safe to call from any thread (one mutex; the DER is built outside it).
#include <atomic>
#include <cstddef>
#include <ctime>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/x509.h>

namespace wv::tls {

class verified_chain_cache {
public:
    // What a verification depends on besides the trust store and the time: `name` says which
    // name was checked and how (see verification_name), `der` is the chain as sent.
    struct key {
        std::string name;
        std::string der;
    };

    explicit verified_chain_cache(std::size_t capacity = 4);
    ~verified_chain_cache();
    verified_chain_cache(const verified_chain_cache&) = delete;
    verified_chain_cache& operator=(const verified_chain_cache&) = delete;

    // The key of `peer` (the server's chain, leaf first) for `name`; false when a certificate
    // cannot be encoded (then do not use the cache for this handshake).
    static bool make_key(std::string_view name, STACK_OF(X509) * peer, key& out);

    // The chain verified earlier under `k`, as a new stack the caller owns (sk_X509_pop_free),
    // with `leaf` (this handshake's parsed leaf, same bytes) first; nullptr when there is no
    // such entry or a certificate of it is not valid at `now`.
    STACK_OF(X509) * find(const key& k, X509* leaf, std::time_t now);
    // Remembers `verified` (X509_STORE_CTX_get0_chain after a successful X509_verify_cert)
    // under `k`; takes its own references. The oldest entry makes room when full.
    void remember(const key& k, STACK_OF(X509) * verified);

    std::size_t hits() const noexcept { return hits_.load(std::memory_order_relaxed); }
    std::size_t size() const;

private:
    struct entry {
        key k;
        STACK_OF(X509) * chain = nullptr;
    };
    mutable std::mutex mu_;
    std::vector<entry> entries_;
    std::size_t capacity_;
    std::size_t next_ = 0;  // the slot the next new entry replaces once full
    std::atomic<std::size_t> hits_{0};
};

// What the verification of a server chain with `param` checks besides the chain: the expected
// host names or IP, the flags, depth, security level and host-name flags, as one string; empty
// when `param` asks for something the cache does not model (an e-mail check, a fixed
// verification time), so such handshakes always verify in full.
std::string verification_name(const X509_VERIFY_PARAM* param);

// The callback client_context installs (SSL_CTX_set_cert_verify_callback): `arg` is the
// context's verified_chain_cache; `store` is the context's trust store (a handshake verifying
// against another store bypasses the cache).
struct chain_verifier {
    verified_chain_cache* cache;
    const X509_STORE* store;
};
int verify_with_cache(X509_STORE_CTX* ctx, void* arg);

}  // namespace wv::tls
