#pragma once
// TLS server configuration, built once per listener and shared by its streams (one SSL_CTX).
//
// ALPN: the client's offer goes to `alpn_select` when set, else to the default policy: pick the
// first protocol of `alpn` (server preference order) that the client offered; if none matches,
// or the client sent no ALPN extension at all, continue without ALPN unless `require_alpn`, in
// which case the handshake fails with a no_application_protocol alert (tls_errc::no_alpn_agreed
// on both sides). This is how a gateway listener mimics AWS IoT port 443, which refuses clients
// that do not offer `mqtt` / `x-amzn-mqtt-ca`.
//
// Client certificates: none (default), request (verified if sent), or require. They verify
// against `client_ca_file`, unless `client_cert_any_issuer`: then the handshake takes any
// certificate whose private key the client proves it holds (CertificateVerify), whoever
// signed it, and the application judges it afterwards (AWS IoT's X.509 endpoints, where the
// registry, not a CA file, decides; see gateway/certificate_directory.hpp). client_ca_file is
// then optional and only names CAs in the CertificateRequest.
//
// Session tickets: off by default (no NewSessionTicket, no server-side session cache). On: one
// stateless ticket per full handshake, TLS 1.2 and 1.3; resumption needs no per-session memory.
//
// Errors: the constructor throws std::runtime_error naming the bad file or setting.
// Threading: immutable after construction; alpn_select runs on the thread driving the
// handshake, so it must be thread-safe if streams run on several threads. The context must
// outlive its streams.
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tls/tls_version.hpp"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace wv::tls {

// What the client offered, for an ALPN policy hook.
struct alpn_offer {
    std::span<const std::string_view> protocols{};  // in the client's order; empty: no ALPN extension
    std::string_view sni{};                         // the requested server name; empty: none
};

// The hook's answer: select one of the offered protocols, go on without ALPN, or refuse.
struct alpn_decision {
    enum class kind { select, no_alpn, refuse };
    kind what = kind::no_alpn;
    std::string_view protocol{};  // with select: must be one of alpn_offer::protocols

    static alpn_decision select(std::string_view p) { return {kind::select, p}; }
    static alpn_decision none() { return {kind::no_alpn, {}}; }
    static alpn_decision refuse() { return {kind::refuse, {}}; }
};

using alpn_selector = std::function<alpn_decision(const alpn_offer&)>;

enum class client_cert_mode { none, request, require };

struct server_options {
    std::filesystem::path cert_file{};         // PEM certificate (chain allowed)
    std::filesystem::path key_file{};          // its private key (PEM, unencrypted)
    std::vector<std::string> alpn{"mqtt"};   // acceptable protocols, server preference order
    bool require_alpn = false;               // refuse clients that agree on none of `alpn`
    alpn_selector alpn_select{};               // optional policy hook; replaces the two above
    client_cert_mode client_cert = client_cert_mode::none;
    std::filesystem::path client_ca_file{};    // needed with request/require (unless any issuer)
    bool client_cert_any_issuer = false;       // accept any client certificate; the caller judges it
    tls_version min_version = tls_version::tls1_2;
    tls_version max_version = tls_version::tls1_3;
    std::string ciphers{};                     // TLS 1.2 cipher list; empty: OpenSSL's default
    bool session_tickets = false;
};

class server_context {
public:
    explicit server_context(server_options opts);
    ~server_context();
    server_context(server_context&&) noexcept;
    server_context& operator=(server_context&&) noexcept;

    SSL_CTX* native_handle() const;
    const server_options& options() const;

    // Used by stream: a new server-side SSL; the caller owns it. nullptr on allocation failure.
    SSL* new_ssl() const;

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

}  // namespace wv::tls
