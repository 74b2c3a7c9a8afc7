#include "authorizer_clients/registry_server/registry_api.hpp"

#include <charconv>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>

namespace wv::registry {
namespace {

constexpr std::size_t max_page = 250;  // botocore: RegistryMaxResults 1..250
constexpr std::string_view token_prefix = "wvpage-";

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

api_response error(unsigned status, std::string type, const std::string& message) {
    return {status, nlohmann::json{{"message", message}, {"__type", type}}.dump(), std::move(type)};
}

nlohmann::json attributes_json(const thing& t) {
    nlohmann::json a = nlohmann::json::object();
    for (const auto& [k, v] : t.attributes) a[k] = v;
    return a;
}

std::string thing_arn(const thing& t, const api_options& o) {
    return "arn:aws:iot:" + o.region + ":" + o.account_id + ":thing/" + t.name;
}

// A stable UUID-shaped id per name, so DescribeThing answers the same across runs.
std::string thing_id(const thing& t) {
    const std::size_t h1 = std::hash<std::string>{}(t.name);
    const std::size_t h2 = std::hash<std::string>{}(t.name + "#");
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(h1 >> 32),
                  static_cast<unsigned>((h1 >> 16) & 0xffff), static_cast<unsigned>(h1 & 0xffff),
                  static_cast<unsigned>(h2 >> 48), static_cast<unsigned long long>(h2 & 0xffffffffffffULL));
    return buf;
}

api_response list_things(const std::map<std::string, std::string>& q, const things_registry& reg,
                         const api_options& o) {
    list_query lq;
    if (auto it = q.find("maxResults"); it != q.end()) {
        std::size_t n = 0;
        const auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), n);
        if (ec != std::errc() || p != it->second.data() + it->second.size() || n < 1 || n > max_page)
            return error(400, "InvalidRequestException", "maxResults must be an integer from 1 to 250");
        lq.max_results = n;
    }
    if (auto it = q.find("nextToken"); it != q.end() && !it->second.empty()) {
        const std::string& t = it->second;
        std::size_t off = 0;
        const char* b = t.data() + token_prefix.size();
        const auto [p, ec] = t.rfind(token_prefix, 0) == 0 ? std::from_chars(b, t.data() + t.size(), off)
                                                           : std::from_chars_result{t.data(), std::errc::invalid_argument};
        if (ec != std::errc() || p != t.data() + t.size())
            return error(400, "InvalidRequestException", "nextToken '" + t + "' is not a token this registry issued");
        lq.offset = off;
    }
    if (auto it = q.find("attributeName"); it != q.end()) lq.attribute_name = it->second;
    if (auto it = q.find("attributeValue"); it != q.end()) lq.attribute_value = it->second;
    if (auto it = q.find("thingTypeName"); it != q.end()) lq.thing_type = it->second;
    if (auto it = q.find("usePrefixAttributeValue"); it != q.end()) lq.prefix_value = it->second == "true";
    if (lq.attribute_value && !lq.attribute_name)
        return error(400, "InvalidRequestException", "attributeValue requires attributeName");

    const auto page = reg.list(lq);
    nlohmann::json things = nlohmann::json::array();
    for (const thing* t : page.things) {
        nlohmann::json j{{"thingName", t->name}, {"thingArn", thing_arn(*t, o)},
                         {"attributes", attributes_json(*t)}, {"version", t->version}};
        if (!t->type.empty()) j["thingTypeName"] = t->type;
        things.push_back(std::move(j));
    }
    nlohmann::json body{{"things", std::move(things)}};
    if (page.next_offset) body["nextToken"] = std::string(token_prefix) + std::to_string(*page.next_offset);
    return {200, body.dump(), {}};
}

api_response describe_thing(const std::string& name, const things_registry& reg, const api_options& o) {
    const thing* t = reg.find(name);
    if (!t) return error(404, "ResourceNotFoundException", "Thing " + name + " cannot be found.");
    nlohmann::json j{{"defaultClientId", t->name}, {"thingName", t->name}, {"thingId", thing_id(*t)},
                     {"thingArn", thing_arn(*t, o)}, {"attributes", attributes_json(*t)}, {"version", t->version}};
    if (!t->type.empty()) j["thingTypeName"] = t->type;
    return {200, j.dump(), {}};
}

}  // namespace

std::string percent_decode(std::string_view s, bool form_encoded) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
            i += 2;
        } else if (form_encoded && s[i] == '+') {
            out.push_back(' ');
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

api_response handle_request(std::string_view method, std::string_view target, const things_registry& registry,
                            const api_options& options) {
    const auto qpos = target.find('?');
    const std::string_view path = target.substr(0, qpos);
    std::map<std::string, std::string> query;
    if (qpos != std::string_view::npos) {
        std::string_view rest = target.substr(qpos + 1);
        while (!rest.empty()) {
            const auto amp = rest.find('&');
            const std::string_view kv = rest.substr(0, amp);
            const auto eq = kv.find('=');
            query[percent_decode(kv.substr(0, eq), true)] =
                eq == std::string_view::npos ? std::string() : percent_decode(kv.substr(eq + 1), true);
            if (amp == std::string_view::npos) break;
            rest = rest.substr(amp + 1);
        }
    }
    const bool is_things = path == "/things" || path == "/things/";
    const bool is_thing = !is_things && path.rfind("/things/", 0) == 0 && path.find('/', 8) == std::string_view::npos;
    if (!is_things && !is_thing)
        return error(404, "ResourceNotFoundException",
                     "this local registry serves ListThings (GET /things) and DescribeThing (GET /things/<name>) only, "
                     "not " + std::string(method) + " " + std::string(path));
    if (method != "GET") return error(405, "MethodNotAllowedException", std::string(method) + " is not supported here");
    if (is_things) return list_things(query, registry, options);
    return describe_thing(percent_decode(path.substr(8), false), registry, options);
}

}  // namespace wv::registry
