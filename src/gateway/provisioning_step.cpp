#include "gateway/provisioning_step.hpp"

#include "provisioning/provisioning_service.hpp"

namespace wv::gate {

bool hand_to_provisioning(provisioning::provisioning_service* svc, broker* brk, event_log* log, std::string_view topic,
                          std::string_view payload, provisioning_asker who) {
    if (!svc || !provisioning::provisioning_service::handles(topic)) return false;
    svc->submit({.topic = std::string(topic), .payload = std::string(payload), .client_id = who.client_id,
                 .certificate_id = who.certificate_id},
                [brk, log, who = std::move(who)](provisioning::provisioning_reply r) {
                    // Runs on a provisioning worker: the broker and the log are thread-safe, and the
                    // connection's subscriber posts the delivery to its own executor.
                    if (log && log->enabled(r.accepted ? log_level::info : log_level::warn))
                        log->emit(r.accepted ? log_level::info : log_level::warn,
                                  {{"eventType", "Provisioning"},
                                   {"status", r.accepted ? "Success" : "Failure"},
                                   {"clientId", who.client_id},
                                   {"topicName", r.topic},
                                   {"details", r.log}});
                    const auto self = who.self.lock();
                    if (!self) return;
                    brk->deliver_to(who.client_id, self.get(),
                                    std::make_shared<message>(message{std::move(r.topic), std::move(r.payload), 1, false, {}, {}, {}}));
                });
    return true;
}

}  // namespace wv::gate
