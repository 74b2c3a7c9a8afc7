#pragma once
// TLS client configuration, built once and shared by every client stream (one SSL_CTX).
//
//   wv::tls::client_context ctx{{.ca_file = "certs/ca.crt"}};          // verify + host check, ALPN mqtt
//   wv::tls::stream s{std::move(socket), ctx, "localhost"};           // SNI + host name check per stream
//
// Verification: with `insecure` false (the default) the peer chain must verify against
// `ca_file` (or the system store when ca_file is empty) and the certificate must match the
// host name (or IP literal) given to each stream. `insecure` skips both and must be chosen
// explicitly.
//
// Verification is done once per server chain: a handshake presenting exactly the bytes of a
// chain this context verified for the same host name, with every certificate still inside its
// validity, skips the chain build and the issuer's signature check (verified_chain_cache.hpp);
// the server's CertificateVerify is checked on every handshake. Failures are never remembered.
//
// Session resumption: off by default. AWS IoT issues no session tickets (gateway facts 3.4), so
// against a remote endpoint a cache only costs memory; turn it on for local reconnect storms
// against wvgate or mosquitto. The cache holds the newest resumable session per host:port
// (host = the SNI name, or the peer IP when the host is an IP literal), shared by all streams
// of this context; with TLS 1.3 the session arrives after the handshake (NewSessionTicket), so
// the first connection to a host:port is always full.
//
// Errors: the constructor throws std::runtime_error naming the file or setting that is wrong.
// Threading: immutable after construction except the session cache, which is mutex-protected;
// streams on any number of threads may share one context. The context must outlive its streams.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tls/tls_version.hpp"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace wv::tls {

struct client_options {
    std::filesystem::path ca_file{};           // PEM CA bundle; empty: the system default store
    bool insecure = false;                   // no chain and no host-name check (explicit opt-in)
    std::vector<std::string> alpn{"mqtt"};   // offered in this order; empty: no ALPN extension
    std::filesystem::path cert_file{};         // optional client certificate (PEM, chain allowed)
    std::filesystem::path key_file{};          // its private key (PEM, unencrypted)
    tls_version min_version = tls_version::tls1_2;
    tls_version max_version = tls_version::tls1_3;
    std::string ciphers{};                     // TLS 1.2 cipher list (OpenSSL syntax); empty: default
    bool session_resumption = false;         // see the header comment
};

class client_context {
public:
    explicit client_context(const client_options& opts);
    ~client_context();
    client_context(client_context&&) noexcept;
    client_context& operator=(client_context&&) noexcept;

    SSL_CTX* native_handle() const;
    const client_options& options() const;
    std::size_t cached_sessions() const;  // for tests and stats
    std::size_t verified_chain_hits() const;  // handshakes whose chain was verified before (tests, stats)

    // Used by stream: a new SSL for `host` (SNI unless an IP literal; host check unless
    // insecure); the caller owns it. nullptr on allocation failure.
    SSL* new_ssl(const std::string& host) const;
    // Used by stream before the handshake (socket connected): offers the cached session for
    // this host:port, if resumption is on and there is one.
    void offer_session(SSL* ssl) const;

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

}  // namespace wv::tls
