// CONNECT: validation as AWS does it, the 1 CONNECT/s throttle (admit_connect), custom
// authentication (authorizer selection, token signature, the event, the verdict),
// iot:Connect and Will authorization, then the session (attach_session) and CONNACK. Any
// failure closes without CONNACK: that is what an MQTT 3.1.1 device sees from AWS (spec 2.4,
// 4.6); an MQTT 5 device gets a CONNACK with a reason code and reason string first
// (fail_connect, mqtt5_step.cpp).
#include <algorithm>

#include "gateway/aws_topics.hpp"
#include "gateway/connection_machine.hpp"
#include "gateway/mqtt5_properties.hpp"
#include "mqtt/mqtt.hpp"
#include "policy/arn.hpp"
#include "policy/evaluate.hpp"
#include "policy/scope_check.hpp"

namespace wv::gate {
namespace {

const policy::scope_settings& gateway_scope_settings() {
    static const policy::scope_settings s{"region:", "account:", "the gateway config (wvgate YAML; under wvsim: --gateway-config)"};
    return s;
}

}  // namespace

void connection_machine::handle_connect(const mqtt::connect& c, clock::time_point now) {
    const auto& lim = env_.config->limits;
    client_id_ = std::string(c.client_id);
    if (c.protocol_level == static_cast<std::uint8_t>(mqtt::protocol_level::v5))
        session_.set_version(mqtt::protocol_level::v5);
    if (c.client_id.empty() && v5()) {
        // MQTT 5: the server assigns one and says so in CONNACK (spec 5.2). AWS's format is
        // not documented; the connection's id is unique and a valid client id.
        client_id_ = connection_id_;
        client_id_assigned_ = true;
    } else if (c.client_id.empty()) {
        // AWS's 3.1.1 behaviour for an empty client id is not documented; refuse it the way
        // the MQTT spec allows (CONNACK 2) rather than invent an assigned id.
        bump(env_.stats->connects_protocol_error);
        session_.send(mqtt::encode_to_bytes(mqtt::connack{.code = mqtt::connack_code::identifier_rejected}));
        fail_connect("CLIENT_ERROR", "empty client id", false);
        close(disconnect_reason::client_error, "empty client id", now);
        return;
    }
    if (c.client_id.size() > lim.max_client_id_bytes) {
        bump(env_.stats->connects_protocol_error);
        fail_connect("CLIENT_ERROR", "client id longer than " + std::to_string(lim.max_client_id_bytes) + " bytes",
                     false, mqtt::reason_code::client_identifier_not_valid);
        close(disconnect_reason::client_error, "client id too long", now);
        return;
    }
    clean_session_ = c.clean_session;
    // AWS raises a keep-alive under 30 s to 30 s rather than refusing the CONNECT, and gives 0
    // or anything over 1,200 s the 1,200 s default: a device sees here the drop timing it
    // will see in production.
    keep_alive_requested_ = c.keep_alive_s;
    auto ka = c.keep_alive_s;
    if (ka == 0 || ka > lim.max_keep_alive_s) ka = lim.max_keep_alive_s;
    if (ka < lim.min_keep_alive_s) ka = lim.min_keep_alive_s;
    session_.set_keep_alive(std::chrono::seconds(ka));
    if (c.user_name) {
        username_ = std::string(*c.user_name);
        has_username_ = true;
    }
    if (c.password) {
        password_ = std::string(mqtt::as_chars(*c.password));
        has_password_ = true;
    }
    if (v5() && !read_connect_properties(c, now)) return;
    // Kept as sent; checked once the throttle has admitted the CONNECT (its verdict comes first).
    if (c.will) {
        will_ = std::make_unique<will_message>(will_message{std::string(c.will->topic),
                                                            std::string(mqtt::as_chars(c.will->message)),
                                                            static_cast<std::uint8_t>(c.will->qos), c.will->retain, {}, {}});
        if (v5()) {
            will_->properties = forwarded_properties(c.will->properties);
            will_->expiry_s = c.will->properties.number(mqtt::property_id::message_expiry_interval);
            will_->delay_s = c.will->properties.number(mqtt::property_id::will_delay_interval).value_or(0);
        }
    }
    state_ = state::admitting;
    effects_.push_back(admit_connect{client_id_});
}

void connection_machine::on_connect_admitted(bool admitted, clock::time_point now) {
    if (state_ != state::admitting) return;
    if (!admitted) {
        // What a device sees from AWS when it reconnects faster than 1/s with one client id:
        // no CONNACK; the connection already holding the id carries on.
        bump(env_.stats->connects_throttled);
        fail_connect("THROTTLED", "more than one CONNECT per second for client id " + client_id_, false,
                     mqtt::reason_code::quota_exceeded);
        close(disconnect_reason::throttled, "CONNECT rate per client id exceeded", now);
        return;
    }
    continue_connect(now);
}

void connection_machine::continue_connect(clock::time_point now) {
    const auto& lim = env_.config->limits;
    if (will_) {
        if (will_->qos == static_cast<std::uint8_t>(mqtt::qos::exactly_once)) {
            // Observed: AWS closes a CONNECT with Will QoS 2 at the TCP level.
            bump(env_.stats->connects_protocol_error);
            fail_connect("CLIENT_ERROR", "Will QoS 2 is not supported", false, mqtt::reason_code::qos_not_supported);
            close(disconnect_reason::client_error, "Will QoS 2", now);
            return;
        }
        const auto v = check_publish_topic(will_->topic, will_->retain, {lim.max_topic_bytes, lim.max_topic_slashes});
        if (v != topic_verdict::ok || will_->payload.size() > lim.max_payload_bytes) {
            bump(env_.stats->connects_protocol_error);
            fail_connect("CLIENT_ERROR",
                         "Will refused: " + std::string(v != topic_verdict::ok ? to_string(v) : "payload too large"),
                         false,
                         v != topic_verdict::ok ? mqtt::reason_code::topic_name_invalid : mqtt::reason_code::packet_too_large);
            close(disconnect_reason::client_error, "bad Will", now);
            return;
        }
    }
    if (peer_.x509) {
        start_x509_auth(now);
        return;
    }
    if (transport_authenticated_) {  // SigV4 at the WebSocket upgrade: its IAM policy decides
        finish_connect(now);
        return;
    }
    start_custom_auth(now);
}

void connection_machine::on_transport_authenticated(std::string principal, policy::shared_policy_set policies) {
    transport_authenticated_ = true;
    principal_id_ = std::move(principal);
    policies_ = std::move(policies);
    decisions_.clear();
}

void connection_machine::on_websocket_upgrade(std::shared_ptr<const auth::http_request_info> request) {
    peer_.http = std::move(request);
}

auth::prepared_invocation connection_machine::prepare_invocation() const {
    // One event builder for every transport (auth::custom_authorizers::prepare, also behind the
    // HTTP front's http_authenticator): MQTT over WebSocket adds the upgrade request, so the
    // authorizer's parameters may come from its headers or query too, and the event carries
    // protocols ["tls","http","mqtt"] with protocolData.http next to protocolData.mqtt.
    auth::connect_info info{.server_name = peer_.server_name,
                            .username = has_username_ ? std::optional(username_) : std::nullopt,
                            .password = has_password_ ? std::optional(password_) : std::nullopt,
                            .client_id = client_id_.empty() || client_id_assigned_ ? std::nullopt : std::optional(client_id_),
                            .connection_id = connection_id_,
                            .http = peer_.http ? std::optional(*peer_.http) : std::nullopt,
                            .mqtt = true};
    return env_.authorizers->prepare(info);
}

void connection_machine::start_custom_auth(clock::time_point now) {
    if (!env_.authorizers) {
        fail_connect("AUTHORIZATION_FAILURE", "no custom authorizer is configured", true);
        close(disconnect_reason::auth_error, "no authorizer", now);
        return;
    }
    auto prepared = prepare_invocation();
    if (!prepared.ok()) {
        // The function is not invoked (spec 1.1, 1.3): log which pre-invocation check failed.
        log_event(log_level::error, "AuthorizerInvocation", false, auth::to_string(prepared.error), prepared.reason);
        // The credentials do not name a usable authorizer or token: a bad user name or password.
        fail_connect("AUTHORIZATION_FAILURE", prepared.reason, true, mqtt::reason_code::bad_user_name_or_password);
        close(disconnect_reason::auth_error, prepared.reason, now);
        return;
    }
    authorizer_name_ = prepared.authorizer->name;
    state_ = state::authenticating;
    // The authorizer service enforces AWS's 5 s; this is the backstop if it never answers.
    connect_deadline_ = now + env_.config->authorizers.front().timeout * 2 + std::chrono::seconds(1);
    for (const auto& a : env_.config->authorizers)
        if (a.name == authorizer_name_) connect_deadline_ = now + a.timeout * 2 + std::chrono::seconds(1);
    bump(env_.stats->authorizer_calls);
    effects_.push_back(call_authorizer{authorizer_name_, std::move(prepared.event_json)});
}

void connection_machine::on_authorizer_result(const auth::authorization_result& r, clock::time_point now) {
    const bool initial = state_ == state::authenticating && !peer_.x509;
    const bool refresh = state_ == state::connected && refreshing_;
    if (!initial && !refresh) return;  // closed meanwhile: a late answer
    refreshing_ = false;
    env_.stats->authorizer_latency.record(r.queue_wait + r.call_time);
    const auto outcome = auth::to_string(r.outcome);
    if (r.outcome != auth::authorization_outcome::allowed && r.outcome != auth::authorization_outcome::denied)
        bump(env_.stats->authorizer_errors);
    log_event(r.allowed() ? log_level::info : log_level::error, "AuthorizerInvocation", r.allowed(), outcome,
              authorizer_name_ + (refresh ? " (refresh): " : ": ") + r.reason);
    if (!r.allowed()) {
        if (initial) {
            fail_connect("AUTHORIZATION_FAILURE", "authorizer " + authorizer_name_ + ": " + r.reason, true);
            close(disconnect_reason::auth_error, r.reason, now);
        } else {
            close(disconnect_reason::auth_error, "refresh: " + r.reason, now);
        }
        return;
    }
    // validate_response has parsed the documents already: reuse that parse on a cache miss.
    policy::policy_set_cache private_cache;
    auto& cache = env_.policy_cache ? *env_.policy_cache : private_cache;
    auto interned = cache.intern(r.verdict.response.policy_documents, &r.verdict.response.policies);
    if (!interned.ok()) {  // validate_response checks syntax already; belt and braces
        if (initial) fail_connect("AUTHORIZATION_FAILURE", "policy " + interned.error, true);
        close(disconnect_reason::auth_error, "policy " + interned.error, now);
        return;
    }
    policies_ = std::move(interned.value);
    decisions_.clear();
    principal_id_ = r.verdict.response.principal_id;
    refresh_deadline_ = now + std::chrono::duration_cast<clock::duration>(scaled(r.verdict.response.refresh_after_s));
    if (initial) {
        disconnect_deadline_ =
            now + std::chrono::duration_cast<clock::duration>(scaled(r.verdict.response.disconnect_after_s));
        finish_connect(now);
    }
}

void connection_machine::start_refresh(clock::time_point now) {
    refreshing_ = true;
    refresh_deadline_ = clock::time_point::max();
    // The same event as on CONNECT (same inputs, same connection id), rebuilt rather than
    // kept: ~500 bytes per connection for a call made once a day by default.
    auto prepared = prepare_invocation();
    if (!prepared.ok()) {
        close(disconnect_reason::auth_error, "refresh: " + prepared.reason, now);
        return;
    }
    effects_.push_back(call_authorizer{authorizer_name_, std::move(prepared.event_json)});
}

void connection_machine::refuse_input_before_connack(clock::time_point now) {
    bump(env_.stats->connects_protocol_error);
    fail_connect("CLIENT_ERROR",
                 "sent " + std::to_string(session_.buffered_input()) + " bytes behind CONNECT before CONNACK (limit " +
                     std::to_string(session_.max_packet_bytes()) + ")",
                 false);
    close(disconnect_reason::client_error, "too much input before CONNACK", now);
}

void connection_machine::finish_connect(clock::time_point now) {
    const policy::arn_scope scope{env_.config->region, env_.config->account};
    if (!allowed("iot:Connect", policy::client_arn(scope, client_id_))) {
        bump(env_.stats->connects_denied);
        std::string why = "iot:Connect denied on client/" + client_id_;
        if (const auto* pols = policies_.get()) {  // X.509: the certificate's, from the directory
            if (const auto m = policy::find_scope_mismatch(*pols, scope)) {
                why += " (the policies name " + (m->region.empty() ? "account " + m->account : "region " + m->region) +
                       "; see the gateway's region/account warning)";
                if (!env_.stats->scope_mismatch_recorded()) {
                    const auto text = policy::describe(*m, gateway_scope_settings());
                    env_.stats->record_scope_mismatch(text);
                    log_event(log_level::warn, "Connect", false, "REGION_ACCOUNT_MISMATCH", text);
                }
            }
        }
        fail_connect("AUTHORIZATION_FAILURE", why, false);
        close(disconnect_reason::auth_error, "iot:Connect denied", now);
        return;
    }
    if (will_) {
        const auto arn = policy::topic_arn(scope, will_->topic);
        if (!allowed("iot:Publish", arn) || (will_->retain && !allowed("iot:RetainPublish", arn))) {
            bump(env_.stats->connects_denied);
            fail_connect("AUTHORIZATION_FAILURE", "Will topic not allowed: " + will_->topic, false);
            close(disconnect_reason::auth_error, "Will not authorized", now);
            return;
        }
    }
    state_ = state::attaching;
    attach_session a{client_id_, clean_session_, {}};
    if (v5()) {
        a.clean_session = clean_start_;
        a.session_expiry = std::chrono::duration_cast<clock::duration>(scaled(session_expiry_s_));
    }
    effects_.push_back(std::move(a));
}

void connection_machine::on_attached(attach_result attached, std::size_t subscriptions, clock::time_point now) {
    if (state_ != state::attaching) return;
    state_ = state::connected;
    subscriptions_ = subscriptions;
    send_connack(attached.session_present, now);
    bump(env_.stats->connects_accepted);
    session_.packet_received(now);  // the keep-alive deadline starts with the session
    tokens_ = env_.config->limits.publish_rate_per_s;
    tokens_at_ = now;
    log_event(log_level::info, "Connect", true, {},
              "keepAlive " + std::to_string(session_.keep_alive().count()) + " s" +
                  (attached.session_present ? ", session resumed" : ""));
    publish_lifecycle(true, disconnect_reason::connection_lost);
    session_.start_replay(std::move(attached.replay), now);
    send_due_replay(now);
    // Packets pipelined behind CONNECT waited for the verdict (a client may send before
    // CONNACK; AWS answers them after it): now, after the CONNACK, in the order sent.
    if (state_ == state::connected && session_.buffered_input() > 0) handle_frames(now);
}

}  // namespace wv::gate
