#include "functions/lambda_http/invoke_response.hpp"

#include <nlohmann/json.hpp>

#include "util/base64.hpp"

namespace wv::lambda_http {
namespace {

std::string first_string(const nlohmann::json& j, std::initializer_list<const char*> keys) {
    for (const char* k : keys)
        if (auto it = j.find(k); it != j.end() && it->is_string()) return it->get<std::string>();
    return {};
}

std::string snippet(std::string_view body) {
    std::string s(body.substr(0, 300));
    for (auto& c : s)
        if (c == '\n' || c == '\r') c = ' ';
    return body.size() > 300 ? s + "..." : s;
}

}  // namespace

auth::backend_reply to_backend_reply(const invoke_answer& a) {
    using auth::backend_errc;
    auth::backend_reply r;
    if (!a.log_result.empty())
        if (auto logs = util::base64_decode(a.log_result)) {
            std::string_view rest = *logs;
            while (!rest.empty()) {
                const auto nl = rest.find('\n');
                r.log_lines.emplace_back(rest.substr(0, nl));
                if (nl == std::string_view::npos) break;
                rest = rest.substr(nl + 1);
            }
        }
    const auto j = nlohmann::json::parse(a.body, nullptr, false);
    const bool obj = !j.is_discarded() && j.is_object();
    std::string type = a.error_type.substr(0, a.error_type.find(':'));
    if (type.empty() && obj) type = first_string(j, {"__type", "Type", "code"});
    const std::string message = obj ? first_string(j, {"message", "Message", "errorMessage"}) : std::string();

    if (a.status == 200 && a.function_error.empty()) {
        r.body = a.body;
        return r;
    }
    if (a.status == 200) {
        r.error = backend_errc::function_error;
        r.body = a.body;
        const std::string et = obj ? first_string(j, {"errorType"}) : std::string();
        const std::string em = obj ? first_string(j, {"errorMessage"}) : snippet(a.body);
        r.detail = (et.empty() ? a.function_error : et) + (em.empty() ? "" : ": " + em);
        return r;
    }
    const std::string what = "HTTP " + std::to_string(a.status) + (type.empty() ? "" : " " + type) +
                             (message.empty() ? (a.body.empty() ? "" : ": " + snippet(a.body)) : ": " + message);
    r.detail = what;
    if (a.status == 429) r.error = backend_errc::throttled;
    else if (a.status == 404 && (type == "ResourceNotFoundException" || type.empty())) r.error = backend_errc::not_configured;
    else r.error = backend_errc::transport;
    return r;
}

}  // namespace wv::lambda_http
