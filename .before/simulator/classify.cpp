#include "classify.hpp"

#include <cerrno>
#include <string>

#include "tls/tls_errc.hpp"

namespace wv::sim {

outcome_detail classify_connect_error(std::error_code ec, std::string_view detail) {
    using tls::tls_errc;
    if (ec.category() == tls::tls_category()) {
        switch (static_cast<tls_errc>(ec.value())) {
        case tls_errc::connect_timeout: return {outcome::tcp_timeout, {}};
        case tls_errc::handshake_timeout: return {outcome::tls_timeout, {}};
        case tls_errc::verify_failed:
        case tls_errc::hostname_mismatch: return {outcome::tls_cert_verify_failed, {}};
        case tls_errc::no_alpn_agreed: return {outcome::tls_alpn_rejected, {}};
        case tls_errc::alert_received: {
            // OpenSSL spells alerts "handshake failure": make the name bucket-friendly.
            std::string name(detail);
            for (auto& c : name)
                if (c == ' ') c = '_';
            return {outcome::tls_alert, name.empty() ? "unknown" : name};
        }
        default: return {outcome::tls_error, {}};
        }
    }
    if (ec.category() == std::system_category() || ec.category() == std::generic_category()) {
        switch (ec.value()) {
        case ECONNREFUSED: return {outcome::tcp_refused, {}};
        case ETIMEDOUT: return {outcome::tcp_timeout, {}};
        case ECONNRESET:
        case EPIPE: return {outcome::tls_error, {}};  // the server dropped us mid-handshake
        default: break;
        }
    }
    return {outcome::tcp_error, {}};
}

outcome connack_outcome(int code) noexcept {
    switch (code) {
    case 0: return outcome::connected;
    case 1: return outcome::connack_protocol;
    case 2: return outcome::connack_identifier;
    case 3: return outcome::connack_unavailable;
    case 4: return outcome::connack_bad_credentials;
    case 5: return outcome::connack_not_authorized;
    default: return outcome::protocol_error;
    }
}

}  // namespace wv::sim
