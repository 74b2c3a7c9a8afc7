#pragma once
// Errors of the TLS/TCP transport, as a std::error_code category ("wv.tls").
//
// Streams return these (or a system error such as ECONNRESET / ECANCELED) and never throw on
// I/O paths. The value says what went wrong; stream::error_detail() adds OpenSSL's static text
// for the most recent failure (the X509 verify reason, the alert name, the OpenSSL reason).
#include <system_error>

namespace wv::tls {

enum class tls_errc {
    handshake_timeout = 1,      // the TLS handshake did not finish within its deadline
    connect_timeout,            // resolve + TCP connect did not finish within its deadline
    shutdown_timeout,           // close_notify could not be sent within its deadline
    verify_failed,              // the peer's chain did not verify against our CA (detail: X509 reason)
    hostname_mismatch,          // chain verified, but the host name / IP is not in the certificate
    peer_certificate_required,  // we (server) require a client certificate and got none, or the peer did
    no_alpn_agreed,             // no ALPN protocol both sides accept (either side refused)
    alert_received,             // the peer sent a fatal alert (detail: its name)
    version_mismatch,           // no TLS version both sides accept
    protocol_error,             // not TLS, or malformed TLS (detail: OpenSSL reason)
    closed,                     // the peer closed cleanly (close_notify, or FIN on a plain stream)
    truncated,                  // the peer closed the TCP connection without close_notify
    ssl_error,                  // any other OpenSSL failure (detail: OpenSSL reason)
    not_connected,              // operation on a stream with no open socket
};

const std::error_category& tls_category() noexcept;
std::error_code make_error_code(tls_errc e) noexcept;

}  // namespace wv::tls

template <>
struct std::is_error_code_enum<wv::tls::tls_errc> : std::true_type {};
