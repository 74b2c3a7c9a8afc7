#pragma once
// An X.509 connection's identity, from the TLS peer to what the connection machine and the
// HTTPS publisher need: the verdict of the certificate directory, the policy-variable facts
// (thing and certificate, spec 4.4), and the principal AWS reports (the certificate id).
//
//   auto peer = read_x509_peer(stream.native_handle());     // after the handshake; null: no certificate
//   auto v = check_certificate(directory, *peer, std::chrono::system_clock::now());
//   if (!v.active()) refuse(describe(v));                   // "INACTIVE: certificate 3f1c... is INACTIVE"
//   auto facts = principal_facts_for(v, peer->cert, client_id);   // for policy::request_context
//
// Checks: the directory's (registered, status, CA status; an unknown certificate goes to its
// just-in-time registration), then the validity period (AWS refuses expired certificates; the
// directory does not look at time).
// Pure but for read_x509_peer (reads the SSL object); thread-safe.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "gateway/certificate_directory.hpp"
#include "policy/evaluate.hpp"
#include "tls/certificate.hpp"

typedef struct ssl_st SSL;

namespace wv::gate {

// The certificate a client presented, and the next one in the chain it sent (its CA), if any.
struct x509_peer {
    tls::certificate cert;
    std::optional<tls::certificate> issuer;
    bool sent_sni = false;  // the client sent SNI (AWS requires it for JITR's first connection)
};

// Null when the client sent no certificate (or `ssl` is null).
std::shared_ptr<const x509_peer> read_x509_peer(SSL* ssl);

// The directory's verdict, then the validity period.
certificate_verdict check_certificate(const certificate_directory& dir, const x509_peer& peer,
                                      std::chrono::system_clock::time_point now);
// "<CHECK>: <detail>", for logs.
std::string describe(const certificate_verdict& v);
// Thing facts (the attached thing named `client_id`; empty for HTTPS: no thing) and the
// certificate's attributes, for policy evaluation.
std::shared_ptr<const policy::principal_facts> principal_facts_for(const certificate_verdict& v,
                                                                   const tls::certificate& cert,
                                                                   const std::string& client_id);

}  // namespace wv::gate
