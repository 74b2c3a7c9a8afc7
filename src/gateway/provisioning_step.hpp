#pragma once
// The gateway's one hook into fleet provisioning (src/provisioning): a PUBLISH to a request
// topic ($aws/certificates/create*/<fmt>, $aws/provisioning-templates/<name>/provision/<fmt>),
// already authorised by the connection's policy, goes to the provisioning service instead of
// the broker; the reply goes back to that connection only, and only if it has subscribed to
// the reply topic (broker::deliver_to), as AWS answers. The service's log line is logged.
#include <memory>
#include <string>
#include <string_view>

#include "gateway/broker.hpp"
#include "gateway/event_log.hpp"

namespace wv::provisioning {
class provisioning_service;
}

namespace wv::gate {

struct provisioning_asker {
    std::string client_id;
    std::string certificate_id;  // X.509: the certificate the connection presented (a claim); else empty
    std::weak_ptr<subscriber> self;
};

// True when `topic` is a provisioning request and was handed over (the caller must not route it).
bool hand_to_provisioning(provisioning::provisioning_service* svc, broker* brk, event_log* log, std::string_view topic,
                          std::string_view payload, provisioning_asker who);

}  // namespace wv::gate
