// RFC 6455 section 4: the accept value (the RFC's own example), key validation, and the checks
// a server makes of an upgrade request.
#include <doctest/doctest.h>

#include <ostream>

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "websocket/client_layer.hpp"
#include "websocket/handshake.hpp"

using namespace wv::websocket;

namespace {

http::request_header<> parse(const std::string& wire) {
    http::request_parser<http::empty_body> p;
    boost::beast::error_code ec;
    p.put(boost::asio::buffer(wire), ec);
    REQUIRE_MESSAGE(p.is_header_done(), ec.message());
    return p.get().base();
}

const std::string good = "GET /mqtt?x-amz-customauthorizer-name=a HTTP/1.1\r\nHost: example.com\r\n"
                         "Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                         "Sec-WebSocket-Protocol: mqttv3.1, mqtt\r\n\r\n";

std::string replace(std::string s, const std::string& from, const std::string& to) {
    const auto at = s.find(from);
    REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("Sec-WebSocket-Accept: RFC 6455 1.3's example") {
    CHECK(sec_websocket_accept("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST_CASE("Sec-WebSocket-Key must be the base64 of 16 bytes") {
    CHECK(is_valid_key("dGhlIHNhbXBsZSBub25jZQ=="));
    for (int i = 0; i < 50; ++i) CHECK(is_valid_key(make_key()));
    CHECK(make_key() != make_key());
    CHECK_FALSE(is_valid_key(""));
    CHECK_FALSE(is_valid_key("dGhlIHNhbXBsZSBub25jZQ="));     // 23 characters
    CHECK_FALSE(is_valid_key("dGhlIHNhbXBsZSBub25jZQ=A"));    // no padding
    CHECK_FALSE(is_valid_key("dGhlIHNhbXBsZSBub25jZR=="));    // R: bits beyond the 16th byte
    CHECK_FALSE(is_valid_key("dGhlIHNhbXBsZSBub25j*Q=="));    // not base64
}

TEST_CASE("an upgrade request: accepted, or refused with its status") {
    CHECK(check_upgrade(parse(good)).status == 101);
    struct row {
        const char* what;
        std::string wire;
        unsigned status;
    };
    const row rows[] = {
        {"POST", replace(good, "GET", "POST"), 405},
        {"HTTP/1.0", replace(good, "HTTP/1.1", "HTTP/1.0"), 400},
        {"another path", replace(good, "/mqtt?", "/ws?"), 404},
        {"no Upgrade", replace(good, "Upgrade: websocket\r\n", ""), 400},
        {"Upgrade: h2c", replace(good, "Upgrade: websocket", "Upgrade: h2c"), 400},
        {"no Connection: Upgrade", replace(good, "Connection: keep-alive, Upgrade", "Connection: keep-alive"), 400},
        {"version 8", replace(good, "Version: 13", "Version: 8"), 426},
        {"no version", replace(good, "Sec-WebSocket-Version: 13\r\n", ""), 426},
        {"short key", replace(good, "dGhlIHNhbXBsZSBub25jZQ==", "abc="), 400},
        {"no subprotocol", replace(good, "Sec-WebSocket-Protocol: mqttv3.1, mqtt\r\n", ""), 400},
        {"subprotocol mqttv3.1 only", replace(good, "mqttv3.1, mqtt", "mqttv3.1"), 400},
        {"a body", replace(good, "Host: example.com", "Host: example.com\r\nContent-Length: 3"), 400},
    };
    for (const auto& r : rows) {
        const auto v = check_upgrade(parse(r.wire));
        CHECK_MESSAGE(v.status == r.status, r.what, ": ", v.message);
        CHECK_MESSAGE(!v.message.empty(), r.what);
    }
}

TEST_CASE("the 101 and a refusal, byte for byte") {
    CHECK(switching_protocols("dGhlIHNhbXBsZSBub25jZQ==") ==
          "HTTP/1.1 101 Switching Protocols\r\ncontent-length: 0\r\nupgrade: websocket\r\nconnection: upgrade\r\n"
          "sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nsec-websocket-protocol: mqtt\r\n\r\n");
    CHECK(refusal(403, "Forbidden", "ForbiddenException") ==
          "HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\ncontent-length: 23\r\n"
          "x-amzn-ErrorType: ForbiddenException:\r\nconnection: close\r\n\r\n{\"message\":\"Forbidden\"}");
    CHECK(refusal(426, "v", "").find("sec-websocket-version: 13\r\n") != std::string::npos);
    CHECK(refusal(400, "a \"quote\"\n").find(R"({"message":"a \"quote\"\u000a"})") != std::string::npos);
}

TEST_CASE("the client's request and its check of the answer") {
    const auto req = upgrade_request("h.example", "/mqtt?a=b", "dGhlIHNhbXBsZSBub25jZQ==", "x-amz-customauthorizer-name: a\r\n");
    CHECK(req == "GET /mqtt?a=b HTTP/1.1\r\nHost: h.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                 "Sec-WebSocket-Protocol: mqtt\r\nx-amz-customauthorizer-name: a\r\n\r\n");
    // The server's check accepts what the client sends.
    CHECK(check_upgrade(parse(req)).status == 101);
}
