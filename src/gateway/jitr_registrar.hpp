#pragma once
// Just-in-time registration (JITR), as AWS IoT does it (developer guide
// "auto-register-device-cert"; AWS IoT blog "Just-in-Time Registration of Device Certificates
// on AWS IoT"): a device presents a certificate nobody registered, signed by a CA that was
// registered with allowAutoRegistration (RegisterCACertificate, or UpdateCACertificate
// --new-auto-registration-status ENABLE) and is ACTIVE. AWS then
//   1. registers the certificate under that CA as PENDING_ACTIVATION,
//   2. publishes the registration event on $aws/events/certificates/registered/<caCertificateId>
//      (registration_event_json below: AWS's fields), which a topic rule usually hands to a
//      Lambda that creates the thing and policy and sets the certificate ACTIVE,
//   3. disconnects the client: the first attempt fails, the device must try again later.
// The CA certificate in the client's chain is optional; SNI is required.
//
// jitr_registrar is a certificate_directory around the gateway's own (the registry's): every
// look_up goes to the inner directory; a certificate it does not know reaches
// register_on_first_connect() (called by check_certificate(), x509_identity.hpp), which finds the
// signing CA among the registered ones and answers pending_activation for a JITR candidate, or
// the `unknown` verdict with a detail that says why JITR did not apply (no registered CA signed
// it, auto-registration DISABLE, CA INACTIVE, no SNI, expired).
//
//   auto jitr = std::make_shared<jitr_registrar>(registry, directory, {
//       .publish = [&](std::string topic, std::string payload) { broker + rules },
//       .log = [&](bool ok, const std::string& cert_id, const std::string& detail) { ... }});
//   gateway_directory = jitr;          // connections check certificates through it
//   ...
//   jitr->stop();                      // before the broker and the rules engine go
//
// Threading: look_up() and register_on_first_connect() run on the gateway's I/O threads and do
// no I/O: the registration (a SQLite write) and the event run on the registrar's own thread,
// in arrival order, one per certificate however many connections present it meanwhile. A
// device that retries before that thread got to it is refused the same way again. At most
// `max_pending` registrations wait; beyond that a candidate is refused as unknown ("JITR queue
// full", logged) and registered at its next attempt.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>

#include "gateway/certificate_directory.hpp"

namespace wv::registry {
class registry;
}

namespace wv::gate {

// The topic AWS publishes a JITR registration on.
std::string registration_topic(std::string_view ca_certificate_id);

// AWS's registration event, fields in AWS's documented order:
// {"certificateId","caCertificateId","timestamp" (ms, a number),"certificateStatus":"PENDING_ACTIVATION",
//  "awsAccountId","certificateRegistrationTimestamp" (ms, a string, as AWS sends it)}
struct registration_event {
    std::string certificate_id;
    std::string ca_certificate_id;
    std::int64_t timestamp_ms = 0;
    std::string account_id;
    std::int64_t registration_timestamp_ms = 0;
};
std::string registration_event_json(const registration_event& e);

struct jitr_hooks {
    // The event, into the broker and the rules engine. Called on the registrar's thread.
    std::function<void(std::string topic, std::string payload)> publish{};
    // One line per registration tried: ok, the certificate id, what happened. Registrar's thread.
    std::function<void(bool ok, const std::string& certificate_id, const std::string& detail)> log{};
    std::size_t max_pending = 10000;
};

struct jitr_counts {
    std::uint64_t registered = 0;    // registered as PENDING_ACTIVATION, event published
    std::uint64_t failed = 0;        // the registry refused (logged with its reason)
    std::uint64_t queue_full = 0;    // candidates refused as unknown: max_pending waiting
};

class jitr_registrar final : public certificate_directory {
public:
    jitr_registrar(registry::registry& reg, std::shared_ptr<certificate_directory> inner, jitr_hooks hooks);
    ~jitr_registrar() override;  // stop()
    jitr_registrar(const jitr_registrar&) = delete;
    jitr_registrar& operator=(const jitr_registrar&) = delete;

    certificate_verdict look_up(const tls::certificate& cert, const tls::certificate* issuer) const override;
    certificate_verdict register_on_first_connect(certificate_verdict unknown, const tls::certificate& cert,
                                                  bool sent_sni) const override;
    std::shared_ptr<void> subscribe(status_listener listener) override;

    // Finishes the registrations already queued, then stops the thread; later candidates are
    // refused as unknown. Idempotent.
    void stop();
    jitr_counts counts() const;

private:
    struct signing_ca {
        std::string id;
        bool active = false, auto_registration = false;
        std::shared_ptr<const tls::certificate> cert;
    };
    std::optional<signing_ca> find_signing_ca(const tls::certificate& cert) const;
    void run();
    void register_one(const tls::certificate& cert, const signing_ca& ca);

    registry::registry& reg_;
    std::shared_ptr<certificate_directory> inner_;
    jitr_hooks hooks_;

    // Parsed CA certificates by id (the registry keeps PEM; parse each once).
    mutable std::mutex cas_mu_;
    mutable std::map<std::string, std::shared_ptr<const tls::certificate>> parsed_cas_;

    mutable std::mutex mu_;
    mutable std::condition_variable cv_;
    mutable std::deque<std::pair<tls::certificate, signing_ca>> queue_;
    mutable std::set<std::string> pending_;   // certificate ids queued or being registered
    mutable jitr_counts counts_;
    bool stopping_ = false;
    std::thread worker_;
};

}  // namespace wv::gate
