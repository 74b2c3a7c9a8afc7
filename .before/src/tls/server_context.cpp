#include "tls/server_context.hpp"

#include <stdexcept>

#include <openssl/ssl.h>

#include "tls/openssl_util.hpp"

namespace wv::tls {

struct server_context::impl {
    server_options opts;
    SSL_CTX* ctx = nullptr;
    ~impl() { SSL_CTX_free(ctx); }
};

namespace {

int server_impl_index() {
    static const int idx = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return idx;
}

const server_context::impl* impl_of(SSL* ssl) {
    return static_cast<const server_context::impl*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), server_impl_index()));
}

alpn_decision default_policy(const server_options& o, const alpn_offer& offer) {
    for (const auto& mine : o.alpn)
        for (const auto theirs : offer.protocols)
            if (theirs == mine) return alpn_decision::select(theirs);
    return o.require_alpn ? alpn_decision::refuse() : alpn_decision::none();
}

alpn_decision decide(const server_context::impl& self, const alpn_offer& offer) {
    return self.opts.alpn_select ? self.opts.alpn_select(offer) : default_policy(self.opts, offer);
}

// The SNI host name straight from the ClientHello extension (the client-hello callback runs
// before OpenSSL parses it). Empty when absent or malformed.
std::string_view raw_sni(SSL* ssl) {
    const unsigned char* p = nullptr;
    size_t len = 0;
    if (!SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &p, &len) || len < 5) return {};
    // server_name_list length (2), name_type (1) = host_name (0), host name length (2), name.
    const size_t name_len = (size_t{p[3]} << 8) | p[4];
    if (p[2] != 0 || 5 + name_len > len) return {};
    return {reinterpret_cast<const char*>(p + 5), name_len};
}

// Called with the client's ALPN offer (only when it sent the extension).
int on_alpn(SSL* ssl, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned inlen, void*) {
    const auto* self = impl_of(ssl);
    if (!self) return SSL_TLSEXT_ERR_NOACK;
    std::vector<std::string_view> offered;
    for (unsigned i = 0; i < inlen;) {
        const unsigned n = in[i];
        if (n == 0 || i + 1 + n > inlen) return SSL_TLSEXT_ERR_ALERT_FATAL;  // malformed list
        offered.emplace_back(reinterpret_cast<const char*>(in + i + 1), n);
        i += 1 + n;
    }
    const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    const auto d = decide(*self, {.protocols = offered, .sni = sni ? sni : ""});
    switch (d.what) {
        case alpn_decision::kind::select:
            // Point into the client's buffer (it outlives this callback, as OpenSSL requires).
            for (const auto p : offered)
                if (p == d.protocol) {
                    *out = reinterpret_cast<const unsigned char*>(p.data());
                    *outlen = static_cast<unsigned char>(p.size());
                    return SSL_TLSEXT_ERR_OK;
                }
            detail::mark_alpn_refused(ssl);
            return SSL_TLSEXT_ERR_ALERT_FATAL;  // the hook chose something not offered
        case alpn_decision::kind::no_alpn: return SSL_TLSEXT_ERR_NOACK;
        case alpn_decision::kind::refuse:
            detail::mark_alpn_refused(ssl);
            return SSL_TLSEXT_ERR_ALERT_FATAL;  // sends no_application_protocol
    }
    return SSL_TLSEXT_ERR_ALERT_FATAL;
}

// A client that sends no ALPN extension never reaches on_alpn: ask the policy here.
int on_client_hello(SSL* ssl, int* alert, void*) {
    const auto* self = impl_of(ssl);
    if (!self) return SSL_CLIENT_HELLO_SUCCESS;
    const unsigned char* p = nullptr;
    size_t len = 0;
    if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_application_layer_protocol_negotiation, &p, &len))
        return SSL_CLIENT_HELLO_SUCCESS;
    if (decide(*self, {.protocols = {}, .sni = raw_sni(ssl)}).what == alpn_decision::kind::refuse) {
        detail::mark_alpn_refused(ssl);
        *alert = SSL_AD_NO_APPLICATION_PROTOCOL;
        return SSL_CLIENT_HELLO_ERROR;
    }
    return SSL_CLIENT_HELLO_SUCCESS;
}

}  // namespace

server_context::server_context(server_options o) : impl_(std::make_unique<impl>()) {
    impl_->opts = std::move(o);
    const auto& opts = impl_->opts;
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) detail::throw_openssl("TLS server: SSL_CTX_new");
    impl_->ctx = ctx;
    SSL_CTX_set_ex_data(ctx, server_impl_index(), impl_.get());
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    // Read-ahead: one read(2) per burst of records instead of two per record (header, body),
    // and a short read tells the stream that the socket is empty (stream::read_now), which
    // saves the read(2) that would fail with EAGAIN. The buffer is the same 16 KiB one, still
    // released when empty (RELEASE_BUFFERS), so idle connections keep none.
    SSL_CTX_set_read_ahead(ctx, 1);
    if (opts.min_version > opts.max_version || !SSL_CTX_set_min_proto_version(ctx, detail::native_version(opts.min_version)) ||
        !SSL_CTX_set_max_proto_version(ctx, detail::native_version(opts.max_version)))
        throw std::runtime_error("TLS server: bad min/max TLS version");
    if (!opts.ciphers.empty() && !SSL_CTX_set_cipher_list(ctx, opts.ciphers.c_str()))
        detail::throw_openssl("TLS server: cipher list '" + opts.ciphers + "'");
    if (opts.cert_file.empty() || opts.key_file.empty())
        throw std::runtime_error("TLS server: cert_file and key_file are required");
    if (!SSL_CTX_use_certificate_chain_file(ctx, opts.cert_file.c_str()))
        detail::throw_openssl("TLS server: certificate " + opts.cert_file.string());
    if (!SSL_CTX_use_PrivateKey_file(ctx, opts.key_file.c_str(), SSL_FILETYPE_PEM))
        detail::throw_openssl("TLS server: key " + opts.key_file.string());
    if (!SSL_CTX_check_private_key(ctx))
        detail::throw_openssl("TLS server: key " + opts.key_file.string() + " does not match " + opts.cert_file.string());
    for (const auto& p : opts.alpn) (void)detail::alpn_wire({p}, "TLS server");  // validates lengths
    SSL_CTX_set_alpn_select_cb(ctx, on_alpn, nullptr);
    SSL_CTX_set_client_hello_cb(ctx, on_client_hello, nullptr);

    if (opts.client_cert != client_cert_mode::none) {
        if (opts.client_ca_file.empty() && !opts.client_cert_any_issuer)
            throw std::runtime_error("TLS server: client certificates need client_ca_file");
        if (!opts.client_ca_file.empty()) {
            if (!SSL_CTX_load_verify_locations(ctx, opts.client_ca_file.c_str(), nullptr))
                detail::throw_openssl("TLS server: client CA file " + opts.client_ca_file.string());
            if (auto* names = SSL_load_client_CA_file(opts.client_ca_file.c_str())) SSL_CTX_set_client_CA_list(ctx, names);
        }
        int mode = SSL_VERIFY_PEER;
        if (opts.client_cert == client_cert_mode::require) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
        // Any issuer: the chain's verdict is ignored (the key proof still holds); the caller
        // reads the certificate after the handshake and decides.
        SSL_CTX_set_verify(ctx, mode, opts.client_cert_any_issuer ? +[](int, X509_STORE_CTX*) { return 1; } : nullptr);
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    }
    // Resumption with client certificates needs a session id context; harmless otherwise.
    static const unsigned char sid_ctx[] = "wv.tls";
    SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof sid_ctx - 1);
    // Never a server-side session cache: tickets are stateless, so resumption costs no memory.
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    if (opts.session_tickets) {
        SSL_CTX_set_num_tickets(ctx, 1);
    } else {
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
        SSL_CTX_set_num_tickets(ctx, 0);
    }
}

server_context::~server_context() = default;
server_context::server_context(server_context&&) noexcept = default;
server_context& server_context::operator=(server_context&&) noexcept = default;

SSL_CTX* server_context::native_handle() const { return impl_->ctx; }
const server_options& server_context::options() const { return impl_->opts; }

SSL* server_context::new_ssl() const {
    SSL* ssl = SSL_new(impl_->ctx);
    if (ssl) SSL_set_accept_state(ssl);
    return ssl;
}

}  // namespace wv::tls
