#pragma once
// Private helpers shared by the contexts and the stream (not part of the public API).
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tls/tls_version.hpp"

namespace wv::tls::detail {

// Throws std::runtime_error "<what>: <OpenSSL's first queued error>" and clears the queue.
[[noreturn]] inline void throw_openssl(const std::string& what) {
    std::string msg = what;
    if (const auto e = ERR_peek_last_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        msg += ": ";
        msg += buf;
    }
    ERR_clear_error();
    throw std::runtime_error(msg);
}

inline int native_version(tls_version v) { return v == tls_version::tls1_3 ? TLS1_3_VERSION : TLS1_2_VERSION; }

// The ALPN wire format: each protocol as a length byte and its bytes.
inline std::vector<unsigned char> alpn_wire(const std::vector<std::string>& protos, const char* who) {
    std::vector<unsigned char> out;
    for (const auto& p : protos) {
        if (p.empty() || p.size() > 255) throw std::runtime_error(std::string(who) + ": ALPN protocol '" + p + "' must be 1-255 bytes");
        out.push_back(static_cast<unsigned char>(p.size()));
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}

bool is_ip_literal(const std::string& host);

// The server's ALPN policy refused this handshake (marked on the SSL by the callback, so the
// stream can name the failure: OpenSSL itself only reports "callback failed").
void mark_alpn_refused(SSL* ssl);
bool alpn_refused(SSL* ssl);

}  // namespace wv::tls::detail
