// CONNECT on an X.509 listener (port 8883, or 443 with ALPN x-amzn-mqtt-ca): the certificate
// directory decides (registered, ACTIVE, CA ACTIVE; then the validity period), the attached
// policies authorize, and the attached thing named as the client id feeds the thing policy
// variables. A refused certificate is closed without CONNACK, after the TLS handshake
// completed: what a device sees from AWS IoT today (README "X.509 devices").
#include <chrono>

#include "gateway/connection_machine.hpp"

namespace wv::gate {

void connection_machine::start_x509_auth(clock::time_point now) {
    if (!peer_.certificate || !env_.certificates) {
        fail_connect("AUTHORIZATION_FAILURE",
                     peer_.certificate ? "X.509: no certificate directory is configured" : "X.509: no client certificate",
                     true);
        close(disconnect_reason::auth_error, "X.509 authentication failed", now);
        return;
    }
    const auto v = check_certificate(*env_.certificates, *peer_.certificate, std::chrono::system_clock::now());
    principal_id_ = v.certificate_id;  // AWS's principal for certificate connections
    if (!v.active()) {
        fail_connect("AUTHORIZATION_FAILURE", "X.509 " + describe(v), true);
        close(disconnect_reason::auth_error, "certificate " + std::string(to_string(v.check)), now);
        return;
    }
    policies_ = v.policies;
    decisions_.clear();
    principal_facts_ = principal_facts_for(v, peer_.certificate->cert, client_id_);
    peer_.certificate.reset();  // the facts are kept; the DER copy is not needed any more
    finish_connect(now);
    if (state_ == state::connected && env_.cert_sessions)
        cert_session_ = env_.cert_sessions->add(v.certificate_id, v.ca_certificate_id, self_);
}

}  // namespace wv::gate
