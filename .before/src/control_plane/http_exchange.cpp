#include "control_plane/http_exchange.hpp"

#include <charconv>

#include "auth/username.hpp"

namespace wv::control_plane {

using registry::errc;
using registry::fail;

std::optional<std::string> parsed_request::q(const std::string& name) const {
    const auto it = query.find(name);
    return it == query.end() ? std::nullopt : std::optional<std::string>(it->second);
}

std::optional<std::string> parsed_request::header(const std::string& lower_name) const {
    if (!headers) return std::nullopt;
    const auto it = headers->find(lower_name);
    return it == headers->end() ? std::nullopt : std::optional<std::string>(it->second);
}

registry::outcome<parsed_request> parse_request(const http_request& r) {
    parsed_request out;
    out.method = r.method;
    out.headers = &r.headers;
    const std::string_view target = r.target;
    const auto qpos = target.find('?');
    std::string_view path = target.substr(0, qpos);
    if (path.empty() || path.front() != '/') return fail(errc::invalid_request, "the request target must start with '/'");
    // Split before decoding: botocore encodes '/' inside a label (an ARN in ListAttachedPolicies).
    path.remove_prefix(1);
    while (!path.empty()) {
        const auto slash = path.find('/');
        const auto seg = auth::url_decode(path.substr(0, slash));
        if (!seg) return fail(errc::invalid_request, "malformed percent-escape in the request path");
        out.segments.push_back(*seg);
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
        if (path.empty()) out.segments.emplace_back();  // a trailing '/' leaves an empty segment
    }
    if (!out.segments.empty() && out.segments.back().empty()) out.segments.pop_back();
    if (qpos != std::string_view::npos) {
        std::string_view rest = target.substr(qpos + 1);
        while (!rest.empty()) {
            const auto amp = rest.find('&');
            const auto kv = rest.substr(0, amp);
            const auto eq = kv.find('=');
            const auto k = auth::url_decode(kv.substr(0, eq));
            const auto v = eq == std::string_view::npos ? std::optional<std::string>("") : auth::url_decode(kv.substr(eq + 1));
            if (!k || !v) return fail(errc::invalid_request, "malformed percent-escape in the query string");
            if (!k->empty()) out.query[*k] = *v;
            if (amp == std::string_view::npos) break;
            rest.remove_prefix(amp + 1);
        }
    }
    if (r.body.find_first_not_of(" \t\r\n") != std::string::npos) {
        out.body = nlohmann::json::parse(r.body, nullptr, false);
        if (out.body.is_discarded()) return fail(errc::invalid_request, "the request body is not valid JSON");
        if (!out.body.is_object()) return fail(errc::invalid_request, "the request body must be a JSON object");
    }
    return out;
}

http_response error_response(const registry::error& e) {
    const std::string type(registry::error_type(e.code));
    return {registry::http_status(e.code), nlohmann::json{{"message", e.message}}.dump(), type};
}

http_response error_response(errc code, std::string message) { return error_response({code, std::move(message)}); }

http_response json_response(const nlohmann::json& body) { return {200, body.dump(), {}}; }
http_response empty_response() { return {200, "{}", {}}; }

registry::outcome<std::optional<bool>> query_bool(const parsed_request& r, const std::string& name) {
    const auto v = r.q(name);
    if (!v) return std::optional<bool>{};
    if (*v == "true") return std::optional<bool>(true);
    if (*v == "false") return std::optional<bool>(false);
    return fail(errc::invalid_request, name + " must be true or false, not '" + *v + "'");
}

registry::outcome<std::optional<std::int64_t>> query_int(const parsed_request& r, const std::string& name,
                                                         std::int64_t min, std::int64_t max) {
    const auto v = r.q(name);
    if (!v) return std::optional<std::int64_t>{};
    std::int64_t n = 0;
    const auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || p != v->data() + v->size() || n < min || n > max)
        return fail(errc::invalid_request,
                    name + " must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
    return std::optional<std::int64_t>(n);
}

registry::outcome<std::optional<std::string>> body_string(const parsed_request& r, const std::string& name) {
    const auto it = r.body.find(name);
    if (it == r.body.end() || it->is_null()) return std::optional<std::string>{};
    if (!it->is_string()) return fail(errc::invalid_request, name + " must be a string");
    return std::optional<std::string>(it->get<std::string>());
}

registry::outcome<std::optional<bool>> body_bool(const parsed_request& r, const std::string& name) {
    const auto it = r.body.find(name);
    if (it == r.body.end() || it->is_null()) return std::optional<bool>{};
    if (!it->is_boolean()) return fail(errc::invalid_request, name + " must be a boolean");
    return std::optional<bool>(it->get<bool>());
}

registry::outcome<std::optional<std::map<std::string, std::string>>> body_string_map(const nlohmann::json& obj,
                                                                                      const std::string& name) {
    using map = std::map<std::string, std::string>;
    const auto it = obj.find(name);
    if (it == obj.end() || it->is_null()) return std::optional<map>{};
    if (!it->is_object()) return fail(errc::invalid_request, name + " must be a map of strings");
    map out;
    for (const auto& [k, v] : it->items()) {
        if (!v.is_string()) return fail(errc::invalid_request, name + "." + k + " must be a string");
        out[k] = v.get<std::string>();
    }
    return std::optional<map>(std::move(out));
}

}  // namespace wv::control_plane
