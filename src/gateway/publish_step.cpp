// PUBLISH in, AWS's rules in order: QoS 2 refused, topic rules (256 bytes, 7 slashes,
// reserved $aws names), payload size, the per-connection publish quota, iot:Publish (and
// iot:RetainPublish), then PUBACK and the message handed out: route_message (the broker's
// subscribers) and rules_event (the topic rules).
//
// MQTT 5 (AWS): the topic may come through a Topic Alias; a denied or throttled QoS 1 PUBLISH
// gets PUBACK 0x87 / 0x97 and the connection carries on; the properties a subscriber should see
// and the Message Expiry travel with the message (mqtt5_properties.hpp).
//
// A new AWS topic the gateway answers itself (a reserved $aws API topic) goes here: after the
// policy check, hand out its own effect instead of route_message (connection_effects.hpp),
// applied in effect_applier.cpp.
#include <algorithm>

#include "gateway/aws_topics.hpp"
#include "gateway/connection_machine.hpp"
#include "gateway/mqtt5_properties.hpp"
#include "mqtt/mqtt.hpp"
#include "policy/arn.hpp"
#include "provisioning/mqtt_api.hpp"

namespace wv::gate {

bool connection_machine::take_publish_token(clock::time_point now) {
    const double rate = env_.config->limits.publish_rate_per_s;
    if (rate <= 0) return true;
    const double elapsed = std::chrono::duration<double>(now - tokens_at_).count();
    tokens_ = std::min(rate, tokens_ + elapsed * rate);  // a burst of one second's worth
    tokens_at_ = now;
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
}

void connection_machine::handle_publish(const mqtt::publish& p, clock::time_point now) {
    const auto& lim = env_.config->limits;
    // A view: the one copy of the topic is the message's, made once every check has passed.
    std::string_view topic = p.topic;
    if (v5()) {
        const auto t = resolve_topic_alias(p, now);
        if (!t) return;
        topic = *t;
    }
    if (p.qos == mqtt::qos::exactly_once) {
        // Observed on AWS: a QoS 2 PUBLISH ends the connection (MQTT 5: CONNACK said Maximum QoS 1).
        close(disconnect_reason::client_error, mqtt::reason_code::qos_not_supported,
              "QoS 2 PUBLISH on " + std::string(topic) + " (AWS supports QoS 0 and 1)", now);
        return;
    }
    if (const auto v = check_publish_topic(topic, p.retain, {lim.max_topic_bytes, lim.max_topic_slashes});
        v != topic_verdict::ok) {
        close(disconnect_reason::client_error, mqtt::reason_code::topic_name_invalid,
              "PUBLISH to " + std::string(topic) + ": " + to_string(v), now);
        return;
    }
    if (p.payload.size() > lim.max_payload_bytes) {
        close(disconnect_reason::client_error, mqtt::reason_code::packet_too_large,
              "PUBLISH payload of " + std::to_string(p.payload.size()) + " bytes exceeds " +
                  std::to_string(lim.max_payload_bytes),
              now);
        return;
    }
    if (v5()) {
        if (const auto n = user_properties_bytes(p.properties); n > lim.max_user_properties_bytes) {
            // Treated as AWS treats a payload over its quota: the connection ends (CLIENT_ERROR).
            close(disconnect_reason::client_error, mqtt::reason_code::packet_too_large,
                  "PUBLISH user properties of " + std::to_string(n) + " bytes exceed " +
                      std::to_string(lim.max_user_properties_bytes),
                  now);
            return;
        }
    }
    if (!take_publish_token(now)) {
        // AWS discards publishes over the per-connection rate (3.1.1: no PUBACK; 5: PUBACK 0x97).
        bump(env_.stats->messages_dropped);
        const std::string t(topic);
        log_event(log_level::warn, "Publish-In", false, "THROTTLED", "publish rate quota exceeded", &t);
        if (v5()) answer_publish(p, mqtt::reason_code::quota_exceeded, "publish rate quota exceeded");
        return;
    }
    const auto cached = [&](decision_cache::kind k, const char* action) {
        if (const auto known = decisions_.find(k, topic)) return *known;
        const policy::arn_scope scope{env_.config->region, env_.config->account};
        const bool ok = allowed(action, policy::topic_arn(scope, topic));
        decisions_.put(k, topic, ok);
        return ok;
    };
    if (!cached(decision_cache::kind::publish, "iot:Publish") ||
        (p.retain && !cached(decision_cache::kind::retain_publish, "iot:RetainPublish"))) {
        const std::string t(topic);
        log_event(log_level::error, "Publish-In", false, "AUTHORIZATION_FAILURE", "not authorized", &t);
        if (v5()) {
            // MQTT 5: AWS answers PUBACK 0x87 and the connection carries on (QoS 0: dropped).
            answer_publish(p, mqtt::reason_code::not_authorized, "Not authorized to publish to " + t);
            return;
        }
        close(disconnect_reason::auth_error, "PUBLISH to " + t + " not authorized", now);
        return;
    }
    if (v5() && p.properties.number(mqtt::property_id::payload_format_indicator) == 1u &&
        mqtt::validate_utf8(mqtt::as_chars(p.payload))) {
        // 5.0 3.3.2.3.2: a receiver may refuse a payload that says UTF-8 and is not.
        answer_publish(p, mqtt::reason_code::payload_format_invalid, "payload is not valid UTF-8");
        return;
    }
    bump(env_.stats->messages_in);
    auto msg = message{std::string(topic), std::string(mqtt::as_chars(p.payload)), static_cast<std::uint8_t>(p.qos),
                       p.retain, client_id_, {}, {}};
    if (v5() && !p.properties.empty()) {
        msg.properties = forwarded_properties(p.properties);
        if (const auto e = p.properties.number(mqtt::property_id::message_expiry_interval))
            msg.expires_at = message_expires_at(now, *e);
    }
    auto m = std::make_shared<message>(std::move(msg));
    if (logs(log_level::debug))
        log_event(log_level::debug, "Publish-In", true, {}, std::to_string(p.payload.size()) + " bytes", &m->topic);
    if (p.qos == mqtt::qos::at_least_once) answer_publish(p, mqtt::reason_code::success, {});
    if (env_.provisioning && provisioning::parse_request_topic(m->topic)) {
        // Fleet provisioning's API answers it (to this connection only); the broker never sees it.
        effects_.push_back(provisioning_request{m->topic, m->payload, client_id_,
                                                peer_.certificate ? peer_.certificate->cert.id() : std::string{}});
        return;
    }
    effects_.push_back(route_message{m});
    if (env_.has_rules) effects_.push_back(rules_event{std::move(m), principal_id_});
}

}  // namespace wv::gate
