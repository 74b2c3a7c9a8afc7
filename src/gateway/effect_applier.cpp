// A connection machine's gateway effects, applied: broker, event log, rules, throttle,
// certificates. See effect_applier.hpp for the table.
#include "gateway/effect_applier.hpp"

#include <chrono>
#include <type_traits>

#include "gateway/provisioning_step.hpp"
#include "gateway/x509_identity.hpp"

namespace wv::gate {

bool effect_applier::apply(effect& e, connection_machine& m, const std::shared_ptr<subscriber>& self,
                           clock::time_point now) {
    const auto& s = *services_;
    return std::visit(
        [&](auto& x) -> bool {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, send_bytes> || std::is_same_v<T, close_connection> ||
                          std::is_same_v<T, call_authorizer>) {
                return false;
            } else if constexpr (std::is_same_v<T, admit_connect>) {
                m.on_connect_admitted(!s.throttle || s.throttle->admit(x.client_id, now), now);
            } else if constexpr (std::is_same_v<T, verify_certificate>) {
                std::optional<certificate_verdict> v;
                // The validity period is the wall clock's, not the machine's.
                if (s.certificates && x.certificate)
                    v = check_certificate(*s.certificates, *x.certificate, std::chrono::system_clock::now());
                m.on_certificate_verdict(v, now);
            } else if constexpr (std::is_same_v<T, watch_certificate>) {
                if (s.cert_sessions && !certificate_watch_)
                    certificate_watch_ = s.cert_sessions->add(x.certificate_id, x.ca_certificate_id, self);
            } else if constexpr (std::is_same_v<T, attach_session>) {
                if (!s.brk) {
                    m.on_attached({}, 0, now);
                } else {
                    auto r = s.brk->attach(x.client_id, x.clean_session, self, now, x.session_expiry);
                    m.on_attached(std::move(r), s.brk->subscription_count(x.client_id), now);
                }
            } else if constexpr (std::is_same_v<T, subscribe_session>) {
                if (!s.brk) {
                    m.on_subscribed(x, {}, 0, now);
                } else {
                    auto r = s.brk->subscribe(x.client_id, self.get(), x.filter, x.qos, x.options);
                    m.on_subscribed(x, std::move(r), s.brk->subscription_count(x.client_id), now);
                }
            } else if constexpr (std::is_same_v<T, unsubscribe_session>) {
                if (s.brk) {
                    s.brk->unsubscribe(x.client_id, self.get(), x.filter);
                    m.on_unsubscribed(s.brk->subscription_count(x.client_id));
                }
            } else if constexpr (std::is_same_v<T, detach_session>) {
                if (s.brk) {
                    if (!x.unacked.empty()) s.brk->requeue_unacked(x.client_id, self.get(), std::move(x.unacked));
                    s.brk->detach(x.client_id, self.get(), now, x.session_expiry);
                }
            } else if constexpr (std::is_same_v<T, route_message>) {
                if (s.brk) s.brk->publish(x.msg);
            } else if constexpr (std::is_same_v<T, delay_will>) {
                if (s.brk) s.brk->delay_will(x.client_id, std::move(x.will), x.due);
            } else if constexpr (std::is_same_v<T, provisioning_request>) {
                if (s.brk)
                    hand_to_provisioning(s.provisioning, s.brk, s.log, x.topic, x.payload,
                                         {std::move(x.client_id), std::move(x.certificate_id), self});
            } else if constexpr (std::is_same_v<T, rules_event>) {
                if (s.rules && *s.rules) (*s.rules)(*x.msg, x.principal);
            } else if constexpr (std::is_same_v<T, log_line>) {
                if (s.log) s.log->emit(x.level, std::move(x.fields));
            }
            return true;
        },
        e);
}

void effect_applier::connection_closed() {
    if (certificate_watch_ && services_ && services_->cert_sessions) services_->cert_sessions->remove(certificate_watch_);
    certificate_watch_ = 0;
}

}  // namespace wv::gate
