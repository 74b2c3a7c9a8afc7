#include "gateway/https_target.hpp"

#include "auth/username.hpp"  // url_decode: `+` stays `+` (an MQTT wildcard here, not a space)
#include "mqtt/utf8.hpp"

namespace wv::gate {
namespace {

constexpr std::string_view topics_prefix = "/topics/";

}  // namespace

std::variant<publish_target, http_error> parse_publish_target(std::string_view method, std::string_view target) {
    const auto q = target.find('?');
    const auto path = target.substr(0, q);
    auto query = q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);
    if (path.substr(0, topics_prefix.size()) != topics_prefix)
        return http_error{404, "Not Found: the only resource is /topics/<topic>"};
    if (method != "POST") return http_error{405, "Method Not Allowed: publish with POST /topics/<topic>"};

    publish_target out;
    auto topic = auth::url_decode(path.substr(topics_prefix.size()));
    if (!topic) return http_error{400, "Invalid topic: malformed percent-encoding"};
    if (topic->empty()) return http_error{400, "Invalid topic: empty"};
    if (topic->find_first_of("+#") != std::string::npos)
        return http_error{400, "Invalid topic: wildcards (+ #) are not allowed in a publish topic"};
    if (mqtt::validate_utf8(*topic)) return http_error{400, "Invalid topic: not valid UTF-8 (or contains NUL)"};
    out.topic = std::move(*topic);

    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        const auto eq = pair.find('=');
        const auto key = pair.substr(0, eq);
        const auto raw = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
        const auto value = auth::url_decode(raw);
        if (!value) return http_error{400, "Invalid query: malformed percent-encoding"};
        if (key == "qos") {
            if (*value == "0") out.qos = 0;
            else if (*value == "1") out.qos = 1;
            else return http_error{400, "Invalid qos: use 0 or 1 (AWS IoT supports no QoS 2)"};
        } else if (key == "retain") {
            if (*value == "true") out.retain = true;
            else if (*value == "false") out.retain = false;
            else return http_error{400, "Invalid retain: use true or false"};
        }
    }
    return out;
}

}  // namespace wv::gate
