// The connection machine's frame: packets out of the session's input, dispatch by state,
// timers, closing (Will, lifecycle event, detach) and the log. The per-packet steps live in
// *_step.cpp.
#include "gateway/connection_machine.hpp"

#include <algorithm>

#include "gateway/lifecycle_event.hpp"
#include "gateway/mqtt5_properties.hpp"
#include "mqtt/mqtt.hpp"
#include "policy/arn.hpp"
#include "policy/evaluate.hpp"

namespace wv::gate {

connection_machine::connection_machine(machine_env env, peer_info peer, std::string connection_id,
                                       clock::time_point now)
    : env_(env),
      peer_{std::move(peer.ip), std::move(peer.server_name), std::move(peer.http), std::move(peer.certificate), peer.port,
            peer.x509, peer.websocket},
      connection_id_(std::move(connection_id)),
      session_(env_.config->limits, *env_.stats, effects_) {
    connect_deadline_ = now + env_.config->limits.connect_timeout;
}

connection_machine::~connection_machine() = default;

effects connection_machine::take_effects() {
    effects out;
    out.swap(effects_);
    return out;
}

void connection_machine::take_effects(effects& into) noexcept {
    into.clear();
    into.swap(effects_);
}

std::optional<clock::time_point> connection_machine::next_deadline() const {
    switch (state_) {
        case state::closed: return std::nullopt;
        case state::connected: break;
        default: return connect_deadline_;
    }
    std::optional<clock::time_point> d = session_.next_deadline();
    for (const auto t : {disconnect_deadline_, refresh_deadline_})
        if (t != clock::time_point::max() && (!d || t < *d)) d = t;
    return d;
}

bool connection_machine::waiting_for_connack() const noexcept {
    return state_ == state::admitting || state_ == state::authenticating || state_ == state::attaching;
}

std::chrono::nanoseconds connection_machine::scaled(std::int64_t seconds) const {
    const double scale = env_.config->time_scale > 0 ? env_.config->time_scale : 1.0;
    return std::chrono::nanoseconds(static_cast<std::int64_t>(static_cast<double>(seconds) * 1e9 / scale));
}

namespace {
// The protocol level a CONNECT body asks for ("MQTT" + level), so that a CONNECT the decoder
// refuses is still answered in its client's version; nullopt when it is not even that.
std::optional<std::uint8_t> peek_connect_level(std::span<const std::byte> body) {
    static constexpr unsigned char mqtt_name[] = {0x00, 0x04, 'M', 'Q', 'T', 'T'};
    if (body.size() < 7) return std::nullopt;
    for (std::size_t i = 0; i < sizeof mqtt_name; ++i)
        if (body[i] != std::byte{mqtt_name[i]}) return std::nullopt;
    return static_cast<std::uint8_t>(body[6]);
}
}  // namespace

void connection_machine::on_bytes(std::span<const std::byte> in, clock::time_point now) {
    if (state_ == state::closed) return;
    session_.set_clock(now);
    session_.append_input(in);
    handle_frames(now);
    session_.compact_input();  // `in` goes away now: keep what is left of it (a closed machine too)
}

void connection_machine::handle_frames(clock::time_point now) {
    while (state_ == state::awaiting_connect || state_ == state::connected) {
        const auto r = session_.next_frame();
        if (std::holds_alternative<mqtt::need_more>(r)) break;
        if (const auto* e = std::get_if<std::error_code>(&r)) {
            if (state_ == state::awaiting_connect) {
                bump(env_.stats->connects_protocol_error);
                fail_connect("CLIENT_ERROR", "malformed packet before CONNECT: " + e->message(), false);
            }
            close(disconnect_reason::client_error, mqtt::reason_code_for(*e), "malformed packet: " + e->message(), now);
            return;
        }
        const auto& f = std::get<mqtt::frame>(r);
        if (state_ == state::connected) session_.packet_received(now);

        // The CONNECT is read as the highest level wvgate speaks; every later packet at its level.
        auto p = mqtt::decode_any(f, state_ == state::awaiting_connect ? mqtt::protocol_level::v5 : session_.version());
        if (!p) {
            if (state_ == state::awaiting_connect) {
                bump(env_.stats->connects_protocol_error);
                const bool connect_v5 = f.type == mqtt::packet_type::connect && peek_connect_level(f.body) == 5 &&
                                        p.error() != mqtt::mqtt_errc::unacceptable_protocol_level;
                if (connect_v5) {
                    // MQTT 5: CONNACK with the reason the standard gives the error (5.0 4.13).
                    session_.set_version(mqtt::protocol_level::v5);
                    fail_connect("CLIENT_ERROR", std::string("CONNECT refused: ") + p.error().message(), false,
                                 mqtt::reason_code_for(p.error()));
                } else {
                    // 3.1.1 requires CONNACK 1 for a wrong protocol level (and 2 for an empty
                    // client id without clean session) before closing.
                    if (auto code = mqtt::connack_code_for(p.error()); code && f.type == mqtt::packet_type::connect)
                        session_.send(mqtt::encode_to_bytes(mqtt::connack{.session_present = false, .code = *code}));
                    fail_connect("CLIENT_ERROR", std::string("CONNECT refused: ") + p.error().message(), false);
                }
            }
            close(disconnect_reason::client_error, mqtt::reason_code_for(p.error()),
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
                    session_.acknowledge(x.packet_id);
                } else if constexpr (std::is_same_v<T, mqtt::pingreq>) {
                    session_.send(mqtt::encode_to_bytes(mqtt::pingresp{}));
                } else if constexpr (std::is_same_v<T, mqtt::disconnect>) {
                    if (disconnect_received(x, now))
                        close(disconnect_reason::client_initiated_disconnect, "DISCONNECT received", now,
                              x.reason == mqtt::reason_code::disconnect_with_will_message);
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
    if (state_ == state::closed) return;
    session_.compact_input();
    // While the CONNECT is being decided, input waits (it is processed after CONNACK); a client
    // that sends more than one maximum-size packet's worth meanwhile is cut off, so waiting
    // input stays bounded whatever the authorizer's latency.
    if (waiting_for_connack() && session_.buffered_input() > session_.max_packet_bytes())
        refuse_input_before_connack(now);
}

void connection_machine::on_tick(clock::time_point now) {
    session_.set_clock(now);
    switch (state_) {
        case state::closed: return;
        case state::connected: break;
        default:
            if (now >= connect_deadline_) {
                bump(env_.stats->connects_protocol_error);
                const bool auth = state_ == state::authenticating || state_ == state::attaching;
                fail_connect(auth ? "AUTHORIZATION_FAILURE" : "CLIENT_ERROR",
                             auth ? "no authorizer answer in time" : "no CONNECT within the deadline", auth);
                close(auth ? disconnect_reason::auth_error : disconnect_reason::client_error,
                      auth ? "authorizer did not answer" : "no CONNECT in time", now);
            }
            return;
    }
    if (session_.keep_alive_expired(now)) {
        close(disconnect_reason::mqtt_keep_alive_timeout, "no packet for 1.5 x keep-alive", now);
        return;
    }
    if (now >= disconnect_deadline_) {
        close(disconnect_reason::customauth_ttl_expiration, "disconnectAfterInSeconds elapsed", now);
        return;
    }
    if (now >= refresh_deadline_ && !refreshing_) {
        start_refresh(now);
        if (state_ == state::closed) return;
    }
    send_due_replay(now);
}

void connection_machine::on_kick(disconnect_reason why, clock::time_point now) {
    if (state_ == state::closed) return;
    const char* detail = "kicked";
    if (why == disconnect_reason::duplicate_clientid) detail = "another connection took the client id";
    if (why == disconnect_reason::server_initiated_disconnect) detail = "gateway shutting down";
    if (why == disconnect_reason::auth_error) detail = "the certificate (or its CA) is no longer ACTIVE";
    if (why == disconnect_reason::websocket_ttl_expiration) detail = "the WebSocket connection's lifetime (24 h) is up";
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
        // Receive denials are routine (fan-out): debug only.
        log_event(action != "iot:Receive" ? log_level::warn : log_level::debug, "Authorization", false,
                  "AUTHORIZATION_FAILURE", action + " on " + resource + ": " + e.reason);
    }
    return e.allowed();
}

void connection_machine::close(disconnect_reason why, std::string detail, clock::time_point now, bool publish_will) {
    close_with(why, std::nullopt, std::move(detail), now, publish_will);
}

void connection_machine::close(disconnect_reason why, mqtt::reason_code code, std::string detail,
                               clock::time_point now) {
    close_with(why, code, std::move(detail), now, true);
}

void connection_machine::close_with(disconnect_reason why, std::optional<mqtt::reason_code> code, std::string detail,
                                    clock::time_point now, bool publish_will) {
    if (state_ == state::closed) return;
    const bool was_connected = state_ == state::connected;
    // MQTT 5: the server says why before it closes (5.0 4.13), as AWS does.
    if (was_connected && v5()) {
        if (!code) code = disconnect_code_for(why);
        if (code) send_disconnect(*code, detail);
    }
    state_ = state::closed;
    if (was_connected) {
        bump(env_.stats->disconnects);
        // A client's DISCONNECT publishes it only with MQTT 5's 0x04 (the caller says so).
        if (publish_will && will_ && (publishes_will(why) || why == disconnect_reason::client_initiated_disconnect))
            publish_the_will(why, now);
        // A persistent session keeps what was not acknowledged, to send again on resume.
        detach_session d{client_id_, {}, {}};
        if (!clean_session_ && session_.has_undelivered()) d.unacked = session_.unacked();
        if (session_expiry_changed_) d.session_expiry = std::chrono::duration_cast<clock::duration>(scaled(session_expiry_s_));
        effects_.push_back(std::move(d));
        publish_lifecycle(false, why);
        const auto level = why == disconnect_reason::client_initiated_disconnect ? log_level::info : log_level::warn;
        log_event(level, "Disconnect", why == disconnect_reason::client_initiated_disconnect,
                  std::string(to_string(why)), detail);
    } else if (!detail.empty()) {
        log_event(log_level::debug, "Disconnect", false, std::string(to_string(why)), detail);
    }
    session_.clear();
    effects_.push_back(close_connection{why, std::move(detail)});
}

void connection_machine::publish_the_will(disconnect_reason why, clock::time_point now) {
    auto w = message{will_->topic, will_->payload, will_->qos, will_->retain, client_id_, will_->properties, {}};
    if (will_->expiry_s) w.expires_at = now + std::chrono::seconds(*will_->expiry_s);
    auto m = std::make_shared<message>(std::move(w));
    if (will_->delay_s > 0 && session_expiry_s_ > 0) {
        // MQTT 5 Will Delay: at the earlier of the delay and the session's end, unless the client
        // connects again first (5.0 3.1.3.2.2). A session that ends with the connection sends it now.
        const auto delay = std::min(will_->delay_s, session_expiry_s_);
        effects_.push_back(delay_will{client_id_, m, now + std::chrono::duration_cast<clock::duration>(scaled(delay))});
        log_event(log_level::info, "Publish-In", true, {},
                  "Will delayed " + std::to_string(delay) + " s (" + std::string(to_string(why)) + ")", &will_->topic);
        return;
    }
    effects_.push_back(route_message{m});
    // The Will is a publish like any other for the rules engine too.
    if (env_.has_rules) effects_.push_back(rules_event{m, principal_id_});
    log_event(log_level::info, "Publish-In", true, {}, "Will published (" + std::string(to_string(why)) + ")",
              &will_->topic);
}

void connection_machine::fail_connect(std::string status_reason, std::string detail, bool auth_failure,
                                      std::optional<mqtt::reason_code> code) {
    if (auth_failure) bump(env_.stats->connects_auth_failed);
    if (v5() && !connack_sent_) {
        const bool auth = auth_failure || status_reason == "AUTHORIZATION_FAILURE";
        const auto rc = code ? *code : auth ? mqtt::reason_code::not_authorized : mqtt::reason_code::unspecified_error;
        const bool auth_code = rc == mqtt::reason_code::not_authorized || rc == mqtt::reason_code::bad_user_name_or_password;
        send_refusal_connack(rc, auth_code ? refused_connect_reason_string(connection_id_) : detail);
    }
    log_event(log_level::error, "Connect", false, std::move(status_reason), std::move(detail));
}

void connection_machine::publish_lifecycle(bool connected, disconnect_reason why) {
    if (!env_.config->lifecycle_events || !has_lifecycle_events(client_id_)) return;
    lifecycle_info info{.client_id = client_id_,
                        .session_id = connection_id_,
                        .principal = principal_id_,
                        .ip_address = peer_.ip,
                        .reason = why};
    effects_.push_back(route_message{std::make_shared<message>(
        message{lifecycle_topic(client_id_, connected),
                connected ? connected_event_json(info) : disconnected_event_json(info), 1, false, {}, {}, {}})});
}

void connection_machine::log_event(log_level l, const char* event_type, bool success, std::string reason,
                                   std::string details, const std::string* topic) {
    if (!logs(l)) return;
    nlohmann::json j = {{"traceId", connection_id_}, {"status", success ? "Success" : "Failure"},
                        {"eventType", event_type}, {"protocol", "MQTT"}, {"clientId", client_id_},
                        {"principalId", principal_id_}, {"sourceIp", peer_.ip}, {"sourcePort", peer_.port}};
    if (state_ != state::awaiting_connect || v5()) j["mqttVersion"] = v5() ? "5.0" : "3.1.1";
    if (topic) j["topicName"] = *topic;
    if (peer_.websocket) j["transport"] = "wss";  // wvgate's: AWS logs MQTT over WSS as protocol MQTT
    if (!reason.empty()) j["reason"] = std::move(reason);
    if (!details.empty()) j["details"] = std::move(details);
    effects_.push_back(log_line{l, std::move(j)});
}

}  // namespace wv::gate
