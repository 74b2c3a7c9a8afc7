#include "gateway/https_publish.hpp"

#include <chrono>

#include <nlohmann/json.hpp>

#include "auth/authorizer_event.hpp"
#include "gateway/aws_topics.hpp"
#include "gateway/https_target.hpp"
#include "gateway/mqtt5_properties.hpp"
#include "policy/arn.hpp"
#include "policy/evaluate.hpp"

namespace wv::gate {

std::string_view http_reason(unsigned status) noexcept {
    switch (status) {
        case 100: return "Continue";
        case 200: return "OK";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 408: return "Request Timeout";
        case 413: return "Payload Too Large";
        case 429: return "Too Many Requests";
        case 500: return "Internal Server Error";
    }
    return "Unknown";
}

https_publisher::https_publisher(machine_env env, gateway_services services, https_peer peer)
    : env_(env), services_(services), peer_(std::move(peer)) {
    if (peer_.certificate) principal_ = peer_.certificate->cert.id();
}

bool https_publisher::authenticated(std::string& why) {
    if (!peer_.certificate || !services_.certificates) {
        why = peer_.certificate ? "no certificate directory is configured" : "no client certificate";
        return false;
    }
    const auto v = check_certificate(*services_.certificates, *peer_.certificate, std::chrono::system_clock::now());
    if (!v.active()) {
        why = describe(v);
        policies_.reset();
        return false;
    }
    policies_ = v.policies;
    if (!facts_) facts_ = principal_facts_for(v, peer_.certificate->cert, {});
    return true;
}

http_response https_publisher::reply(unsigned status, std::string text, const char* reason,
                                     const std::string* topic, const std::string* log_detail) {
    http_response r;
    r.status = status;
    r.trace_id = auth::make_connection_id();
    r.body = nlohmann::ordered_json{{"message", text}, {"traceId", r.trace_id}}.dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace);
    const bool ok = status == 200;
    const auto level = ok ? log_level::debug : status == 403 ? log_level::error : log_level::warn;
    if (services_.log && services_.log->enabled(level)) {
        nlohmann::json j = {{"traceId", r.trace_id},   {"status", ok ? "Success" : "Failure"},
                            {"eventType", "Publish-In"}, {"protocol", "HTTP"},
                            {"principalId", principal_}, {"sourceIp", peer_.ip},
                            {"sourcePort", peer_.port}, {"httpStatus", status}};
        if (topic) j["topicName"] = *topic;
        if (reason) j["reason"] = reason;
        if (!ok) j["details"] = log_detail ? *log_detail : std::move(text);
        services_.log->emit(level, std::move(j));
    }
    return r;
}

bool https_publisher::allowed(const std::string& action, const std::string& topic) {
    policy::request req;
    req.action = action;
    req.resource = policy::topic_arn({env_.config->region, env_.config->account}, topic);
    req.context.source_ip = peer_.ip;
    req.context.domain_name = peer_.server_name;
    req.context.principal = facts_.get();
    if (!policies_) return false;  // no policies attached: implicitly denied
    const auto e = policy::evaluate(*policies_, req);
    if (!e.allowed()) bump(env_.stats->policy_denials);
    return e.allowed();
}

http_response https_publisher::refused(const auth::http_refusal& r) {
    bump(env_.stats->connects_auth_failed);
    principal_.clear();
    auto resp = reply(r.status, r.message, r.log_reason.c_str(), nullptr, &r.detail);
    resp.error_type = r.error_type;
    return resp;
}

http_response https_publisher::handle(std::string_view method, std::string_view target, std::string body,
                                      const request_identity* who, const mqtt5_headers& mqtt5) {
    const auto& lim = env_.config->limits;
    if (who) {
        principal_ = who->principal;
        policies_ = who->policies;
        facts_.reset();  // no registry principal: thing and certificate variables never resolve
    } else if (std::string why; !authenticated(why)) {
        // AWS's answer to a refused certificate on HTTPS is not documented (README "X.509
        // devices"): 403 with no detail for the device, the reason in the log, then close.
        bump(env_.stats->connects_auth_failed);
        auto r = reply(403, "Forbidden", "AUTHORIZATION_FAILURE", nullptr);
        if (services_.log && services_.log->enabled(log_level::error))
            services_.log->emit(log_level::error, {{"traceId", r.trace_id}, {"eventType", "Connect"}, {"status", "Failure"},
                                              {"protocol", "HTTP"}, {"principalId", principal_},
                                              {"sourceIp", peer_.ip}, {"reason", "AUTHORIZATION_FAILURE"},
                                              {"details", "X.509 " + why}});
        r.close = true;
        return r;
    }
    auto parsed = parse_publish_target(method, target);
    if (auto* e = std::get_if<http_error>(&parsed)) return reply(e->status, std::move(e->message), "CLIENT_ERROR", nullptr);
    auto& t = std::get<publish_target>(parsed);
    if (const auto v = check_publish_topic(t.topic, t.retain, {lim.max_topic_bytes, lim.max_topic_slashes});
        v != topic_verdict::ok)
        return reply(400, std::string("Invalid topic: ") + to_string(v), "CLIENT_ERROR", &t.topic);
    // The session enforces the limit while reading; this keeps the function safe on its own.
    if (body.size() > lim.max_payload_bytes) return too_large();
    if (auto e = read_mqtt5_headers(mqtt5, body, lim.max_user_properties_bytes, t))
        return reply(e->status, std::move(e->message), "CLIENT_ERROR", &t.topic);
    if (!allowed("iot:Publish", t.topic) || (t.retain && !allowed("iot:RetainPublish", t.topic)))
        return reply(403, std::string("Forbidden: ") + (t.retain ? "iot:Publish/iot:RetainPublish" : "iot:Publish") +
                              " on " + t.topic + " is not allowed by " +
                              (who ? who->policy_owner : std::string("the certificate's policies")),
                     "AUTHORIZATION_FAILURE", &t.topic);
    bump(env_.stats->messages_in);
    // client_id stays empty: nothing to exclude from fan-out, and the rules engine reports
    // clientid() as "n/a", as AWS does for HTTPS publishes.
    auto m = std::make_shared<message>(message{t.topic, std::move(body), t.qos, t.retain, {}, forwarded_properties(t.properties), {}});
    if (t.message_expiry_s) m->expires_at = message_expires_at(std::chrono::steady_clock::now(), *t.message_expiry_s);
    if (services_.brk) services_.brk->publish(m);
    if (services_.rules) (*services_.rules)(*m, principal_);
    return reply(200, "OK", nullptr, &t.topic);
}

http_response https_publisher::too_large() {
    // 413 rather than 400: AWS's data-plane model defines RequestEntityTooLargeException as 413
    // (spec 8.2 leaves Publish's status unspecified), and it tells the device exactly what to
    // fix; the connection is closed after it because the rest of the body is not read.
    return reply(413,
                 "Payload Too Large: the body exceeds " + std::to_string(env_.config->limits.max_payload_bytes) +
                     " bytes (AWS IoT's message size limit)",
                 "CLIENT_ERROR", nullptr);
}

http_response https_publisher::malformed(std::string_view why) {
    return reply(400, "Bad Request: " + std::string(why), "CLIENT_ERROR", nullptr);
}

}  // namespace wv::gate
