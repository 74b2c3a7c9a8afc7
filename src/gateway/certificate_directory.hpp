#pragma once
// The gateway's view of X.509 identity: who a client certificate is, as AWS IoT's registry
// answers it on every connection (spec 3.1, 4.4; AWS: "AWS IoT checks to see that the
// certificate used is registered with the AWS IoT account and that it has been activated").
//
// The gateway hands over the certificate the client presented (the TLS layer accepts any
// certificate whose private key the client holds; the directory, not a CA file, decides) and
// gets a verdict:
//
//   certificate_verdict v = dir.look_up(cert, issuer_sent_by_client_or_null);
//   switch (v.check) {
//     case certificate_check::active:  ... v.policies decide iot:Connect/Publish/Subscribe/Receive,
//                                      v.things give ${iot:Connection.Thing.*}
//     default:                         ... refused; to_string(v.check) and v.detail say why
//   }
//
// Checks, in order (the first that fails is the verdict):
//   unknown             the certificate id (SHA-256 of the DER) is not registered, and no
//                       registered CA takes it (see memory_certificate_directory's trusted CAs)
//   ca_inactive         registered under a CA (RegisterCertificate with caCertificatePem, or
//                       signed by a trusted CA) whose status is not ACTIVE
//   revoked, inactive, pending_activation, pending_transfer
//                       the certificate's own status (AWS: only ACTIVE authenticates)
//   active              with the certificate ARN, the attached policies (parsed, shared) and the
//                       attached things
//
// What the device sees when the verdict is not `active` is the gateway's business, not the
// directory's (see README "X.509 devices": the TLS handshake completes, CONNECT is closed
// without CONNACK, as AWS IoT does today).
//
// Status changes: subscribe() delivers every change of a certificate's or a CA's status. The
// gateway closes live connections whose certificate (or CA) left ACTIVE (AWS's UpdateCertificate:
// "AWS IoT disconnects all devices that used that certificate to connect"; AWS takes "a few
// minutes", the gateway does it at once).
//
// Implementations: memory_certificate_directory (tests, and wvgate's static
// `certificate_policies` config); a registry-backed one (SQLite, the control plane) lives beside
// it. Policy and thing changes apply to the next look_up, i.e. to new connections.
//
// Threading: look_up() is called from the gateway's I/O threads on every X.509 CONNECT and
// every HTTPS request: it must be thread-safe, must not block on I/O, and should cost a hash
// lookup. Listeners are called on the thread that made the change, outside any lock the
// directory holds for lookups; they must not block (the gateway only posts).
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy_set_cache.hpp"
#include "tls/certificate.hpp"

namespace wv::gate {

// AWS's certificate statuses (DescribeCertificate's certificateDescription.status) and CA
// statuses (ACTIVE / INACTIVE only).
enum class certificate_status { active, inactive, revoked, pending_transfer, pending_activation, register_inactive };
std::string_view to_string(certificate_status s) noexcept;  // "ACTIVE", "INACTIVE", ...
bool parse_certificate_status(std::string_view text, certificate_status& out) noexcept;

// The verdict's reason; `active` is the only one that lets a device in.
enum class certificate_check {
    active,
    unknown,             // not registered
    inactive,
    revoked,
    pending_activation,
    pending_transfer,
    ca_inactive,         // CA-signed, and the registered CA is not ACTIVE
    expired,             // outside its validity period (judged by the gateway, never returned by look_up)
};
std::string_view to_string(certificate_check c) noexcept;  // "ACTIVE", "UNKNOWN_CERTIFICATE", "INACTIVE", ...

// A thing attached to the certificate (AttachThingPrincipal), for ${iot:Connection.Thing.*}.
struct thing_identity {
    std::string name;
    std::string type_name;                              // empty: no thing type
    std::map<std::string, std::string> attributes;
};

struct certificate_verdict {
    certificate_check check = certificate_check::unknown;
    std::string certificate_id;                         // always set (from the certificate)
    std::string certificate_arn;                        // arn:aws:iot:<region>:<account>:cert/<id>
    std::string ca_certificate_id;                      // empty: registered without a CA
    policy::shared_policy_set policies;                 // attached policies; null: none
    std::shared_ptr<const std::vector<thing_identity>> things;  // attached things; null: none
    std::string detail;                                 // one line for the log, e.g. "CA 6f3a... is INACTIVE"
    bool active() const { return check == certificate_check::active; }
};

// One status change: a certificate's (certificate_id set) or a CA's (ca_certificate_id set, and
// certificate_id empty: it concerns every certificate registered under that CA).
struct certificate_status_change {
    std::string certificate_id;
    std::string ca_certificate_id;
    certificate_status status = certificate_status::active;
};

class certificate_directory {
public:
    virtual ~certificate_directory() = default;

    // `issuer`: the certificate the client sent after its own, when it sent one (a CA-signed
    // device may include its CA; JITR relies on it). Never throws for a bad certificate.
    virtual certificate_verdict look_up(const tls::certificate& cert, const tls::certificate* issuer) const = 0;

    // Just-in-time registration (JITR): called by check_certificate() for a certificate that
    // look_up() answered `unknown`, on a connection that sent SNI (`sent_sni`) or not. A
    // directory that registers the certificates of CAs with auto-registration enabled answers
    // `pending_activation` (jitr_registrar.hpp: the registration and AWS's registration event
    // follow off the caller's thread); the default keeps the verdict. Same threading as look_up().
    virtual certificate_verdict register_on_first_connect(certificate_verdict unknown, const tls::certificate& cert,
                                                          bool sent_sni) const {
        (void)cert;
        (void)sent_sni;
        return unknown;
    }

    using status_listener = std::function<void(const certificate_status_change&)>;
    // Keeps the listener until the returned handle is destroyed (or reset); the handle must
    // not outlive the directory.
    [[nodiscard]] virtual std::shared_ptr<void> subscribe(status_listener listener) = 0;
};

}  // namespace wv::gate
