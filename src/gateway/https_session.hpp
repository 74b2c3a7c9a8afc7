#pragma once
// HTTPS publish on one TLS connection (spec 8): HTTP/1.1 with keep-alive, read with Beast's
// request_parser fed from the tls::stream (the stream is OpenSSL on a raw socket, not a Beast
// stream, so the parser's put() is driven by hand), answered by an https_publisher.
//
// A connection gets here after the handshake when the listener is aws-8443 or the client
// chose ALPN x-amzn-http-ca on aws-443 (is_https()): it needs a verified client certificate,
// without one it is logged and closed before any request is read. Or it came to aws-443
// without ALPN / with http/1.1 (is_http_front()): then every request authenticates itself
// with custom-auth headers/query parameters or SigV4 (machine_env::http_auth), and a refusal
// is that request's 401/403 answer; the connection stays open.
//
// Bounds: headers <= https_config::max_header_bytes, body <= limits_config::max_payload_bytes
// (413, then close), a request must arrive within https_config::idle_timeout and complete
// within request_timeout (else closed without a response), a malformed request gets a 400
// and the connection closes. Each only ends that connection.
//
// Threading: runs on the stream's executor; the stream is used by this coroutine only.
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "gateway/connection_machine.hpp"
#include "gateway/effect_applier.hpp"
#include "tls/stream.hpp"

namespace wv::gate {

bool is_https(listener_kind kind, std::string_view alpn) noexcept;
// 443 without ALPN (or http/1.1): the HTTP front (spec 3.1).
bool is_http_front(listener_kind kind, std::string_view alpn) noexcept;

// Serves requests until the peer closes, a deadline passes or a request is refused with a
// close. Never throws for I/O reasons; does not close the stream (the caller does). `read`:
// bytes already read from the stream (the HTTP front's first request), served first.
boost::asio::awaitable<void> serve_https(tls::stream& stream, machine_env env, gateway_services services,
                                         std::string listener, listener_kind kind, std::string read = {});

}  // namespace wv::gate
