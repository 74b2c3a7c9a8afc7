// The connection machine's frame: input framing, dispatch by state, timers, closing (Will,
// lifecycle event, broker detach) and logging. The per-packet steps live in *_step.cpp.
#include "gateway/connection_machine.hpp"

#include <algorithm>

#include "gateway/lifecycle_event.hpp"
#include "mqtt/mqtt.hpp"
#include "policy/arn.hpp"
#include "policy/evaluate.hpp"

namespace wv::gate {

connection_machine::connection_machine(machine_env env, peer_info peer, std::string connection_id,
                                       clock::time_point now)
    : env_(env), peer_(std::move(peer)), connection_id_(std::move(connection_id)) {
    connect_deadline_ = now + env_.config->limits.connect_timeout;
}

connection_machine::~connection_machine() = default;

std::vector<action> connection_machine::take_actions() {
    std::vector<action> out;
    out.swap(actions_);
    return out;
}

std::optional<clock::time_point> connection_machine::next_deadline() const {
    switch (state_) {
        case state::closed: return std::nullopt;
        case state::awaiting_connect:
        case state::authenticating: return connect_deadline_;
        case state::connected: break;
    }
    std::optional<clock::time_point> d;
    for (const auto& t : {keep_alive_deadline_, disconnect_deadline_, refresh_deadline_, replay_at_})
        if (t && (!d || *t < *d)) d = t;
    return d;
}

std::chrono::nanoseconds connection_machine::scaled(std::int64_t seconds) const {
    const double scale = env_.config->time_scale > 0 ? env_.config->time_scale : 1.0;
    return std::chrono::nanoseconds(static_cast<std::int64_t>(static_cast<double>(seconds) * 1e9 / scale));
}

void connection_machine::send(mqtt::byte_buffer b) {
    bump(env_.stats->bytes_out, b.size());
    actions_.push_back(send_bytes{std::move(b)});
}

void connection_machine::on_bytes(std::span<const std::byte> in, clock::time_point now) {
    if (state_ == state::closed) return;
    bump(env_.stats->bytes_in, in.size());
    in_.insert(in_.end(), in.begin(), in.end());
    handle_frame_bytes(now);
}

void connection_machine::handle_frame_bytes(clock::time_point now) {
    const auto& lim = env_.config->limits;
    const mqtt::limits frame_limits{.max_packet_bytes = lim.max_payload_bytes + 5 + 2 + lim.max_topic_bytes + 2};
    std::size_t used = 0;
    while (state_ == state::awaiting_connect || state_ == state::connected) {
        const auto r = mqtt::read_frame(std::span<const std::byte>(in_).subspan(used), frame_limits);
        if (std::holds_alternative<mqtt::need_more>(r)) break;
        if (const auto* e = std::get_if<std::error_code>(&r)) {
            const bool before = state_ == state::awaiting_connect;
            if (before) {
                bump(env_.stats->connects_protocol_error);
                fail_connect("CLIENT_ERROR", "malformed packet before CONNECT: " + e->message(), false);
            }
            close(disconnect_reason::client_error, "malformed packet: " + e->message(), now);
            return;
        }
        const auto& f = std::get<mqtt::frame>(r);
        used += f.consumed;
        if (state_ == state::connected && keep_alive_.count() > 0)
            keep_alive_deadline_ = now + std::chrono::duration_cast<clock::duration>(keep_alive_ * 3 / 2);

        auto p = mqtt::decode_any(f);
        if (!p) {
            if (state_ == state::awaiting_connect) {
                bump(env_.stats->connects_protocol_error);
                // 3.1.1 requires CONNACK 1 for a wrong protocol level (and 2 for an empty
                // client id without clean session) before closing.
                if (auto code = mqtt::connack_code_for(p.error()); code && f.type == mqtt::packet_type::connect)
                    send(mqtt::encode_to_bytes(mqtt::connack{.session_present = false, .code = *code}));
                fail_connect("CLIENT_ERROR", std::string("CONNECT refused: ") + p.error().message(), false);
            }
            close(disconnect_reason::client_error,
                  std::string(mqtt::to_string(f.type)) + " malformed: " + p.error().message(), now);
            return;
        }
        auto& pkt = *p;
        if (state_ == state::awaiting_connect) {
            if (const auto* c = std::get_if<mqtt::connect>(&pkt)) {
                handle_connect(*c, now);
            } else {
                bump(env_.stats->connects_protocol_error);
                fail_connect("CLIENT_ERROR", std::string("first packet is ") + std::string(mqtt::to_string(f.type)) +
                                                 ", not CONNECT", false);
                close(disconnect_reason::client_error, "first packet was not CONNECT", now);
                return;
            }
            continue;
        }
        std::visit(
            [&](const auto& x) {
                using T = std::decay_t<decltype(x)>;
                if constexpr (std::is_same_v<T, mqtt::publish>) {
                    handle_publish(x, now);
                } else if constexpr (std::is_same_v<T, mqtt::subscribe>) {
                    handle_subscribe(x, now);
                } else if constexpr (std::is_same_v<T, mqtt::unsubscribe>) {
                    handle_unsubscribe(x, now);
                } else if constexpr (std::is_same_v<T, mqtt::puback>) {
                    handle_puback(x.packet_id);
                } else if constexpr (std::is_same_v<T, mqtt::pingreq>) {
                    send(mqtt::encode_to_bytes(mqtt::pingresp{}));
                } else if constexpr (std::is_same_v<T, mqtt::disconnect>) {
                    close(disconnect_reason::client_initiated_disconnect, "DISCONNECT received", now, false);
                } else if constexpr (std::is_same_v<T, mqtt::connect>) {
                    close(disconnect_reason::client_error, "second CONNECT on the connection", now);
                } else {
                    // PUBREC/PUBREL/PUBCOMP (AWS has no QoS 2) and server-to-client packets.
                    close(disconnect_reason::client_error,
                          std::string(mqtt::to_string(mqtt::type_of(pkt))) + " is not supported", now);
                }
            },
            pkt);
    }
    in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(std::min(used, in_.size())));
    // While the authorizer runs, input waits (it is processed after CONNACK); a client that
    // sends more than one maximum-size packet's worth meanwhile is cut off, so waiting input
    // stays bounded whatever the authorizer's latency.
    if (state_ == state::authenticating && in_.size() > frame_limits.max_packet_bytes) {
        refuse_input_before_connack(frame_limits.max_packet_bytes, now);
        return;
    }
    if (in_.empty() && in_.capacity() > 4096) in_.shrink_to_fit();  // a big PUBLISH passed; give it back
}

void connection_machine::on_tick(clock::time_point now) {
    switch (state_) {
        case state::closed: return;
        case state::awaiting_connect:
        case state::authenticating:
            if (now >= connect_deadline_) {
                bump(env_.stats->connects_protocol_error);
                const bool auth = state_ == state::authenticating;
                fail_connect(auth ? "AUTHORIZATION_FAILURE" : "CLIENT_ERROR",
                             auth ? "no authorizer answer in time" : "no CONNECT within the deadline", auth);
                close(auth ? disconnect_reason::auth_error : disconnect_reason::client_error,
                      auth ? "authorizer did not answer" : "no CONNECT in time", now);
            }
            return;
        case state::connected: break;
    }
    if (keep_alive_deadline_ && now >= *keep_alive_deadline_) {
        close(disconnect_reason::mqtt_keep_alive_timeout, "no packet for 1.5 x keep-alive", now);
        return;
    }
    if (disconnect_deadline_ && now >= *disconnect_deadline_) {
        close(disconnect_reason::customauth_ttl_expiration, "disconnectAfterInSeconds elapsed", now);
        return;
    }
    if (refresh_deadline_ && now >= *refresh_deadline_ && !refreshing_) {
        start_refresh(now);
        if (state_ == state::closed) return;
    }
    if (replay_at_ && now >= *replay_at_) send_replay(now);
}

void connection_machine::on_kick(disconnect_reason why, clock::time_point now) {
    if (state_ == state::closed) return;
    const char* detail = "kicked";
    if (why == disconnect_reason::duplicate_clientid) detail = "another connection took the client id";
    if (why == disconnect_reason::server_initiated_disconnect) detail = "gateway shutting down";
    if (why == disconnect_reason::auth_error) detail = "the certificate (or its CA) is no longer ACTIVE";
    close(why, detail, now);
}

void connection_machine::on_transport_closed(clock::time_point now, std::string detail) {
    if (state_ == state::closed) return;
    close(disconnect_reason::connection_lost, detail.empty() ? "connection closed by the client" : std::move(detail),
          now);
}

void connection_machine::on_shutdown(clock::time_point now) {
    if (state_ == state::closed) return;
    close(disconnect_reason::server_initiated_disconnect, "gateway shutting down", now);
}

std::vector<message_ptr> connection_machine::unacked() const {
    // Packet ids are handed out in increasing order (wrapping, skipping 0): distance behind
    // next_packet_id_ orders them oldest first.
    std::vector<std::pair<std::uint16_t, message_ptr>> by_age;
    for (const auto& [id, m] : inflight_) by_age.emplace_back(static_cast<std::uint16_t>(id - next_packet_id_), m);
    std::sort(by_age.begin(), by_age.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<message_ptr> out;
    for (auto& [age, m] : by_age) out.push_back(std::move(m));
    for (const auto& [m, retained] : waiting_qos1_) out.push_back(m);
    out.insert(out.end(), replay_.begin() + static_cast<std::ptrdiff_t>(replay_next_), replay_.end());
    return out;
}

bool connection_machine::allowed(const std::string& action, const std::string& resource) {
    policy::request req;
    req.action = action;
    req.resource = resource;
    req.context.client_id = client_id_;
    req.context.source_ip = peer_.ip;
    req.context.domain_name = peer_.server_name;
    if (!clean_session_) req.context.connect_attributes.push_back("PersistentConnect");
    if (will_) {
        req.context.connect_attributes.push_back("LastWill");
        req.context.last_will_topic = policy::topic_arn({env_.config->region, env_.config->account}, will_->topic);
    }
    req.context.principal = principal_facts_.get();
    static const policy::policy_set none;
    const auto& pols = policies_ ? *policies_ : none;
    const auto e = policy::evaluate(pols, req);
    if (!e.allowed()) {
        bump(env_.stats->policy_denials);
        if (action != "iot:Receive")  // receive denials are routine (fan-out); debug only
            log_event(log_level::warn, "Authorization", false, "AUTHORIZATION_FAILURE",
                      action + " on " + resource + ": " + e.reason);
        else
            log_event(log_level::debug, "Authorization", false, "AUTHORIZATION_FAILURE",
                      action + " on " + resource + ": " + e.reason);
    }
    return e.allowed();
}

void connection_machine::close(disconnect_reason why, std::string detail, clock::time_point now, bool publish_will) {
    if (state_ == state::closed) return;
    const bool was_connected = state_ == state::connected;
    state_ = state::closed;
    if (cert_session_ && env_.cert_sessions) env_.cert_sessions->remove(cert_session_);
    cert_session_ = 0;
    if (was_connected) {
        bump(env_.stats->disconnects);
        if (publish_will && will_ && publishes_will(why)) publish_the_will(why);
        const bool undelivered = !inflight_.empty() || !waiting_qos1_.empty() || replay_next_ < replay_.size();
        if (!clean_session_ && undelivered) env_.brk->requeue_unacked(client_id_, self_.lock().get(), unacked());
        env_.brk->detach(client_id_, self_.lock().get(), now);
        publish_lifecycle(false, why);
        const auto level = why == disconnect_reason::client_initiated_disconnect ? log_level::info : log_level::warn;
        log_event(level, "Disconnect", why == disconnect_reason::client_initiated_disconnect,
                  std::string(to_string(why)), detail);
    } else if (state_ == state::closed && !detail.empty()) {
        log_event(log_level::debug, "Disconnect", false, std::string(to_string(why)), detail);
    }
    drop_deliveries();
    replay_.clear();
    replay_at_.reset();
    in_.clear();
    in_.shrink_to_fit();
    actions_.push_back(close_connection{why, std::move(detail)});
}

void connection_machine::publish_the_will(disconnect_reason why) {
    auto m = std::make_shared<message>(message{will_->topic, will_->payload, will_->qos, will_->retain, client_id_});
    env_.brk->publish(m);
    // The Will is a publish like any other for the rules engine too.
    if (env_.on_accepted_publish) (*env_.on_accepted_publish)(*m, principal_id_);
    log_event(log_level::info, "Publish-In", true, {}, "Will published (" + std::string(to_string(why)) + ")",
              &will_->topic);
}

void connection_machine::fail_connect(std::string status_reason, std::string detail, bool auth_failure) {
    if (auth_failure) bump(env_.stats->connects_auth_failed);
    log_event(log_level::error, "Connect", false, std::move(status_reason), std::move(detail));
}

void connection_machine::publish_lifecycle(bool connected, disconnect_reason why) {
    if (!env_.config->lifecycle_events || !has_lifecycle_events(client_id_)) return;
    lifecycle_info info{.client_id = client_id_,
                        .session_id = connection_id_,
                        .principal = principal_id_,
                        .ip_address = peer_.ip,
                        .reason = why};
    const auto m = std::make_shared<message>(message{lifecycle_topic(client_id_, connected),
                                                     connected ? connected_event_json(info) : disconnected_event_json(info),
                                                     1, false, {}});
    env_.brk->publish(m);
}

void connection_machine::log_event(log_level l, const char* event_type, bool success, std::string reason,
                                   std::string details, const std::string* topic) {
    if (!env_.log || !env_.log->enabled(l)) return;
    nlohmann::json j = {{"traceId", connection_id_}, {"status", success ? "Success" : "Failure"},
                        {"eventType", event_type}, {"protocol", "MQTT"}, {"clientId", client_id_},
                        {"principalId", principal_id_}, {"sourceIp", peer_.ip}, {"sourcePort", peer_.port}};
    if (topic) j["topicName"] = *topic;
    if (!reason.empty()) j["reason"] = std::move(reason);
    if (!details.empty()) j["details"] = std::move(details);
    env_.log->emit(l, std::move(j));
}

}  // namespace wv::gate
