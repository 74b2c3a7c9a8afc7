#include "tls/tls_version.hpp"

#include <arpa/inet.h>

#include "tls/openssl_util.hpp"

namespace wv::tls {

bool parse_tls_version(std::string_view s, tls_version& out) {
    for (const std::string_view prefix : {"tlsv", "tls", "TLSv", "TLS"})
        if (s.starts_with(prefix)) {
            s.remove_prefix(prefix.size());
            break;
        }
    if (s == "1.2") out = tls_version::tls1_2;
    else if (s == "1.3") out = tls_version::tls1_3;
    else return false;
    return true;
}

namespace detail {

bool is_ip_literal(const std::string& host) {
    unsigned char buf[16];
    return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

namespace {
int refused_index() {
    static const int idx = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return idx;
}
}  // namespace

void mark_alpn_refused(SSL* ssl) {
    static char marker;
    SSL_set_ex_data(ssl, refused_index(), &marker);
}

bool alpn_refused(SSL* ssl) { return SSL_get_ex_data(ssl, refused_index()) != nullptr; }

}  // namespace detail
}  // namespace wv::tls
