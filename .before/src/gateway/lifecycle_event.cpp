#include "gateway/lifecycle_event.hpp"

#include <chrono>

#include <nlohmann/json.hpp>

namespace wv::gate {
namespace {

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string dump(const nlohmann::ordered_json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

}  // namespace

bool has_lifecycle_events(std::string_view client_id) noexcept {
    return client_id.find_first_of("#+") == std::string_view::npos;
}

std::string lifecycle_topic(std::string_view client_id, bool connected) {
    return std::string(connected ? "$aws/events/presence/connected/" : "$aws/events/presence/disconnected/") +
           std::string(client_id);
}

std::string connected_event_json(const lifecycle_info& i) {
    return dump(nlohmann::ordered_json{{"clientId", i.client_id},
                                       {"timestamp", now_ms()},
                                       {"eventType", "connected"},
                                       {"sessionIdentifier", i.session_id},
                                       {"principalIdentifier", i.principal},
                                       {"ipAddress", i.ip_address},
                                       {"versionNumber", i.version}});
}

std::string disconnected_event_json(const lifecycle_info& i) {
    return dump(nlohmann::ordered_json{
        {"clientId", i.client_id},
        {"timestamp", now_ms()},
        {"eventType", "disconnected"},
        {"sessionIdentifier", i.session_id},
        {"principalIdentifier", i.principal},
        {"clientInitiatedDisconnect", i.reason == disconnect_reason::client_initiated_disconnect},
        {"disconnectReason", std::string(to_string(i.reason))},
        {"versionNumber", i.version}});
}

std::string subscription_topic(std::string_view client_id, bool subscribed) {
    return std::string(subscribed ? "$aws/events/subscriptions/subscribed/" : "$aws/events/subscriptions/unsubscribed/") +
           std::string(client_id);
}

std::string subscription_event_json(const lifecycle_info& i, bool subscribed, const std::vector<std::string>& topics) {
    return dump(nlohmann::ordered_json{{"clientId", i.client_id},
                                       {"timestamp", now_ms()},
                                       {"eventType", subscribed ? "subscribed" : "unsubscribed"},
                                       {"sessionIdentifier", i.session_id},
                                       {"principalIdentifier", i.principal},
                                       {"topics", topics}});
}

}  // namespace wv::gate
