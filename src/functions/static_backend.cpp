#include "functions/static_backend.hpp"

#include <nlohmann/json.hpp>

#include "functions/registry_backend.hpp"
#include "auth/event_fields.hpp"
#include "util/base64.hpp"

namespace wv::auth {

namespace {

using json = nlohmann::json;

// Same glob as policy resources, kept local so auth does not need policy internals.
bool glob(std::string_view p, std::string_view t) {
    std::size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
    while (ti < t.size()) {
        if (pi < p.size() && p[pi] == '*') {
            star = pi++;
            mark = ti;
        } else if (pi < p.size() && (p[pi] == '?' || p[pi] == t[ti])) {
            ++pi;
            ++ti;
        } else if (star != std::string_view::npos) {
            pi = star + 1;
            ti = ++mark;
        } else {
            return false;
        }
    }
    while (pi < p.size() && p[pi] == '*') ++pi;
    return pi == p.size();
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) { return glob(pattern, text); }

static_backend::static_backend(std::vector<static_credential> credentials) : credentials_(std::move(credentials)) {}

std::string static_backend::describe() const {
    return "static (" + std::to_string(credentials_.size()) + " credential" + (credentials_.size() == 1 ? "" : "s") + ")";
}

// An HTTPS publish's event has no user name, password or client id: the token (the header or
// query parameter under the authorizer's tokenKeyName) is matched against the passwords, and
// ${iot:ClientId} in the entry's policies becomes its client id (the request carries none, so
// the policy engine could not resolve it), as a real authorizer writes per-device policies.
backend_reply static_backend::answer_token(const json& ev) const {
    backend_reply reply;
    const auto& t = ev["token"];
    const std::string token = t.is_string() ? t.get<std::string>() : "";
    for (const auto& c : credentials_) {
        if (token.empty() || !secrets_equal(c.password, token)) continue;
        const std::string client_id =
            c.client_id_pattern && c.client_id_pattern->find_first_of("*?") == std::string::npos ? *c.client_id_pattern : "";
        const std::map<std::string, std::string> vars{
            {"client_id", client_id}, {"username", c.username}, {"principal_id", c.principal_id}};
        json out = {{"isAuthenticated", true}, {"principalId", c.principal_id}};
        json docs = json::array();
        for (const auto& d : c.policy_documents) {
            auto text = expand_template(d, vars);
            if (!client_id.empty())
                for (std::size_t p = 0; (p = text.find("${iot:ClientId}", p)) != std::string::npos; p += client_id.size())
                    text.replace(p, 15, client_id);
            auto parsed = json::parse(text, nullptr, false);
            docs.push_back(parsed.is_discarded() ? json(text) : parsed);
        }
        out["policyDocuments"] = std::move(docs);
        if (c.disconnect_after_s) out["disconnectAfterInSeconds"] = *c.disconnect_after_s;
        if (c.refresh_after_s) out["refreshAfterInSeconds"] = *c.refresh_after_s;
        reply.body = out.dump(-1, ' ', false, json::error_handler_t::replace);
        reply.log_lines.push_back("static: allowed the token of user '" + c.username + "'");
        return reply;
    }
    reply.body = R"({"isAuthenticated":false,"principalId":"anonymous","policyDocuments":[],)"
                 R"("disconnectAfterInSeconds":0,"refreshAfterInSeconds":0})";
    reply.log_lines.push_back("static: no credential's password matches the token");
    return reply;
}

backend_reply static_backend::answer(const std::string& event_json) const {
    backend_reply reply;
    const auto ev = json::parse(event_json, nullptr, false);
    const json* mqtt = mqtt_fields(ev);
    if (!mqtt) {
        if (ev.is_object() && ev.contains("token")) return answer_token(ev);  // HTTPS publish
        reply.error = backend_errc::function_error;
        reply.detail = "event has no protocolData.mqtt object";
        return reply;
    }
    auto str = [&](const char* key) -> std::optional<std::string> {
        auto it = mqtt->find(key);
        if (it == mqtt->end() || !it->is_string()) return std::nullopt;
        return it->get<std::string>();
    };
    const auto raw_user = str("username");
    const auto password_b64 = str("password");
    const auto client_id = str("clientId").value_or("");
    const std::string user = raw_user ? raw_user->substr(0, raw_user->find('?')) : "";
    const auto password = password_b64 ? util::base64_decode(*password_b64) : std::nullopt;

    for (const auto& c : credentials_) {
        if (!raw_user || !password || c.username != user || !secrets_equal(c.password, *password)) continue;
        if (c.client_id_pattern && !glob(*c.client_id_pattern, client_id)) continue;
        const std::map<std::string, std::string> vars{
            {"client_id", client_id}, {"username", user}, {"principal_id", c.principal_id}};
        json out = {{"isAuthenticated", true}, {"principalId", c.principal_id}};
        json docs = json::array();
        for (const auto& d : c.policy_documents) {
            // Parsed when valid so the reply carries objects, as current AWS samples do;
            // otherwise passed as the string so validation reports it.
            auto text = expand_template(d, vars);
            auto parsed = json::parse(text, nullptr, false);
            docs.push_back(parsed.is_discarded() ? json(text) : parsed);
        }
        out["policyDocuments"] = std::move(docs);
        if (c.disconnect_after_s) out["disconnectAfterInSeconds"] = *c.disconnect_after_s;
        if (c.refresh_after_s) out["refreshAfterInSeconds"] = *c.refresh_after_s;
        reply.body = out.dump(-1, ' ', false, json::error_handler_t::replace);
        reply.log_lines.push_back("static: allowed user '" + user + "' client '" + client_id + "'");
        return reply;
    }
    reply.body = R"({"isAuthenticated":false,"principalId":"anonymous","policyDocuments":[],)"
                 R"("disconnectAfterInSeconds":0,"refreshAfterInSeconds":0})";
    reply.log_lines.push_back("static: no credential matches user '" + user + "' client '" + client_id + "'");
    return reply;
}

void static_backend::invoke(std::string event_json, std::chrono::steady_clock::time_point, completion done) {
    done(answer(event_json));
}

}  // namespace wv::auth
