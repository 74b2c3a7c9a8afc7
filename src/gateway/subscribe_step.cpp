// SUBSCRIBE and UNSUBSCRIBE: AWS's limits (8 filters per packet, 50 per connection, no QoS 2,
// reserved topics), iot:Subscribe per filter, then one subscribe_session per filter and the
// SUBACK; the retained messages for exact filters come back in on_subscribed and follow it.
// The subscription lifecycle events ($aws/events/subscriptions/...) go out as route_message.
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
    // Counted generously (a re-subscription to a present filter counts too, and so do filters
    // of a SUBSCRIBE not answered yet): AWS's limit text says excess "may be rejected and the
    // connection closed".
    if (subscriptions_ + subscribing_ + s.subscriptions.size() > lim.max_subscriptions_per_connection) {
        close(disconnect_reason::client_error,
              "more than " + std::to_string(lim.max_subscriptions_per_connection) + " subscriptions", now);
        return;
    }
    mqtt::suback ack{.packet_id = s.packet_id, .return_codes = {}};
    std::vector<std::string> filters;
    for (const auto& sub : s.subscriptions) {
        const auto qos = static_cast<std::uint8_t>(sub.qos);
        effects_.push_back(subscribe_session{client_id_, std::string(sub.filter), qos});
        ++subscribing_;
        ack.return_codes.push_back(qos == 1 ? mqtt::suback_code::granted_qos1 : mqtt::suback_code::granted_qos0);
        filters.emplace_back(sub.filter);
        log_event(log_level::info, "Subscribe", true, {}, "QoS " + std::to_string(qos), &filters.back());
    }
    // Handed out after the subscriptions: the retained messages they answer with follow it.
    session_.send(mqtt::encode_to_bytes(ack));
    publish_subscription_event(true, std::move(filters));
}

void connection_machine::on_subscribed(const subscribe_session& s, subscribe_result r, std::size_t subscriptions,
                                       clock::time_point now) {
    if (subscribing_ > 0) --subscribing_;
    subscriptions_ = subscriptions;
    for (const auto& m : r.retained) on_deliver(m, std::min(s.qos, m->qos), true, now);
}

void connection_machine::on_unsubscribed(std::size_t subscriptions) { subscriptions_ = subscriptions; }

void connection_machine::handle_unsubscribe(const mqtt::unsubscribe& u, clock::time_point) {
    std::vector<std::string> filters;
    for (const auto f : u.filters) {
        effects_.push_back(unsubscribe_session{client_id_, std::string(f)});
        filters.emplace_back(f);
    }
    session_.send(mqtt::encode_to_bytes(mqtt::unsuback{.packet_id = u.packet_id}));
    publish_subscription_event(false, std::move(filters));
}

void connection_machine::publish_subscription_event(bool subscribed, std::vector<std::string> filters) {
    if (!env_.config->lifecycle_events || !has_lifecycle_events(client_id_)) return;
    const lifecycle_info info{.client_id = client_id_, .session_id = connection_id_, .principal = principal_id_,
                              .ip_address = peer_.ip, .reason = disconnect_reason::connection_lost, .version = 0};
    effects_.push_back(route_message{std::make_shared<message>(message{subscription_topic(client_id_, subscribed),
                                                                       subscription_event_json(info, subscribed, filters),
                                                                       1, false, {}})});
}

}  // namespace wv::gate
