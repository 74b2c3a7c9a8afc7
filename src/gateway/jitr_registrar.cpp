#include "gateway/jitr_registrar.hpp"

#include <chrono>
#include <cmath>

#include <nlohmann/json.hpp>

#include "registry/registry.hpp"

namespace wv::gate {

std::string registration_topic(std::string_view ca_certificate_id) {
    return "$aws/events/certificates/registered/" + std::string(ca_certificate_id);
}

std::string registration_event_json(const registration_event& e) {
    return nlohmann::ordered_json{{"certificateId", e.certificate_id},
                                  {"caCertificateId", e.ca_certificate_id},
                                  {"timestamp", e.timestamp_ms},
                                  {"certificateStatus", "PENDING_ACTIVATION"},
                                  {"awsAccountId", e.account_id},
                                  {"certificateRegistrationTimestamp", std::to_string(e.registration_timestamp_ms)}}
        .dump();
}

jitr_registrar::jitr_registrar(registry::registry& reg, std::shared_ptr<certificate_directory> inner, jitr_hooks hooks)
    : reg_(reg), inner_(std::move(inner)), hooks_(std::move(hooks)) {
    worker_ = std::thread([this] { run(); });
}

jitr_registrar::~jitr_registrar() { stop(); }

void jitr_registrar::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (worker_.joinable()) worker_.join();
}

jitr_counts jitr_registrar::counts() const {
    std::lock_guard lock(mu_);
    return counts_;
}

certificate_verdict jitr_registrar::look_up(const tls::certificate& cert, const tls::certificate* issuer) const {
    return inner_->look_up(cert, issuer);
}

std::shared_ptr<void> jitr_registrar::subscribe(status_listener listener) { return inner_->subscribe(std::move(listener)); }

std::optional<jitr_registrar::signing_ca> jitr_registrar::find_signing_ca(const tls::certificate& cert) const {
    registry::page_request p{.page_size = 250};
    for (;;) {
        auto cas = reg_.list_ca_certificates(p);
        if (!cas) return std::nullopt;
        for (const auto& ca : cas.value().items) {
            std::shared_ptr<const tls::certificate> parsed;
            {
                std::lock_guard lock(cas_mu_);
                auto& slot = parsed_cas_[ca.id];
                if (!slot) {
                    auto r = tls::certificate::from_pem(ca.pem);
                    if (!r) continue;  // the registry validated it; an unreadable one signs nothing
                    slot = std::make_shared<const tls::certificate>(*r);
                }
                parsed = slot;
            }
            if (cert.issued_by(*parsed))
                return signing_ca{.id = ca.id, .active = ca.active, .auto_registration = ca.auto_registration,
                                  .cert = std::move(parsed)};
        }
        if (cas.value().next.empty()) return std::nullopt;
        p.marker = cas.value().next;
    }
}

certificate_verdict jitr_registrar::register_on_first_connect(certificate_verdict v, const tls::certificate& cert,
                                                              bool sent_sni) const {
    v = inner_->register_on_first_connect(std::move(v), cert, sent_sni);
    if (v.check != certificate_check::unknown) return v;
    const auto ca = find_signing_ca(cert);
    if (!ca) return v;  // no registered CA signed it: unknown, as the inner directory said
    const auto no_jitr = [&](const std::string& why) {
        v.ca_certificate_id = ca->id;
        v.detail += "; signed by the registered CA " + ca->id + ", but " + why;
        return v;
    };
    if (!ca->auto_registration)
        return no_jitr("its auto-registration is DISABLE (just-in-time registration: UpdateCACertificate "
                       "newAutoRegistrationStatus ENABLE, or RegisterCACertificate allowAutoRegistration)");
    if (!ca->active) return no_jitr("it is INACTIVE: no just-in-time registration");
    if (!sent_sni) return no_jitr("the client sent no SNI, which just-in-time registration requires");
    const auto now = std::chrono::system_clock::now();
    if (now < cert.not_before() || now > cert.not_after())
        return no_jitr("the certificate is outside its validity period: not registered");
    {
        std::lock_guard lock(mu_);
        if (stopping_) return no_jitr("the gateway is stopping");
        if (!pending_.count(cert.id())) {
            if (queue_.size() >= hooks_.max_pending) {
                ++counts_.queue_full;
                return no_jitr("the just-in-time registration queue is full (" + std::to_string(hooks_.max_pending) +
                               " waiting); registered at a later attempt");
            }
            pending_.insert(cert.id());
            queue_.emplace_back(cert, *ca);
            cv_.notify_one();
        }
    }
    v.check = certificate_check::pending_activation;
    v.ca_certificate_id = ca->id;
    v.detail = "just-in-time registration: certificate " + cert.id() + " (" + cert.subject() + ") signed by CA " +
               ca->id + " (auto-registration ENABLE) is registered as PENDING_ACTIVATION and announced on " +
               registration_topic(ca->id) + "; this attempt fails, the device connects again once it is ACTIVE";
    return v;
}

void jitr_registrar::run() {
    std::unique_lock lock(mu_);
    for (;;) {
        cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, nothing left
        auto [cert, ca] = std::move(queue_.front());
        queue_.pop_front();
        lock.unlock();
        register_one(cert, ca);
        lock.lock();
        pending_.erase(cert.id());
    }
}

void jitr_registrar::register_one(const tls::certificate& cert, const signing_ca& ca) {
    auto r = reg_.register_certificate(cert.pem(), ca.cert->pem(), std::string("PENDING_ACTIVATION"), false);
    if (!r) {
        // Another connection's registration, or a RegisterCertificate, got there first: not ours to announce.
        const bool known = r.err().code == registry::errc::already_exists;
        if (!known) {
            std::lock_guard lock(mu_);
            ++counts_.failed;
        }
        if (hooks_.log)
            hooks_.log(known, cert.id(), known ? "already registered; no event" : "not registered: " + r.err().message);
        return;
    }
    const auto ms = [](auto tp) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(tp.time_since_epoch()).count();
    };
    registration_event e{.certificate_id = r.value().id,
                         .ca_certificate_id = ca.id,
                         .timestamp_ms = ms(std::chrono::system_clock::now()),
                         .account_id = reg_.acct().id,
                         .registration_timestamp_ms = static_cast<std::int64_t>(std::llround(r.value().creation_date * 1000))};
    const auto topic = registration_topic(ca.id);
    if (hooks_.publish) hooks_.publish(topic, registration_event_json(e));
    {
        std::lock_guard lock(mu_);
        ++counts_.registered;
    }
    if (hooks_.log) hooks_.log(true, cert.id(), "registered as PENDING_ACTIVATION under CA " + ca.id + "; event on " + topic);
}

}  // namespace wv::gate
