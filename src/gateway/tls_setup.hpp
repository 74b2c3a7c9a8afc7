#pragma once
// Server TLS for a listener, as AWS's endpoints behave (spec 3.1):
//   aws-443:  ALPN `mqtt` (custom auth), `x-amzn-mqtt-ca` (MQTT with X.509),
//             `x-amzn-http-ca` (HTTPS publish with X.509), or no ALPN / `http/1.1`: the HTTP
//             front (MQTT over WebSocket, HTTPS publish with custom auth or SigV4); a client
//             certificate is requested (any issuer: the certificate directory judges it after
//             the handshake, as AWS does); a client offering only other protocols fails the
//             handshake (no_application_protocol).
//   aws-8883: a client certificate is required; ALPN is not needed.
//   aws-8443: the same for HTTPS publish.
// Without a configured certificate, a local CA and server certificate are generated (once:
// existing files in gateway_config::generated_ca_dir are reused, so devices keep trusting
// them) and the path is logged. Throws std::runtime_error naming the file on failure.
#include <memory>

#include "gateway/event_log.hpp"
#include "gateway/gateway.hpp"
#include "tls/server_context.hpp"

namespace wv::gate {

struct server_tls {
    std::unique_ptr<tls::server_context> context;
    certificate_paths paths;
};

server_tls make_server_context(const gateway_config& cfg, const listener_config& l, event_log& log);

// The ALPN policy of an aws-443 listener, exposed for tests.
tls::alpn_decision aws_443_alpn(const tls::alpn_offer& offer);

}  // namespace wv::gate
