#pragma once
// RFC 6455 section 4, the opening handshake, as pure functions over Beast's parsed HTTP
// header (no Beast stream, no I/O): the checks a server makes of an upgrade request and the
// answers it sends, the request a client sends and the check of the server's 101.
//
// The answers follow what AWS IoT's device endpoint sends (observed, see the gateway's
// README): a 101 with `content-length: 0`, lower-case header names and `sec-websocket-protocol:
// mqtt`; refusals with a JSON body `{"message": ...}`, `content-type: application/json` and
// `x-amzn-ErrorType`.
#include <string>
#include <string_view>

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>

namespace wv::websocket {

namespace http = boost::beast::http;

// The base64 SHA-1 of key + RFC 6455's GUID (4.2.2 step 5.4).
std::string sec_websocket_accept(std::string_view key);

// A Sec-WebSocket-Key is the base64 encoding of 16 bytes (4.1 step 7): 24 characters, "==" at the end.
bool is_valid_key(std::string_view key) noexcept;

// The request asks for a WebSocket: an `Upgrade` header naming `websocket` (any case). The
// HTTP front sends such requests to the WebSocket layer and the rest to HTTPS publish.
bool asks_for_websocket(const http::fields& h) noexcept;

// The header list `name` (comma separated, possibly repeated) holds `token`, ignoring case.
bool has_token(const http::fields& h, http::field name, std::string_view token) noexcept;

// What the server answers an upgrade request: 101, or a refusal.
struct upgrade_verdict {
    unsigned status = 101;
    std::string message;      // the refusal's reason (the JSON body's "message")
    std::string error_type;   // x-amzn-ErrorType
};

// Checks an upgrade request against RFC 6455 4.2.1 and AWS's endpoint: GET, HTTP/1.1, path
// `path` (the query is the authenticator's), Upgrade: websocket, Connection: Upgrade, a valid
// Sec-WebSocket-Key, Sec-WebSocket-Version 13 (else 426 and Sec-WebSocket-Version: 13, 4.4),
// Sec-WebSocket-Protocol offering `mqtt`, and no body.
upgrade_verdict check_upgrade(const http::request_header<>& req, std::string_view path = "/mqtt");

// The 101 Switching Protocols answer for a request with `key`, selecting subprotocol `mqtt`.
std::string switching_protocols(std::string_view key);

// A refusal: status line, JSON body {"message": message}, connection: close.
std::string refusal(unsigned status, std::string_view message, std::string_view error_type = {});

// The client's upgrade request. `target` is the path with its query (a presigned URL's or the
// custom authorizer's parameters); `extra_headers` are whole "Name: value\r\n" lines.
std::string upgrade_request(std::string_view host, std::string_view target, std::string_view key,
                            std::string_view extra_headers = {});

// Checks the server's answer to upgrade_request(): 101, Upgrade/Connection, the accept value
// for `key`, subprotocol mqtt. Empty: accepted; else why not (ws_errc).
std::error_code check_switching_protocols(const http::response_header<>& res, std::string_view key);

}  // namespace wv::websocket
