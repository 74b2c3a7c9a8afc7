#include "gateway/https_target.hpp"

#include <charconv>
#include <limits>

#include <nlohmann/json.hpp>

#include "auth/username.hpp"  // url_decode: `+` stays `+` (an MQTT wildcard here, not a space)
#include "mqtt/utf8.hpp"
#include "util/base64.hpp"

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
        } else if (key == "contentType") {
            if (mqtt::validate_utf8(*value)) return http_error{400, "Invalid contentType: not valid UTF-8"};
            if (!value->empty()) out.properties.content_type = std::move(*value);
        } else if (key == "responseTopic") {
            if (mqtt::validate_utf8(*value)) return http_error{400, "Invalid responseTopic: not valid UTF-8"};
            if (value->find_first_of("+#") != std::string::npos)
                return http_error{400, "Invalid responseTopic: wildcards (+ #) are not allowed in a topic name"};
            if (!value->empty()) out.properties.response_topic = std::move(*value);
        } else if (key == "messageExpiry") {
            std::uint64_t seconds = 0;
            const auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), seconds);
            if (value->empty() || ec == std::errc::invalid_argument || end != value->data() + value->size())
                return http_error{400, "Invalid messageExpiry: a whole number of seconds (AWS IoT keeps 1 to 604800)"};
            // Out of range is "longer than AWS keeps anything": capped like any other long expiry.
            out.message_expiry_s = ec == std::errc::result_out_of_range || seconds > std::numeric_limits<std::uint32_t>::max()
                                       ? std::numeric_limits<std::uint32_t>::max()
                                       : static_cast<std::uint32_t>(seconds);
        }
    }
    return out;
}

namespace {

// x-amz-mqtt5-user-properties: base64 of [{"name": "value"}, ...]; every member of every
// object is one User Property, in the order sent. Values must be strings: MQTT's User
// Property is a UTF-8 string pair.
std::optional<http_error> read_user_properties(std::string_view header, rules::mqtt5_properties& out) {
    const auto text = util::base64_decode(header);
    if (!text) return http_error{400, "Invalid x-amz-mqtt5-user-properties: not base64"};
    const auto doc = nlohmann::json::parse(*text, nullptr, false);
    const char* shape =
        "Invalid x-amz-mqtt5-user-properties: expected base64 of a JSON array of objects with string "
        "values, e.g. [{\"deviceName\": \"alpha\"}]";
    if (!doc.is_array()) return http_error{400, shape};
    for (const auto& item : doc) {
        if (!item.is_object()) return http_error{400, shape};
        for (const auto& [name, value] : item.items()) {
            if (!value.is_string()) return http_error{400, shape};
            out.user_properties.emplace_back(name, value.get<std::string>());
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<http_error> read_mqtt5_headers(const mqtt5_headers& h, std::string_view body,
                                             std::size_t max_user_properties_bytes, publish_target& t) {
    auto& p = t.properties;
    if (h.user_properties) {
        if (auto e = read_user_properties(*h.user_properties, p)) return e;
        std::size_t bytes = 0;
        for (const auto& [name, value] : p.user_properties) bytes += name.size() + value.size();
        if (bytes > max_user_properties_bytes)
            return http_error{400, "Invalid x-amz-mqtt5-user-properties: " + std::to_string(bytes) +
                                       " bytes of names and values, over AWS IoT's limit of " +
                                       std::to_string(max_user_properties_bytes)};
    }
    if (h.payload_format_indicator) {
        p.payload_format_indicator = rules::payload_format_indicator_named(*h.payload_format_indicator);
        if (!p.payload_format_indicator)
            return http_error{400, "Invalid x-amz-mqtt5-payload-format-indicator: use UNSPECIFIED_BYTES or UTF8_DATA"};
        if (*p.payload_format_indicator == 1 && mqtt::validate_utf8(body))
            return http_error{400, "Invalid payload: x-amz-mqtt5-payload-format-indicator is UTF8_DATA and the body is not valid UTF-8"};
    }
    if (h.correlation_data) {
        auto bytes = util::base64_decode(*h.correlation_data);
        if (!bytes) return http_error{400, "Invalid x-amz-mqtt5-correlation-data: not base64"};
        p.correlation_data = std::move(*bytes);
    }
    return std::nullopt;
}

}  // namespace wv::gate
