// SUBSCRIBE and UNSUBSCRIBE: AWS's limits (8 filters per packet, 50 per connection, no QoS 2,
// reserved topics), iot:Subscribe per filter, SUBACK, then retained messages for exact
// filters.
#include <algorithm>

#include "gateway/aws_topics.hpp"
#include "gateway/connection_machine.hpp"
#include "gateway/lifecycle_event.hpp"
#include "mqtt/mqtt.hpp"
#include "policy/arn.hpp"

namespace wv::gate {

void connection_machine::handle_subscribe(const mqtt::subscribe& s, clock::time_point now) {
    const auto& lim = env_.config->limits;
    if (s.subscriptions.size() > lim.max_filters_per_subscribe) {
        close(disconnect_reason::client_error,
              "SUBSCRIBE with " + std::to_string(s.subscriptions.size()) + " filters (AWS allows " +
                  std::to_string(lim.max_filters_per_subscribe) + ")",
              now);
        return;
    }
    const policy::arn_scope scope{env_.config->region, env_.config->account};
    for (const auto& sub : s.subscriptions) {
        const std::string filter(sub.filter);
        if (sub.qos == mqtt::qos::exactly_once) {
            close(disconnect_reason::client_error, "QoS 2 SUBSCRIBE to " + filter + " (AWS supports QoS 0 and 1)", now);
            return;
        }
        if (const auto v = check_subscribe_filter(sub.filter, {lim.max_topic_bytes, lim.max_topic_slashes});
            v != topic_verdict::ok) {
            close(disconnect_reason::client_error, "SUBSCRIBE to " + filter + ": " + to_string(v), now);
            return;
        }
        if (!allowed("iot:Subscribe", policy::topicfilter_arn(scope, filter))) {
            log_event(log_level::error, "Subscribe", false, "AUTHORIZATION_FAILURE", "not authorized", &filter);
            close(disconnect_reason::auth_error, "SUBSCRIBE to " + filter + " not authorized", now);
            return;
        }
    }
    const auto existing = env_.brk->subscription_count(client_id_);
    if (existing + s.subscriptions.size() > lim.max_subscriptions_per_connection) {
        // Counted generously (a re-subscription to a present filter counts too): AWS's limit
        // text says excess "may be rejected and the connection closed".
        close(disconnect_reason::client_error,
              "more than " + std::to_string(lim.max_subscriptions_per_connection) + " subscriptions", now);
        return;
    }
    mqtt::suback ack{.packet_id = s.packet_id, .return_codes = {}};
    std::vector<std::pair<message_ptr, std::uint8_t>> retained;
    for (const auto& sub : s.subscriptions) {
        const auto qos = static_cast<std::uint8_t>(sub.qos);
        auto r = env_.brk->subscribe(client_id_, self_.lock().get(), std::string(sub.filter), qos);
        ack.return_codes.push_back(qos == 1 ? mqtt::suback_code::granted_qos1 : mqtt::suback_code::granted_qos0);
        for (auto& m : r.retained) retained.emplace_back(std::move(m), qos);
        const std::string filter(sub.filter);
        log_event(log_level::info, "Subscribe", true, {}, "QoS " + std::to_string(qos), &filter);
    }
    send(mqtt::encode_to_bytes(ack));
    for (const auto& [m, qos] : retained) on_deliver(m, std::min(qos, m->qos), true, now);
    std::vector<std::string> filters;
    for (const auto& sub : s.subscriptions) filters.emplace_back(sub.filter);
    publish_subscription_event(true, std::move(filters));
}

void connection_machine::handle_unsubscribe(const mqtt::unsubscribe& u, clock::time_point) {
    std::vector<std::string> filters;
    for (const auto f : u.filters) {
        env_.brk->unsubscribe(client_id_, self_.lock().get(), std::string(f));
        filters.emplace_back(f);
    }
    send(mqtt::encode_to_bytes(mqtt::unsuback{.packet_id = u.packet_id}));
    publish_subscription_event(false, std::move(filters));
}

void connection_machine::publish_subscription_event(bool subscribed, std::vector<std::string> filters) {
    if (!env_.config->lifecycle_events || !has_lifecycle_events(client_id_)) return;
    const lifecycle_info info{.client_id = client_id_, .session_id = connection_id_, .principal = principal_id_,
                              .ip_address = peer_.ip, .reason = disconnect_reason::connection_lost, .version = 0};
    env_.brk->publish(std::make_shared<message>(message{subscription_topic(client_id_, subscribed),
                                                        subscription_event_json(info, subscribed, filters), 1,
                                                        false, {}}));
}

}  // namespace wv::gate
