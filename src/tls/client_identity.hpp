#pragma once
// One client's certificate and private key, kept as DER and set on a single connection's SSL
// (not on the shared context): a fleet of devices, each with its own certificate, shares one
// client_context. DER costs ~600 bytes per ECDSA P-256 device; the SSL parses it at connect
// and tls::connect drops the parsed copy after the handshake.
//
//   auto id = wv::tls::client_identity::from_pem(cert_pem, key_pem);   // throws naming the problem
//   co_await wv::tls::connect(ex, {.host = h, .port = 8883, .identity = &id}, &ctx);
//
// Session resumption must be off on a context whose streams carry different identities (a
// resumed session would carry another device's identity).
// Immutable; safe to share between threads.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

typedef struct ssl_st SSL;

namespace wv::tls {

class client_identity {
public:
    // Throws std::runtime_error: "certificate: ..." / "key: ..." / "key does not match the certificate".
    // `keep_parsed`: also keep the parsed certificate and key (shared by every copy), so that
    // apply() decodes nothing. OpenSSL 3.0 spends about 0.3 ms of CPU decoding a key (its
    // decoder lookup, not the maths): worth it for an identity that connects many times (a
    // claim certificate a whole fleet shares) or right away; it costs a few KiB while kept.
    static client_identity from_pem(std::string_view cert_pem, std::string_view key_pem, bool keep_parsed = false);
    static client_identity from_files(const std::filesystem::path& cert, const std::filesystem::path& key,
                                      bool keep_parsed = false);

    // Sets certificate and key on `ssl` (before the handshake). False (and `error`) on failure.
    bool apply(SSL* ssl, std::string& error) const;
    const std::vector<unsigned char>& cert_der() const { return cert_; }
    // Forgets the parsed copy (DER only again: a fleet of idle devices keeps ~600 bytes each).
    void drop_parsed() { parsed_.reset(); }

private:
    struct parsed;
    std::vector<unsigned char> cert_, key_;  // DER: X.509 certificate, PKCS#8 private key
    std::shared_ptr<const parsed> parsed_;   // optional: the same, decoded
};

}  // namespace wv::tls
