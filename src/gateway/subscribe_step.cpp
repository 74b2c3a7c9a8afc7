// SUBSCRIBE and UNSUBSCRIBE: AWS's limits (8 filters per packet, 50 per connection, no QoS 2,
// reserved topics), iot:Subscribe per filter, then one subscribe_session per filter and the
// SUBACK; the retained messages for exact filters come back in on_subscribed and follow it.
// The subscription lifecycle events ($aws/events/subscriptions/...) go out as route_message.
// MQTT 5: a refused filter is a SUBACK reason code (0x87 not authorized, 0x8F invalid) and the
// others go ahead; Subscription Identifiers end the connection (0xA1); the options (No Local,
// Retain As Published, Retain Handling) and shared subscriptions reach the broker.
#include <algorithm>

#include "gateway/aws_topics.hpp"
#include "gateway/connection_machine.hpp"
#include "gateway/lifecycle_event.hpp"
#include "mqtt/mqtt.hpp"
#include "policy/arn.hpp"

namespace wv::gate {

namespace {
// A filter's verdict against AWS's rules; a shared one ($share/<group>/<filter>, spec 5.2) is its
// group (at most 128 characters) and its inner filter (whose limits leave the prefix out).
topic_verdict check_filter(std::string_view filter, const topic_limits& lim) {
    if (const auto share = parse_shared(filter)) {
        if (share->group.size() > 128) return topic_verdict::too_long;
        return check_subscribe_filter(share->filter, lim);
    }
    return check_subscribe_filter(filter, lim);
}
}  // namespace

void connection_machine::handle_subscribe(const mqtt::subscribe& s, clock::time_point now) {
    const auto& lim = env_.config->limits;
    if (v5() && s.properties.contains(mqtt::property_id::subscription_identifier)) {
        // AWS does not support Subscription Identifiers (CONNACK says so): DISCONNECT 0xA1.
        close(disconnect_reason::client_error, mqtt::reason_code::subscription_identifiers_not_supported,
              "Subscription Identifier in SUBSCRIBE", now);
        return;
    }
    if (s.subscriptions.size() > lim.max_filters_per_subscribe) {
        close(disconnect_reason::client_error, mqtt::reason_code::quota_exceeded,
              "SUBSCRIBE with " + std::to_string(s.subscriptions.size()) + " filters (AWS allows " +
                  std::to_string(lim.max_filters_per_subscribe) + ")",
              now);
        return;
    }
    const policy::arn_scope scope{env_.config->region, env_.config->account};
    // MQTT 5: one reason code per filter, the refused ones answered in SUBACK; 3.1.1: a refused
    // filter closes the connection, as AWS does.
    std::vector<mqtt::reason_code> codes(s.subscriptions.size(), mqtt::granted_qos0);
    std::size_t accepted = 0;
    for (std::size_t i = 0; i < s.subscriptions.size(); ++i) {
        const auto& sub = s.subscriptions[i];
        const std::string filter(sub.filter);
        if (sub.qos == mqtt::qos::exactly_once && !v5()) {
            close(disconnect_reason::client_error, "QoS 2 SUBSCRIBE to " + filter + " (AWS supports QoS 0 and 1)", now);
            return;
        }
        if (const auto v = check_filter(sub.filter, {lim.max_topic_bytes, lim.max_topic_slashes}); v != topic_verdict::ok) {
            if (!v5()) {
                close(disconnect_reason::client_error, "SUBSCRIBE to " + filter + ": " + to_string(v), now);
                return;
            }
            codes[i] = mqtt::reason_code::topic_filter_invalid;
            log_event(log_level::warn, "Subscribe", false, "CLIENT_ERROR", to_string(v), &filter);
            continue;
        }
        if (!allowed("iot:Subscribe", policy::topicfilter_arn(scope, filter))) {
            log_event(log_level::error, "Subscribe", false, "AUTHORIZATION_FAILURE", "not authorized", &filter);
            if (!v5()) {
                close(disconnect_reason::auth_error, "SUBSCRIBE to " + filter + " not authorized", now);
                return;
            }
            codes[i] = mqtt::reason_code::not_authorized;
            continue;
        }
        // MQTT 5: QoS 2 is granted as 1 (CONNACK's Maximum QoS).
        codes[i] = sub.qos == mqtt::qos::at_most_once ? mqtt::granted_qos0 : mqtt::reason_code::granted_qos1;
        ++accepted;
    }
    // Counted generously (a re-subscription to a present filter counts too, and so do filters
    // of a SUBSCRIBE not answered yet): AWS's limit text says excess "may be rejected and the
    // connection closed".
    if (subscriptions_ + subscribing_ + accepted > lim.max_subscriptions_per_connection) {
        close(disconnect_reason::client_error, mqtt::reason_code::quota_exceeded,
              "more than " + std::to_string(lim.max_subscriptions_per_connection) + " subscriptions", now);
        return;
    }
    mqtt::suback ack{.packet_id = s.packet_id, .return_codes = {}};
    std::vector<std::string> filters;
    for (std::size_t i = 0; i < s.subscriptions.size(); ++i) {
        if (mqtt::is_failure(codes[i])) continue;
        const auto& sub = s.subscriptions[i];
        const auto qos = static_cast<std::uint8_t>(codes[i]);
        effects_.push_back(subscribe_session{client_id_, std::string(sub.filter), qos,
                                             {.no_local = sub.no_local, .retain_as_published = sub.retain_as_published},
                                             static_cast<std::uint8_t>(sub.retain_handling)});
        ++subscribing_;
        filters.emplace_back(sub.filter);
        log_event(log_level::info, "Subscribe", true, {}, "QoS " + std::to_string(qos), &filters.back());
    }
    // Handed out after the subscriptions: the retained messages they answer with follow it.
    if (v5()) {
        ack.reason_codes = std::move(codes);
        session_.send(mqtt::encode_to_bytes(ack, mqtt::protocol_level::v5));
    } else {
        for (std::size_t i = 0; i < s.subscriptions.size(); ++i)
            ack.return_codes.push_back(codes[i] == mqtt::reason_code::granted_qos1 ? mqtt::suback_code::granted_qos1
                                                                                   : mqtt::suback_code::granted_qos0);
        session_.send(mqtt::encode_to_bytes(ack));
    }
    if (!filters.empty()) publish_subscription_event(true, std::move(filters));
}

void connection_machine::on_subscribed(const subscribe_session& s, subscribe_result r, std::size_t subscriptions,
                                       clock::time_point now) {
    if (subscribing_ > 0) --subscribing_;
    subscriptions_ = subscriptions;
    // MQTT 5 Retain Handling: 2 never, 1 only for a new subscription.
    if (s.retain_handling == 2 || (s.retain_handling == 1 && r.existed)) return;
    for (const auto& m : r.retained) on_deliver(m, std::min(s.qos, m->qos), true, now);
}

void connection_machine::on_unsubscribed(std::size_t subscriptions) { subscriptions_ = subscriptions; }

void connection_machine::handle_unsubscribe(const mqtt::unsubscribe& u, clock::time_point) {
    std::vector<std::string> filters;
    for (const auto f : u.filters) {
        effects_.push_back(unsubscribe_session{client_id_, std::string(f)});
        filters.emplace_back(f);
    }
    if (v5())
        session_.send(mqtt::encode_to_bytes(
            mqtt::unsuback{.packet_id = u.packet_id, .reason_codes = std::vector(filters.size(), mqtt::reason_code::success)},
            mqtt::protocol_level::v5));
    else
        session_.send(mqtt::encode_to_bytes(mqtt::unsuback{.packet_id = u.packet_id}));
    publish_subscription_event(false, std::move(filters));
}

void connection_machine::publish_subscription_event(bool subscribed, std::vector<std::string> filters) {
    if (!env_.config->lifecycle_events || !has_lifecycle_events(client_id_)) return;
    const lifecycle_info info{.client_id = client_id_, .session_id = connection_id_, .principal = principal_id_,
                              .ip_address = peer_.ip, .reason = disconnect_reason::connection_lost, .version = 0};
    effects_.push_back(route_message{std::make_shared<message>(message{subscription_topic(client_id_, subscribed),
                                                                       subscription_event_json(info, subscribed, filters),
                                                                       1, false, {}, {}, {}})});
}

}  // namespace wv::gate
