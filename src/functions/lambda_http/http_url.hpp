#pragma once
// http:// and https:// URLs as the lambda backend takes them: scheme, host, port, base path.
// Pure; throws std::invalid_argument with the URL and the problem.
#include <cstdint>
#include <string>
#include <string_view>

namespace wv::lambda_http {

struct http_url {
    bool tls = false;
    std::string host;       // without brackets for IPv6 literals
    std::uint16_t port = 0; // 80 / 443 unless given
    std::string base_path;  // "" or "/prefix" (no trailing slash)
    std::string host_header() const;  // "host" or "host:port" when the port is not the default
};

http_url parse_http_url(std::string_view url);

// "lambda.eu-central-1.amazonaws.com" -> "eu-central-1"; "" when the host is not a Lambda endpoint.
std::string region_from_lambda_host(std::string_view host);

}  // namespace wv::lambda_http
