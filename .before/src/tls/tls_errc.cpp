#include "tls/tls_errc.hpp"

#include <string>

namespace wv::tls {
namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "wv.tls"; }
    std::string message(int v) const override {
        switch (static_cast<tls_errc>(v)) {
            case tls_errc::handshake_timeout: return "TLS handshake timed out";
            case tls_errc::connect_timeout: return "TCP connect timed out";
            case tls_errc::shutdown_timeout: return "TLS shutdown timed out";
            case tls_errc::verify_failed: return "peer certificate verification failed";
            case tls_errc::hostname_mismatch: return "peer certificate does not match the host name";
            case tls_errc::peer_certificate_required: return "a client certificate is required";
            case tls_errc::no_alpn_agreed: return "no ALPN protocol agreed";
            case tls_errc::alert_received: return "TLS alert received from the peer";
            case tls_errc::version_mismatch: return "no TLS protocol version in common";
            case tls_errc::protocol_error: return "TLS protocol error (not TLS, or malformed)";
            case tls_errc::closed: return "connection closed by the peer";
            case tls_errc::truncated: return "connection closed by the peer without close_notify";
            case tls_errc::ssl_error: return "OpenSSL error";
            case tls_errc::not_connected: return "stream is not connected";
        }
        return "unknown wv.tls error " + std::to_string(v);
    }
};

}  // namespace

const std::error_category& tls_category() noexcept {
    static const category c;
    return c;
}

std::error_code make_error_code(tls_errc e) noexcept { return {static_cast<int>(e), tls_category()}; }

}  // namespace wv::tls
