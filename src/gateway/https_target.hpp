#pragma once
// An HTTPS publish request (spec 8.1; AWS's iot-data Publish API), parsed without I/O:
//   POST /topics/<url-encoded topic>?qos=0|1[&retain=true|false]
//        [&contentType=..][&responseTopic=..][&messageExpiry=<seconds>]
//   x-amz-mqtt5-user-properties: base64 of a JSON array of one-member objects,
//                                e.g. [{"deviceName": "alpha"}, {"deviceCnt": "45"}]
//   x-amz-mqtt5-payload-format-indicator: UNSPECIFIED_BYTES | UTF8_DATA
//   x-amz-mqtt5-correlation-data: base64 of the bytes
// AWS's examples use both `%2F` and a literal `/` inside the topic, so the whole path after
// `/topics/` is percent-decoded. The MQTT 5 parameters and headers become the message's
// properties: an MQTT 5 subscriber gets them as PUBLISH properties (and what is left of the
// expiry), the topic rules through get_user_properties() and get_mqtt_property(); 3.1.1
// subscribers get the message without them, as from an MQTT 5 publisher. Other query
// parameters are ignored.
//
// Errors carry the HTTP status a device sees and a one-line message for the JSON body:
//   404  the path is not /topics/<topic>
//   405  /topics/... with a method other than POST (AWS: MethodNotAllowedException)
//   400  bad percent-encoding, empty topic, wildcard, NUL or invalid UTF-8 in the topic,
//        qos other than 0/1, retain other than true/false; a messageExpiry that is not a
//        number of seconds, a responseTopic with a wildcard or invalid UTF-8; an
//        x-amz-mqtt5-* header that does not decode, user properties over AWS's size limit, a
//        body that is not UTF-8 when the payload format says UTF8_DATA (AWS's status for
//        these is not documented: 400 is InvalidRequestException's, and the message says
//        what to fix)
// The AWS topic rules that need limits (length, slashes, reserved names) are checked by the
// caller with check_publish_topic(), like the MQTT path does.
//
// Pure; thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "rules/rule.hpp"

namespace wv::gate {

struct http_error {
    unsigned status = 400;
    std::string message;
};

struct publish_target {
    std::string topic;       // decoded
    std::uint8_t qos = 0;    // AWS's default when qos is absent
    bool retain = false;
    // MQTT 5: contentType and responseTopic from the query, the x-amz-mqtt5-* headers once
    // read_mqtt5_headers() has run; empty when the request has none.
    rules::mqtt5_properties properties;
    std::optional<std::uint32_t> message_expiry_s;  // messageExpiry, as sent (capped later)
};

// `method` as sent ("POST"); `target` is the request-target ("/topics/a%2Fb?qos=1").
std::variant<publish_target, http_error> parse_publish_target(std::string_view method, std::string_view target);

// The x-amz-mqtt5-* headers of the request, as sent (nullopt: absent).
struct mqtt5_headers {
    std::optional<std::string_view> user_properties;
    std::optional<std::string_view> payload_format_indicator;
    std::optional<std::string_view> correlation_data;
};

// Reads h into t.properties and checks `body` against a UTF8_DATA payload format; user
// properties whose names and values add up to more than `max_user_properties_bytes`
// (limits.max_user_properties_bytes, as on MQTT) are refused.
std::optional<http_error> read_mqtt5_headers(const mqtt5_headers& h, std::string_view body,
                                             std::size_t max_user_properties_bytes, publish_target& t);

}  // namespace wv::gate
