// The lambda backend's pure parts: URL parsing and how each Invoke answer maps to a reply.
#include <doctest/doctest.h>

#include "functions/lambda_http/http_url.hpp"
#include "functions/lambda_http/invoke_response.hpp"

using namespace wv::lambda_http;
using wv::auth::backend_errc;

TEST_CASE("parse_http_url") {
    auto u = parse_http_url("http://127.0.0.1:9001");
    CHECK_FALSE(u.tls);
    CHECK(u.host == "127.0.0.1");
    CHECK(u.port == 9001);
    CHECK(u.base_path.empty());
    CHECK(u.host_header() == "127.0.0.1:9001");
    u = parse_http_url("https://lambda.eu-central-1.amazonaws.com/");
    CHECK(u.tls);
    CHECK(u.port == 443);
    CHECK(u.host_header() == "lambda.eu-central-1.amazonaws.com");
    u = parse_http_url("http://[::1]:8080/prefix/");
    CHECK(u.host == "::1");
    CHECK(u.base_path == "/prefix");
    CHECK(u.host_header() == "[::1]:8080");
    for (const char* bad : {"ftp://x", "http://", "http://h:0", "http://h:70000", "http://h:12x", "http://u@h", "http://h/p?q"})
        CHECK_THROWS_AS(parse_http_url(bad), std::invalid_argument);
    CHECK(region_from_lambda_host("lambda.eu-central-1.amazonaws.com") == "eu-central-1");
    CHECK(region_from_lambda_host("lambda.cn-north-1.amazonaws.com.cn") == "cn-north-1");
    CHECK(region_from_lambda_host("127.0.0.1").empty());
}

TEST_CASE("Invoke answers: result, function error, throttle, not found, other HTTP errors") {
    auto r = to_backend_reply({200, "", "", "", R"({"isAuthenticated":true})"});
    CHECK(r.error == backend_errc::none);
    CHECK(r.body == R"({"isAuthenticated":true})");

    r = to_backend_reply({200, "Unhandled", "", "",
                          R"({"errorMessage":"2026-11-25T09:00:00Z abc Task timed out after 5.01 seconds","errorType":"Sandbox.Timedout"})"});
    CHECK(r.error == backend_errc::function_error);
    CHECK(r.detail == "Sandbox.Timedout: 2026-11-25T09:00:00Z abc Task timed out after 5.01 seconds");

    r = to_backend_reply({200, "Handled", "", "", "not json"});
    CHECK(r.error == backend_errc::function_error);
    CHECK(r.detail == "Handled: not json");

    r = to_backend_reply({429, "", "TooManyRequestsException", "",
                          R"({"Reason":"ReservedFunctionConcurrentInvocationLimitExceeded","Type":"User","message":"Rate Exceeded."})"});
    CHECK(r.error == backend_errc::throttled);
    CHECK(r.detail == "HTTP 429 TooManyRequestsException: Rate Exceeded.");

    r = to_backend_reply({404, "", "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.awsgirlambda/", "",
                          R"({"Message":"Function not found: arn:aws:lambda:eu-central-1:1:function:x"})"});
    CHECK(r.error == backend_errc::not_configured);
    CHECK(r.detail == "HTTP 404 ResourceNotFoundException: Function not found: arn:aws:lambda:eu-central-1:1:function:x");

    r = to_backend_reply({403, "", "", "", R"({"__type":"InvalidSignatureException","message":"Signature expired"})"});
    CHECK(r.error == backend_errc::transport);
    CHECK(r.detail == "HTTP 403 InvalidSignatureException: Signature expired");

    r = to_backend_reply({502, "", "", "", "<html>bad gateway</html>"});
    CHECK(r.error == backend_errc::transport);
    CHECK(r.detail == "HTTP 502: <html>bad gateway</html>");
}

TEST_CASE("X-Amz-Log-Result becomes log lines") {
    // base64("START RequestId: 1\nhello\nEND RequestId: 1\n")
    const auto r = to_backend_reply({200, "", "", "U1RBUlQgUmVxdWVzdElkOiAxCmhlbGxvCkVORCBSZXF1ZXN0SWQ6IDEK", "{}"});
    CHECK(r.log_lines == std::vector<std::string>{"START RequestId: 1", "hello", "END RequestId: 1"});
}
