#pragma once
// What happened to a connection attempt or a session, in words a user can act on. Each
// value is a bucket in the report; TLS alerts additionally carry the alert's name.
#include <cstdint>
#include <string>
#include <string_view>

namespace wv::sim {

enum class outcome : std::uint8_t {
    connected,                   // CONNACK 0
    tcp_refused,                 // RST to the SYN: nothing listens there
    tcp_timeout,                 // no SYN-ACK in time (filtered port, full accept queue)
    tcp_error,                   // other socket error (unreachable, out of ports or files)
    tls_timeout,                 // handshake did not finish in time
    tls_alert,                   // the server sent an alert (detail: its name)
    tls_cert_verify_failed,      // the server's certificate did not verify against --cafile
    tls_alpn_rejected,           // the server did not accept ALPN `mqtt`
    tls_error,                   // other handshake failure (closed mid-handshake, protocol error)
    connack_protocol,            // CONNACK 1: unacceptable protocol version
    connack_identifier,          // CONNACK 2: identifier rejected
    connack_unavailable,         // CONNACK 3: server unavailable
    connack_bad_credentials,     // CONNACK 4: bad user name or password
    connack_not_authorized,      // CONNACK 5: not authorized
    closed_without_connack,      // AWS's answer to a failed custom authentication, or to throttling
    // --auth x509 against the embedded gateway: the same "closed without CONNACK" on the wire,
    // told apart by asking the gateway's certificate directory why.
    x509_unknown_certificate,    // the certificate is not registered
    x509_inactive,               // registered, INACTIVE (or PENDING_ACTIVATION / PENDING_TRANSFER)
    x509_revoked,                // registered, REVOKED
    x509_ca_inactive,            // its CA is registered but not ACTIVE
    x509_expired,                // outside its validity period
    x509_connect_denied,         // ACTIVE, but no attached policy allows iot:Connect
    connack_timeout,             // no CONNACK in time
    // --mqtt 5: a CONNACK with a failure reason code; detail "0x87" or "0x87:<reason string>"
    // (reason_detail below). AWS's answer to a failed custom authentication at MQTT 5.
    connack_refused,
    // More than 1 CONNECT/s for one client id (AWS's quota): closed without CONNACK, before the
    // authorizer. Only the embedded gateway can tell it apart (its count, taken from
    // closed_without_connack at the end); against any other endpoint it stays in that bucket.
    throttled,
    // --protocol https: the first request on a connection decides whether it counts as connected.
    https_refused,               // the first request refused: a certificate (403 + close) or credentials (401)
    closed_without_response,     // closed before answering the first request
    // --transport wss: the server answered the WebSocket upgrade with another status than 101
    // (detail: the status), or with a 101 that does not hold (detail: why).
    ws_upgrade_refused,
    ws_handshake_failed,
    protocol_error,              // the server sent something that is not MQTT 3.1.1 (or HTTP/1.1)
    // How a session ended (after CONNACK 0):
    clean_stop,                  // our ReportEnd(CLOSED) + DISCONNECT
    churned,                     // a planned reconnect (clean)
    killed,                      // we dropped TCP on purpose (--kill)
    disconnected_after_publish,  // the server closed right after a publish: AWS's policy deny
    keep_alive_timeout,          // no PINGRESP / PUBACK in time: the connection is dead
    closed_by_server,            // the server closed the connection otherwise
    // --mqtt 5: the server's DISCONNECT with a reason code (0x8E session taken over, 0x8D
    // keep-alive timeout, 0x97 quota ...); detail as connack_refused's.
    server_disconnect,
    // --protocol https: a report the server answered with something other than 200 (counted
    // per report in run_report::refused; the connection stays unless the server closes it).
    http_bad_request,            // 400: topic or query AWS rejects
    http_forbidden,              // 403: the policies deny iot:Publish on the topic
    http_not_found,              // 404 / 405: not POST /topics/<topic>
    http_too_large,              // 413: body over the message size limit
    http_throttled,              // 429
    http_server_error,           // 5xx
    http_other_status,           // any other status (detail: the status)
    // --mqtt 5: a report the server answered with a failure reason code in its PUBACK (0x87:
    // AWS's policy deny at MQTT 5; the connection stays); detail as connack_refused's.
    puback_refused,
    count_
};

// Stable snake_case key for JSON and tables, e.g. "connack_bad_credentials".
std::string_view key(outcome o) noexcept;
// One line for humans: "CONNACK 4: bad user name or password".
std::string_view describe(outcome o) noexcept;
// A report bucket ("tls_alert:handshake_failure") in words, detail in parentheses; an
// unknown key as itself.
std::string describe_bucket(const std::string& bucket);
// Parses a key back (for `wvsim merge`); outcome::count_ if unknown.
outcome outcome_from_key(std::string_view k) noexcept;

// True for outcomes that mean "the authorizer or policy said no".
bool is_denial(outcome o) noexcept;
// True for the outcomes of a connect attempt (as opposed to how a session ended).
bool is_connect_outcome(outcome o) noexcept;
// True for a report the server refused (--protocol https: an HTTP status other than 200).
bool is_refusal(outcome o) noexcept;
// The outcome of an HTTP answer to a report (200: connected, i.e. accepted).
outcome http_status_outcome(unsigned status) noexcept;

// The detail of a reason-code outcome (connack_refused, server_disconnect, puback_refused):
// "0x87", or "0x87:<reason string>" when the server sent one.
std::string reason_detail(std::uint8_t reason_code, std::string_view reason_string);
// True for the outcomes whose detail is a reason code (reason_detail).
bool has_reason_code(outcome o) noexcept;

// An outcome with its detail, e.g. {tls_alert, "handshake_failure"}.
struct outcome_detail {
    outcome what = outcome::connected;
    std::string detail;
    // "tls_alert:handshake_failure", or the key alone without detail.
    std::string bucket() const;
};

}  // namespace wv::sim
