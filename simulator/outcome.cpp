#include "outcome.hpp"

#include <array>
#include <charconv>
#include <cstdio>

#include "mqtt/reason_code.hpp"

namespace wv::sim {

namespace {
struct row {
    std::string_view key, text;
};
constexpr std::array<row, static_cast<std::size_t>(outcome::count_)> rows{{
    {"connected", "connected (CONNACK 0; HTTPS: the first request answered)"},
    {"tcp_refused", "TCP connection refused: nothing listens on that host:port"},
    {"tcp_timeout", "TCP connect timed out (filtered port, or the server's accept queue is full)"},
    {"tcp_error", "TCP error (unreachable, name resolution, out of ports or files)"},
    {"tls_timeout", "TLS handshake timed out"},
    {"tls_alert", "TLS alert from the server"},
    {"tls_cert_verify_failed", "server certificate did not verify (wrong --cafile or host name)"},
    {"tls_alpn_rejected", "server did not accept ALPN 'mqtt' (AWS needs it on port 443)"},
    {"tls_error", "TLS handshake failed (closed or protocol error)"},
    {"connack_protocol", "CONNACK 1: unacceptable protocol version"},
    {"connack_identifier", "CONNACK 2: client identifier rejected"},
    {"connack_unavailable", "CONNACK 3: server unavailable"},
    {"connack_bad_credentials", "CONNACK 4: bad user name or password"},
    {"connack_not_authorized", "CONNACK 5: not authorized"},
    {"closed_without_connack", "closed without CONNACK: the authorizer denied or failed (AWS's answer to a failed "
                               "custom authentication); from an external endpoint also a throttled CONNECT (a 2nd "
                               "within 1 s for one client id), which it does not tell apart"},
    {"x509_unknown_certificate", "X.509: certificate not registered (closed without CONNACK)"},
    {"x509_inactive", "X.509: certificate INACTIVE or pending (closed without CONNACK)"},
    {"x509_revoked", "X.509: certificate REVOKED (closed without CONNACK)"},
    {"x509_ca_inactive", "X.509: the certificate's CA is not ACTIVE (closed without CONNACK)"},
    {"x509_expired", "X.509: certificate outside its validity period (closed without CONNACK)"},
    {"x509_connect_denied", "X.509: ACTIVE, but no attached policy allows iot:Connect (closed without CONNACK)"},
    {"connack_timeout", "no CONNACK in time"},
    {"connack_refused", "MQTT 5 CONNACK refused"},
    {"throttled", "throttled: a 2nd CONNECT within 1 s for one client id, closed without CONNACK (counted by the "
                  "embedded gateway)"},
    {"https_refused", "HTTPS: the first request refused: 403 and closed (the certificate is not registered or not "
                      "ACTIVE; AWS does not document its answer here), or 401/403 for custom-auth or SigV4 "
                      "credentials (no authorizer, bad token signature, isAuthenticated false)"},
    {"closed_without_response", "HTTPS: closed before answering the first request"},
    {"ws_upgrade_refused", "WebSocket upgrade refused with this HTTP status (AWS: 403 for a failed SigV4 or custom "
                           "authentication at the upgrade)"},
    {"ws_handshake_failed", "WebSocket handshake failed: no complete answer, or a 101 without the right "
                            "Sec-WebSocket-Accept or subprotocol mqtt"},
    {"protocol_error", "server sent something that is not MQTT (3.1.1, or 5 with --mqtt 5; --protocol https: HTTP/1.1)"},
    {"clean_stop", "clean stop: ReportEnd(CLOSED) + DISCONNECT (HTTPS: + close_notify)"},
    {"churned", "planned reconnect (--churn)"},
    {"killed", "TCP dropped on purpose without DISCONNECT (--kill): the will should fire"},
    {"disconnected_after_publish", "disconnected after a publish: AWS's answer to a policy deny"},
    {"keep_alive_timeout", "no answer from the server in time (keep-alive / PUBACK timeout)"},
    {"closed_by_server", "closed by the server"},
    {"server_disconnect", "MQTT 5 DISCONNECT from the server"},
    {"http_bad_request", "HTTP 400: the topic or the query is invalid (AWS's topic rules)"},
    {"http_forbidden", "HTTP 403: the certificate's policies deny iot:Publish on the topic"},
    {"http_not_found", "HTTP 404/405: not POST /topics/<topic>"},
    {"http_too_large", "HTTP 413: the body exceeds the message size limit"},
    {"http_throttled", "HTTP 429: throttled"},
    {"http_server_error", "HTTP 5xx: the server failed"},
    {"http_other_status", "HTTP status not expected from a publish"},
    {"puback_refused", "MQTT 5 PUBACK refused the report"},
}};
}  // namespace

std::string_view key(outcome o) noexcept {
    const auto i = static_cast<std::size_t>(o);
    return i < rows.size() ? rows[i].key : "unknown";
}

std::string_view describe(outcome o) noexcept {
    const auto i = static_cast<std::size_t>(o);
    return i < rows.size() ? rows[i].text : "unknown";
}

namespace {
// The packet whose reason code a reason-code outcome carries, for the code's name.
mqtt::packet_type reason_packet(outcome o) noexcept {
    return o == outcome::puback_refused      ? mqtt::packet_type::puback
           : o == outcome::server_disconnect ? mqtt::packet_type::disconnect
                                             : mqtt::packet_type::connack;
}

// "MQTT 5 CONNACK refused 0x87 Not authorized: <reason string>" from "0x87:<reason string>".
std::string describe_reason(outcome o, std::string_view detail) {
    const auto colon = detail.find(':');
    const auto code_text = detail.substr(0, colon);
    unsigned code = 0;
    const bool hex = code_text.starts_with("0x") &&
                     std::from_chars(code_text.data() + 2, code_text.data() + code_text.size(), code, 16).ec == std::errc{} &&
                     code <= 0xff;
    std::string d(describe(o));
    d += " ";
    d += code_text;
    if (hex) {
        d += " ";
        d += mqtt::to_string(static_cast<mqtt::reason_code>(code), reason_packet(o));
    }
    if (colon != std::string_view::npos) {
        d += ": ";
        d += detail.substr(colon + 1);
    }
    return d;
}
}  // namespace

std::string reason_detail(std::uint8_t reason_code, std::string_view reason_string) {
    char code[8];
    std::snprintf(code, sizeof code, "0x%02X", static_cast<unsigned>(reason_code));
    std::string d = code;
    if (!reason_string.empty()) {
        d += ":";
        // One line in the summary whatever the server sent.
        for (const char c : reason_string) d += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
    }
    return d;
}

bool has_reason_code(outcome o) noexcept {
    return o == outcome::connack_refused || o == outcome::server_disconnect || o == outcome::puback_refused;
}

std::string describe_bucket(const std::string& bucket) {
    const auto colon = bucket.find(':');
    const auto o = outcome_from_key(std::string_view(bucket).substr(0, colon));
    if (has_reason_code(o) && colon != std::string::npos) return describe_reason(o, std::string_view(bucket).substr(colon + 1));
    std::string d = o == outcome::count_ ? bucket : std::string(describe(o));
    if (colon != std::string::npos) d += " (" + bucket.substr(colon + 1) + ")";
    return d;
}

outcome outcome_from_key(std::string_view k) noexcept {
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (rows[i].key == k) return static_cast<outcome>(i);
    return outcome::count_;
}

bool is_denial(outcome o) noexcept {
    switch (o) {
    case outcome::connack_bad_credentials:
    case outcome::connack_not_authorized:
    case outcome::connack_identifier:
    case outcome::closed_without_connack:
    case outcome::x509_unknown_certificate:
    case outcome::x509_inactive:
    case outcome::x509_revoked:
    case outcome::x509_ca_inactive:
    case outcome::x509_expired:
    case outcome::x509_connect_denied:
    case outcome::https_refused:
    case outcome::http_forbidden:
    case outcome::disconnected_after_publish: return true;
    default: return false;
    }
}

bool is_connect_outcome(outcome o) noexcept { return o <= outcome::protocol_error; }

bool is_refusal(outcome o) noexcept { return o >= outcome::http_bad_request && o < outcome::count_; }

outcome http_status_outcome(unsigned status) noexcept {
    if (status >= 200 && status < 300) return outcome::connected;
    switch (status) {
    case 400: return outcome::http_bad_request;
    case 403: return outcome::http_forbidden;
    case 404:
    case 405: return outcome::http_not_found;
    case 413: return outcome::http_too_large;
    case 429: return outcome::http_throttled;
    default: return status >= 500 && status < 600 ? outcome::http_server_error : outcome::http_other_status;
    }
}

std::string outcome_detail::bucket() const {
    std::string b(key(what));
    if (!detail.empty()) b += ":" + detail;
    return b;
}

}  // namespace wv::sim
