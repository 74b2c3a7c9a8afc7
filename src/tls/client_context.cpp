#include "tls/client_context.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tls/openssl_util.hpp"
#include "tls/stream.hpp"
#include "tls/verified_chain_cache.hpp"

namespace wv::tls {

struct client_context::impl {
    client_options opts;
    SSL_CTX* ctx = nullptr;
    mutable std::mutex mu;
    mutable std::unordered_map<std::string, SSL_SESSION*> sessions;  // host:port -> newest session
    verified_chain_cache verified;  // server chains this context verified (verified_chain_cache.hpp)
    chain_verifier verifier{&verified, nullptr};

    ~impl() {
        for (auto& [k, s] : sessions) SSL_SESSION_free(s);
        SSL_CTX_free(ctx);
    }
};

namespace {

int client_impl_index() {
    static const int idx = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return idx;
}

// "host:port" of a connected client SSL: the SNI we sent, else the peer's IP.
std::string session_key(SSL* ssl) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getpeername(SSL_get_fd(ssl), reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
    char ip[INET6_ADDRSTRLEN] = {};
    unsigned port = 0;
    if (ss.ss_family == AF_INET) {
        const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
        inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
        port = ntohs(a->sin_port);
    } else if (ss.ss_family == AF_INET6) {
        const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
        inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
        port = ntohs(a->sin6_port);
    } else {
        return {};
    }
    const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    return std::string(sni ? sni : ip) + ":" + std::to_string(port);
}

// OpenSSL hands us each new resumable session (for TLS 1.3: each NewSessionTicket). We keep a
// copy, not the connection's own object: OpenSSL marks a connection's session not resumable
// when that connection ends without close_notify, which would spoil the cache for everyone.
int on_new_session(SSL* ssl, SSL_SESSION* sess) {
    auto* self = static_cast<client_context::impl*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), client_impl_index()));
    if (!self || !SSL_SESSION_is_resumable(sess)) return 0;
    auto key = session_key(ssl);
    if (key.empty()) return 0;
    SSL_SESSION* copy = SSL_SESSION_dup(sess);
    if (!copy) return 0;
    std::lock_guard lock(self->mu);
    auto [it, inserted] = self->sessions.try_emplace(std::move(key), copy);
    if (!inserted) {
        SSL_SESSION_free(it->second);
        it->second = copy;
    }
    return 0;  // the connection's reference stays OpenSSL's
}

}  // namespace

client_context::client_context(const client_options& o) : impl_(std::make_unique<impl>()) {
    impl_->opts = o;
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) detail::throw_openssl("TLS client: SSL_CTX_new");
    impl_->ctx = ctx;
    SSL_CTX_set_ex_data(ctx, client_impl_index(), impl_.get());
    // Release the 17 KiB read/write buffers whenever they are empty: idle connections hold none.
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    // Read-ahead, as on servers (server_context.cpp): one read(2) per PUBACK instead of two
    // (record header, then body), and a short read tells the stream the socket is empty.
    SSL_CTX_set_read_ahead(ctx, 1);
    // Streams that may leave OpenSSL after the handshake take their traffic secrets from here
    // (stream::keep_traffic_secrets); for the others the callback returns at once.
    SSL_CTX_set_keylog_callback(ctx, detail::note_traffic_secret);
    if (!SSL_CTX_set_min_proto_version(ctx, detail::native_version(o.min_version)) ||
        !SSL_CTX_set_max_proto_version(ctx, detail::native_version(o.max_version)) || o.min_version > o.max_version)
        throw std::runtime_error("TLS client: bad min/max TLS version");
    if (!o.ciphers.empty() && !SSL_CTX_set_cipher_list(ctx, o.ciphers.c_str()))
        detail::throw_openssl("TLS client: cipher list '" + o.ciphers + "'");

    if (o.insecure) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
        if (o.ca_file.empty()) {
            if (!SSL_CTX_set_default_verify_paths(ctx)) detail::throw_openssl("TLS client: system CA store");
        } else if (!SSL_CTX_load_verify_locations(ctx, o.ca_file.c_str(), nullptr)) {
            detail::throw_openssl("TLS client: CA file " + o.ca_file.string());
        }
        // A fleet's handshakes present the same server chain thousands of times: verify it once
        // per host name, then only check the exact bytes and the validity dates again.
        impl_->verifier.store = SSL_CTX_get_cert_store(ctx);
        SSL_CTX_set_cert_verify_callback(ctx, verify_with_cache, &impl_->verifier);
    }
    if (!o.alpn.empty()) {
        const auto wire = detail::alpn_wire(o.alpn, "TLS client");
        if (SSL_CTX_set_alpn_protos(ctx, wire.data(), static_cast<unsigned>(wire.size())) != 0)
            detail::throw_openssl("TLS client: ALPN");
    }
    if (!o.cert_file.empty() || !o.key_file.empty()) {
        if (o.cert_file.empty() || o.key_file.empty())
            throw std::runtime_error("TLS client: a client certificate needs both cert_file and key_file");
        if (!SSL_CTX_use_certificate_chain_file(ctx, o.cert_file.c_str()))
            detail::throw_openssl("TLS client: certificate " + o.cert_file.string());
        if (!SSL_CTX_use_PrivateKey_file(ctx, o.key_file.c_str(), SSL_FILETYPE_PEM))
            detail::throw_openssl("TLS client: key " + o.key_file.string());
        if (!SSL_CTX_check_private_key(ctx))
            detail::throw_openssl("TLS client: key " + o.key_file.string() + " does not match " + o.cert_file.string());
    }
    if (o.session_resumption) {
        // Our own cache keyed by host:port; OpenSSL's internal one is keyed by session id only.
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
        SSL_CTX_sess_set_new_cb(ctx, on_new_session);
    } else {
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    }
}

client_context::~client_context() = default;
client_context::client_context(client_context&&) noexcept = default;
client_context& client_context::operator=(client_context&&) noexcept = default;

SSL_CTX* client_context::native_handle() const { return impl_->ctx; }
const client_options& client_context::options() const { return impl_->opts; }

std::size_t client_context::verified_chain_hits() const { return impl_->verified.hits(); }

std::size_t client_context::cached_sessions() const {
    std::lock_guard lock(impl_->mu);
    return impl_->sessions.size();
}

SSL* client_context::new_ssl(const std::string& host) const {
    SSL* ssl = SSL_new(impl_->ctx);
    if (!ssl) return nullptr;
    SSL_set_connect_state(ssl);
    const bool ip = detail::is_ip_literal(host);
    // RFC 6066: SNI carries host names only, never IP literals.
    if (!ip && !host.empty()) SSL_set_tlsext_host_name(ssl, host.c_str());
    if (!impl_->opts.insecure && !host.empty()) {
        const int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) : SSL_set1_host(ssl, host.c_str());
        if (!ok) {
            SSL_free(ssl);
            return nullptr;
        }
    }
    return ssl;
}

void client_context::offer_session(SSL* ssl) const {
    if (!impl_->opts.session_resumption) return;
    const auto key = session_key(ssl);
    if (key.empty()) return;
    std::lock_guard lock(impl_->mu);
    const auto it = impl_->sessions.find(key);
    if (it == impl_->sessions.end()) return;
    // A copy per connection, for the same reason as in on_new_session.
    if (SSL_SESSION* copy = SSL_SESSION_dup(it->second)) {
        SSL_set_session(ssl, copy);
        SSL_SESSION_free(copy);  // SSL_set_session took its own reference
    }
}

}  // namespace wv::tls
