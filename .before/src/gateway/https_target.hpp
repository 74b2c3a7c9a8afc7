#pragma once
// The request line of an HTTPS publish (spec 8.1), parsed without I/O:
//   POST /topics/<url-encoded topic>?qos=0|1[&retain=true|false]
// AWS's examples use both `%2F` and a literal `/` inside the topic, so the whole path after
// `/topics/` is percent-decoded. The MQTT 5 parameters (contentType, messageExpiry,
// responseTopic) and anything else in the query are accepted and ignored: a 3.1.1 broker has
// nowhere to put them.
//
// Errors carry the HTTP status a device sees and a one-line message for the JSON body:
//   404  the path is not /topics/<topic>
//   405  /topics/... with a method other than POST (AWS: MethodNotAllowedException)
//   400  bad percent-encoding, empty topic, wildcard, NUL or invalid UTF-8 in the topic,
//        qos other than 0/1, retain other than true/false
// The AWS topic rules that need limits (length, slashes, reserved names) are checked by the
// caller with check_publish_topic(), like the MQTT path does.
//
// Pure; thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace wv::gate {

struct http_error {
    unsigned status = 400;
    std::string message;
};

struct publish_target {
    std::string topic;       // decoded
    std::uint8_t qos = 0;    // AWS's default when qos is absent
    bool retain = false;
};

// `method` as sent ("POST"); `target` is the request-target ("/topics/a%2Fb?qos=1").
std::variant<publish_target, http_error> parse_publish_target(std::string_view method, std::string_view target);

}  // namespace wv::gate
