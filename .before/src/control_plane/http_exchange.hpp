#pragma once
// One control-plane HTTP exchange without sockets: what the server read, what it will write.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "registry/errors.hpp"

namespace wv::control_plane {

struct http_request {
    std::string method;                         // "GET", "POST", ...
    std::string target;                         // raw: /things/dev%201?maxResults=5
    std::map<std::string, std::string> headers; // names in lower case
    std::string body;
};

struct http_response {
    unsigned status = 200;
    std::string body;                           // JSON (possibly empty for 200 with no output)
    std::string error_type;                     // x-amzn-ErrorType when status >= 400
};

// The request as the handlers read it: the path split into decoded segments, the query
// decoded, the body parsed once.
struct parsed_request {
    std::string method;
    std::vector<std::string> segments;          // "/things/dev1/principals" -> things, dev1, principals
    std::map<std::string, std::string> query;
    const std::map<std::string, std::string>* headers = nullptr;
    nlohmann::json body = nlohmann::json::object();

    // Query accessors: nullopt when absent; an error when present but not of the type.
    std::optional<std::string> q(const std::string& name) const;
    std::optional<std::string> header(const std::string& lower_name) const;
};

// Splits and decodes; an error (InvalidRequestException) for a bad escape or a body that is
// not a JSON object.
registry::outcome<parsed_request> parse_request(const http_request& r);

// AWS's error response: the type in x-amzn-ErrorType and the body, the message in the body.
http_response error_response(const registry::error& e);
http_response error_response(registry::errc code, std::string message);
http_response json_response(const nlohmann::json& body);
http_response empty_response();  // 200 with no body members

// Typed reads with AWS's validation messages (InvalidRequestException when malformed).
registry::outcome<std::optional<bool>> query_bool(const parsed_request& r, const std::string& name);
registry::outcome<std::optional<std::int64_t>> query_int(const parsed_request& r, const std::string& name,
                                                         std::int64_t min, std::int64_t max);
registry::outcome<std::optional<std::string>> body_string(const parsed_request& r, const std::string& name);
registry::outcome<std::optional<bool>> body_bool(const parsed_request& r, const std::string& name);
registry::outcome<std::optional<std::map<std::string, std::string>>> body_string_map(const nlohmann::json& obj,
                                                                                      const std::string& name);

}  // namespace wv::control_plane
