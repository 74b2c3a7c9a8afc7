#pragma once
// AWS IoT lifecycle events (spec 5.7): JSON published by the gateway itself on
// $aws/events/presence/connected/<clientId> and .../disconnected/<clientId>:
//   {"clientId":"d1","timestamp":1732527667123,"eventType":"connected",
//    "sessionIdentifier":"<uuid>","principalIdentifier":"dev1","ipAddress":"127.0.0.1",
//    "versionNumber":0}
//   {"clientId":"d1","timestamp":...,"eventType":"disconnected","sessionIdentifier":"<uuid>",
//    "principalIdentifier":"dev1","clientInitiatedDisconnect":false,
//    "disconnectReason":"MQTT_KEEP_ALIVE_TIMEOUT","versionNumber":0}
// and, on $aws/events/subscriptions/subscribed|unsubscribed/<clientId>, after a SUBSCRIBE or
// UNSUBSCRIBE (the filters of that packet):
//   {"clientId":"d1","timestamp":...,"eventType":"subscribed","sessionIdentifier":"<uuid>",
//    "principalIdentifier":"dev1","topics":["wv/d1/cmd","wv/d1/cfg"]}
// Pure apart from reading the wall clock for `timestamp`.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/disconnect_reason.hpp"

namespace wv::gate {

struct lifecycle_info {
    std::string client_id;
    std::string session_id;
    std::string principal;
    std::string ip_address;
    disconnect_reason reason = disconnect_reason::connection_lost;
    std::int64_t version = 0;
};

// AWS publishes no lifecycle events for client ids containing `#` or `+`.
bool has_lifecycle_events(std::string_view client_id) noexcept;
std::string lifecycle_topic(std::string_view client_id, bool connected);
std::string connected_event_json(const lifecycle_info& i);
std::string disconnected_event_json(const lifecycle_info& i);
std::string subscription_topic(std::string_view client_id, bool subscribed);
std::string subscription_event_json(const lifecycle_info& i, bool subscribed, const std::vector<std::string>& topics);

}  // namespace wv::gate
