// CONNECT on an X.509 listener (port 8883, or 443 with ALPN x-amzn-mqtt-ca): the certificate
// directory decides (registered, ACTIVE, CA ACTIVE; then the validity period), the attached
// policies authorize, and the attached thing named as the client id feeds the thing policy
// variables. A refused certificate is closed without CONNACK, after the TLS handshake
// completed: what a device sees from AWS IoT today (README "X.509 devices").
//
// The lookup is a question (verify_certificate), answered by effect_applier.cpp from the
// certificate directory: the place for a directory-side rule such as just-in-time
// registration. What AWS does with the verdict is here.
#include "gateway/connection_machine.hpp"

namespace wv::gate {

void connection_machine::start_x509_auth(clock::time_point now) {
    if (!peer_.certificate) {
        fail_connect("AUTHORIZATION_FAILURE", "X.509: no client certificate", true);
        close(disconnect_reason::auth_error, "X.509 authentication failed", now);
        return;
    }
    state_ = state::authenticating;
    effects_.push_back(verify_certificate{peer_.certificate});
}

void connection_machine::on_certificate_verdict(const std::optional<certificate_verdict>& v, clock::time_point now) {
    if (state_ != state::authenticating || !peer_.x509) return;
    if (!v) {
        fail_connect("AUTHORIZATION_FAILURE", "X.509: no certificate directory is configured", true);
        close(disconnect_reason::auth_error, "X.509 authentication failed", now);
        return;
    }
    principal_id_ = v->certificate_id;  // AWS's principal for certificate connections
    if (!v->active()) {
        fail_connect("AUTHORIZATION_FAILURE", "X.509 " + describe(*v), true);
        close(disconnect_reason::auth_error, "certificate " + std::string(to_string(v->check)), now);
        return;
    }
    policies_ = v->policies;
    decisions_.clear();
    // Thing and certificate facts only for policies that name such variables: the only reader
    // is policy evaluation, and most device policies use ${iot:ClientId} alone (~1 KiB saved).
    if (policies_ && policy::uses_principal_variables(*policies_))
        principal_facts_ = principal_facts_for(*v, peer_.certificate->cert, client_id_);
    peer_.certificate.reset();  // the facts are kept; the DER copy is not needed any more
    finish_connect(now);
    // Live connections by certificate: a status change away from ACTIVE closes this one.
    if (state_ == state::attaching || state_ == state::connected)
        effects_.push_back(watch_certificate{v->certificate_id, v->ca_certificate_id});
}

}  // namespace wv::gate
