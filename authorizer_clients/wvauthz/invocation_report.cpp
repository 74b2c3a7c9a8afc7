#include "authorizer_clients/wvauthz/invocation_report.hpp"

#include <algorithm>
#include <cstdio>
#include <future>
#include <sstream>

namespace wv::wvauthz {
namespace {

double ms(std::chrono::nanoseconds d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string fmt_ms(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f ms", v);
    return buf;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
    return out;
}

std::string reason_text(const invocation& inv) {
    if (inv.http_publish && inv.result.allowed()) return inv.publish ? inv.publish->reason : inv.result.reason;
    return inv.verdict.reason;
}

std::string device_sees(const invocation& inv) {
    if (inv.http_publish) {
        if (!inv.result.allowed())
            return "HTTP 401 UnauthorizedException (the authorizer did not allow); AWS logs Publish-In Failure "
                   "AUTHORIZATION_FAILURE";
        if (!inv.topic) return "HTTP 200 for a topic its policies allow iot:Publish on (give --topic to check one)";
        if (inv.publish && !inv.publish->allowed())
            return "HTTP 403 ForbiddenException: iot:Publish on " + *inv.topic + " is not allowed";
        return "HTTP 200 {\"message\":\"OK\",\"traceId\":...} (published to " + *inv.topic + ")";
    }
    if (inv.device_connects()) return "CONNACK 0 (connection accepted)";
    return "the connection is closed without a CONNACK (MQTT 3.1.1; MQTT 5: CONNACK 0x87 Not authorized); "
           "AWS logs Connect Failure AUTHORIZATION_FAILURE";
}

policy::evaluation check(const invocation& inv, std::string action, std::string resource) {
    policy::request r;
    r.action = std::move(action);
    r.resource = std::move(resource);
    r.context.client_id = inv.client_id;
    if (!inv.server_name.empty()) r.context.domain_name = inv.server_name;
    return policy::evaluate(inv.verdict.policies, r);
}

}  // namespace

invocation invoke_once(auth::authorizer_service& svc, std::string event_json, const policy::arn_scope& scope,
                       std::optional<std::string> topic) {
    invocation inv;
    inv.event_json = event_json;
    inv.topic = std::move(topic);
    const auto ev = nlohmann::json::parse(event_json, nullptr, false);
    if (!ev.is_discarded() && ev.is_object()) {
        const auto protocols = ev.value("protocols", nlohmann::json::array());
        const auto has = [&](const char* p) { return std::find(protocols.begin(), protocols.end(), p) != protocols.end(); };
        inv.http_publish = has("http") && !has("mqtt");
        const auto pd = ev.value("protocolData", nlohmann::json::object());
        inv.client_id = pd.value("mqtt", nlohmann::json::object()).value("clientId", "");
        inv.server_name = pd.value("tls", nlohmann::json::object()).value("serverName", "");
    }
    auto p = std::make_shared<std::promise<auth::authorization_result>>();
    auto f = p->get_future();
    svc.authorize(std::move(event_json), [p](auth::authorization_result r) { p->set_value(std::move(r)); });
    inv.result = f.get();  // the service completes every call by its deadline
    inv.verdict = auth::judge_connect(inv.result, scope, inv.client_id, inv.server_name);
    if (inv.http_publish && inv.topic && inv.result.allowed())
        inv.publish = check(inv, "iot:Publish", policy::topic_arn(scope, *inv.topic));
    return inv;
}

policy::evaluation check_publish(const invocation& inv, const policy::arn_scope& scope, const std::string& topic) {
    return check(inv, "iot:Publish", policy::topic_arn(scope, topic));
}

policy::evaluation check_subscribe(const invocation& inv, const policy::arn_scope& scope, const std::string& filter) {
    return check(inv, "iot:Subscribe", policy::topicfilter_arn(scope, filter));
}

int exit_code(const invocation& inv) {
    if (inv.device_connects()) return 0;
    if (inv.http_publish && inv.result.allowed()) return 1;  // iot:Publish denied
    return auth::is_valid_refusal(inv.verdict.outcome) ? 1 : 3;
}

std::string outcome_word(const invocation& inv) {
    // HTTPS publish needs no iot:Connect: judge_connect's denied_by_policy does not apply.
    if (inv.http_publish && inv.result.allowed()) return inv.device_connects() ? "allowed" : "denied_by_policy";
    return auth::to_string(inv.verdict.outcome);
}

const policy::scope_settings& wvauthz_scope_settings() {
    static const policy::scope_settings s{"--iot-region", "--account",
                                          "wvauthz's command line (with --config: region:/account: at the top of the YAML)"};
    return s;
}

nlohmann::json to_json(const invocation& inv, const std::string& backend) {
    const auto& r = inv.result;
    nlohmann::json j;
    j["authorizer"] = backend;
    j["event"] = nlohmann::json::parse(inv.event_json, nullptr, false);
    j["outcome"] = outcome_word(inv);
    j["exit_code"] = exit_code(inv);
    j["reason"] = reason_text(inv);
    j["latency_ms"] = {{"total", ms(r.queue_wait + r.call_time)}, {"queue", ms(r.queue_wait)}, {"call", ms(r.call_time)}};
    if (r.reply.error != auth::backend_errc::none)
        j["backend_error"] = {{"kind", auth::to_string(r.reply.error)}, {"detail", r.reply.detail}};
    const auto body = nlohmann::json::parse(r.reply.body, nullptr, false);
    j["response"] = body.is_discarded() ? nlohmann::json(r.reply.body) : body;
    nlohmann::json checks = nlohmann::json::array();
    for (const auto& c : r.verdict.checks)
        checks.push_back({{"rule", c.rule}, {"status", auth::to_string(c.status)}, {"detail", c.detail}});
    j["validation"] = checks;
    nlohmann::json statements = nlohmann::json::array();
    const auto& policies = inv.verdict.policies;
    for (std::size_t d = 0; d < policies.size(); ++d)
        for (std::size_t s = 0; s < policies[d].statements.size(); ++s) {
            const auto& st = policies[d].statements[s];
            statements.push_back({{"document", d},
                                  {"statement", s},
                                  {"effect", st.eff == policy::effect::allow ? "Allow" : "Deny"},
                                  {st.not_action ? "not_actions" : "actions", st.actions},
                                  {st.not_resource ? "not_resources" : "resources", st.resources}});
        }
    j["policy_statements"] = statements;
    const auto& connect = inv.verdict.connect;
    if (inv.http_publish) {
        if (inv.publish)
            j["publish"] = {{"topic", *inv.topic}, {"decision", policy::to_string(inv.publish->result)}, {"reason", inv.publish->reason}};
    } else {
        j["connect"] = {{"client_id", inv.client_id}, {"decision", policy::to_string(connect.result)}, {"reason", connect.reason}};
    }
    if (inv.verdict.scope_mismatch) j["scope_mismatch"] = policy::describe(*inv.verdict.scope_mismatch, wvauthz_scope_settings());
    j["device_sees"] = device_sees(inv);
    j["logs"] = r.reply.log_lines;
    return j;
}

std::string to_text(const invocation& inv, const std::string& backend) {
    const auto& r = inv.result;
    std::ostringstream os;
    os << "authorizer   " << backend << "\n"
       << "outcome      " << outcome_word(inv) << " (" << reason_text(inv) << ")\n"
       << "latency      " << fmt_ms(ms(r.queue_wait + r.call_time)) << " (queued " << fmt_ms(ms(r.queue_wait)) << ", call "
       << fmt_ms(ms(r.call_time)) << ")\n";
    if (r.reply.error != auth::backend_errc::none)
        os << "error        " << auth::to_string(r.reply.error) << ": " << r.reply.detail << "\n";
    if (!r.reply.body.empty()) {
        const auto body = nlohmann::json::parse(r.reply.body, nullptr, false);
        std::string text = body.is_discarded() ? r.reply.body : body.dump(2);
        os << "response\n";
        std::istringstream lines(text);
        for (std::string l; std::getline(lines, l);) os << "  " << l << "\n";
    }
    if (!r.verdict.checks.empty()) {
        os << "validation (AWS's rules for an authorizer reply)\n";
        for (const auto& c : r.verdict.checks) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "  %-7s %-26s ", auth::to_string(c.status), c.rule.c_str());
            os << buf << c.detail << "\n";
        }
    }
    const auto& policies = inv.verdict.policies;
    if (!policies.empty()) {
        os << "policy statements\n";
        char head[96];
        std::snprintf(head, sizeof head, "  %-4s %-4s %-6s %-28s %s\n", "doc", "stmt", "effect", "actions", "resources");
        os << head;
        for (std::size_t d = 0; d < policies.size(); ++d)
            for (std::size_t s = 0; s < policies[d].statements.size(); ++s) {
                const auto& st = policies[d].statements[s];
                char buf[96];
                std::snprintf(buf, sizeof buf, "  %-4zu %-4zu %-6s %-28s ", d, s, st.eff == policy::effect::allow ? "Allow" : "Deny",
                              ((st.not_action ? "NOT " : "") + join(st.actions, ",")).c_str());
                os << buf << (st.not_resource ? "NOT " : "") << join(st.resources, ", ") << "\n";
            }
    }
    const auto& connect = inv.verdict.connect;
    if (inv.http_publish) {
        if (inv.publish) {
            os << "iot:Publish  topic '" << *inv.topic << "': " << policy::to_string(inv.publish->result) << " ("
               << inv.publish->reason << ")\n";
            for (const auto& n : inv.publish->notes) os << "             note: " << n << "\n";
        }
    } else {
        os << "iot:Connect  client '" << inv.client_id << "': " << policy::to_string(connect.result) << " (" << connect.reason
           << ")\n";
        for (const auto& n : connect.notes) os << "             note: " << n << "\n";
    }
    if (inv.verdict.scope_mismatch)
        os << "region/account  " << policy::describe(*inv.verdict.scope_mismatch, wvauthz_scope_settings()) << "\n";
    os << "device sees  " << device_sees(inv) << "\n";
    if (!r.reply.log_lines.empty()) {
        os << "function log\n";
        for (const auto& l : r.reply.log_lines) os << "  " << l << "\n";
    }
    return os.str();
}

}  // namespace wv::wvauthz
