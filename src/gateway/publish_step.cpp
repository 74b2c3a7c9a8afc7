// PUBLISH in, AWS's rules in order: QoS 2 refused, topic rules (256 bytes, 7 slashes,
// reserved $aws names), payload size, the per-connection publish quota, iot:Publish (and
// iot:RetainPublish), then PUBACK and the message handed out: route_message (the broker's
// subscribers) and rules_event (the topic rules).
//
// A new AWS topic the gateway answers itself (a reserved $aws API topic) goes here: after the
// policy check, hand out its own effect instead of route_message (connection_effects.hpp),
// applied in effect_applier.cpp.
#include <algorithm>

#include "gateway/aws_topics.hpp"
#include "gateway/connection_machine.hpp"
#include "mqtt/mqtt.hpp"
#include "policy/arn.hpp"

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
    const std::string_view topic = p.topic;
    if (p.qos == mqtt::qos::exactly_once) {
        // Observed on AWS: a QoS 2 PUBLISH ends the connection.
        close(disconnect_reason::client_error,
              "QoS 2 PUBLISH on " + std::string(topic) + " (AWS supports QoS 0 and 1)", now);
        return;
    }
    if (const auto v = check_publish_topic(p.topic, p.retain, {lim.max_topic_bytes, lim.max_topic_slashes});
        v != topic_verdict::ok) {
        close(disconnect_reason::client_error, "PUBLISH to " + std::string(topic) + ": " + to_string(v), now);
        return;
    }
    if (p.payload.size() > lim.max_payload_bytes) {
        close(disconnect_reason::client_error,
              "PUBLISH payload of " + std::to_string(p.payload.size()) + " bytes exceeds " +
                  std::to_string(lim.max_payload_bytes),
              now);
        return;
    }
    if (!take_publish_token(now)) {
        // AWS discards publishes over the per-connection rate (no PUBACK).
        bump(env_.stats->messages_dropped);
        const std::string t(topic);
        log_event(log_level::warn, "Publish-In", false, "THROTTLED", "publish rate quota exceeded", &t);
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
        close(disconnect_reason::auth_error, "PUBLISH to " + t + " not authorized", now);
        return;
    }
    bump(env_.stats->messages_in);
    auto m = std::make_shared<message>(message{std::string(topic), std::string(mqtt::as_chars(p.payload)),
                                               static_cast<std::uint8_t>(p.qos), p.retain, client_id_});
    if (logs(log_level::debug))
        log_event(log_level::debug, "Publish-In", true, {}, std::to_string(p.payload.size()) + " bytes", &m->topic);
    if (p.qos == mqtt::qos::at_least_once) session_.send(mqtt::encode_to_bytes(mqtt::puback{.packet_id = p.packet_id}));
    effects_.push_back(route_message{m});
    if (env_.has_rules) effects_.push_back(rules_event{std::move(m), principal_id_});
}

}  // namespace wv::gate
