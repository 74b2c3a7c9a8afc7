// PUBLISH in (limits, quota, iot:Publish, routing, PUBACK) and out (iot:Receive, QoS 1
// in-flight window, encoding).
#include <algorithm>

#include "gateway/aws_topics.hpp"
#include "gateway/connection_machine.hpp"
#include "gateway/provisioning_step.hpp"
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
    if (env_.log && env_.log->enabled(log_level::debug))
        log_event(log_level::debug, "Publish-In", true, {}, std::to_string(p.payload.size()) + " bytes",
                  &m->topic);
    if (p.qos == mqtt::qos::at_least_once)
        send(mqtt::encode_to_bytes(mqtt::puback{.packet_id = p.packet_id}));
    if (hand_to_provisioning(env_.provisioning, env_.brk, env_.log, m->topic, m->payload,
                             {client_id_, peer_.certificate ? peer_.certificate->cert.id() : std::string{}, self_}))
        return;
    env_.brk->publish(m);
    if (env_.on_accepted_publish) (*env_.on_accepted_publish)(*m, principal_id_);
}

void connection_machine::on_deliver(const message_ptr& m, std::uint8_t qos, bool retained,
                                    clock::time_point) {
    if (state_ != state::connected) return;
    // iot:Receive is evaluated per delivery (a refresh can revoke it); cached per topic
    // until the policies change.
    auto ok = decisions_.find(decision_cache::kind::receive, m->topic);
    if (!ok) {
        ok = allowed("iot:Receive", policy::topic_arn({env_.config->region, env_.config->account}, m->topic));
        decisions_.put(decision_cache::kind::receive, m->topic, *ok);
    }
    if (!*ok) return;  // silently not delivered, as AWS does
    send_publish(m, qos, retained);
}

bool connection_machine::send_publish(const message_ptr& m, std::uint8_t qos, bool retained) {
    // Behind waiting messages too, so that QoS 1 deliveries keep their order.
    if (qos == 1 && (inflight_.size() >= env_.config->limits.max_inflight_qos1 || !waiting_qos1_.empty()))
        return wait_for_window(m, retained);
    transmit_publish(m, qos, retained);
    return true;
}

void connection_machine::transmit_publish(const message_ptr& m, std::uint8_t qos, bool retained) {
    std::uint16_t id = 0;
    if (qos == 1) {
        do {
            id = next_packet_id_++;
            if (next_packet_id_ == 0) next_packet_id_ = 1;
        } while (id == 0 || inflight_.contains(id));
        inflight_.emplace(id, m);
    }
    mqtt::byte_buffer out;
    mqtt::encode(mqtt::publish{.topic = m->topic,
                               .payload = mqtt::as_bytes(m->payload),
                               .qos = static_cast<mqtt::qos>(qos),
                               .retain = retained,
                               .packet_id = id},
                 out);
    bump(env_.stats->messages_out);
    send(std::move(out));
}

namespace {
// What a waiting delivery counts against limits.max_outbox_bytes: its bytes plus bookkeeping.
std::size_t waiting_cost(const message& m) {
    return m.payload.size() + m.topic.size() + 64;
}
}  // namespace

bool connection_machine::wait_for_window(const message_ptr& m, bool retained) {
    const auto cost = waiting_cost(*m);
    if (waiting_bytes_ + cost > env_.config->limits.max_outbox_bytes) {
        bump(env_.stats->messages_dropped);
        return false;
    }
    waiting_bytes_ += cost;
    waiting_qos1_.emplace_back(m, retained);
    return true;
}

void connection_machine::send_replay(clock::time_point now) {
    // AWS replays a resumed session's stored QoS 1 messages at 10 msg/s: one now, the next
    // after 1/rate (rate 0: all at once).
    const double rate = env_.config->limits.session_replay_per_s;
    do {
        if (replay_next_ < replay_.size()) on_deliver(replay_[replay_next_++], 1, false, now);
    } while (rate <= 0 && replay_next_ < replay_.size());
    if (replay_next_ < replay_.size()) {
        replay_at_ = now + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(1.0 / rate));
    } else {
        replay_at_.reset();
        replay_.clear();
        replay_.shrink_to_fit();
        replay_next_ = 0;
    }
}

void connection_machine::drop_deliveries() {
    inflight_.clear();
    waiting_qos1_.clear();
    waiting_bytes_ = 0;
}

void connection_machine::handle_puback(std::uint16_t packet_id) {
    if (!inflight_.erase(packet_id)) return;
    while (!waiting_qos1_.empty() && inflight_.size() < env_.config->limits.max_inflight_qos1) {
        auto [m, retained] = std::move(waiting_qos1_.front());
        waiting_qos1_.pop_front();
        waiting_bytes_ -= waiting_cost(*m);
        transmit_publish(m, 1, retained);
    }
}

}  // namespace wv::gate
