#pragma once
// The HTTP front of aws-443 without ALPN (or with ALPN http/1.1), spec 3.1: the first request
// decides what the connection is.
//
//   GET /mqtt + Upgrade: websocket   MQTT over WebSocket: a `connection` whose driver runs a
//                                    websocket::server_layer over the MQTT machine (the layer
//                                    parses the request again and answers 101 or refuses it)
//   anything else                    HTTPS publish (https_session.hpp), from that request on
//   not HTTP at all                  400 and closed (an MQTT CONNECT from a client that
//                                    offered no ALPN, a malformed request line or header)
//
// read_http_front() only reads: up to the end of the first request's header (the bytes are
// handed on whole, nothing is consumed), bounded by https.max_header_bytes, https.idle_timeout
// before its first byte and https.request_timeout after it.
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "gateway/gateway_config.hpp"
#include "tls/stream.hpp"

namespace wv::gate {

struct http_front_request {
    bool websocket = false;   // an Upgrade: websocket request (whatever its path: the layer judges)
    std::string bytes;        // everything read so far, the request's header first
    std::string malformed;    // set: not HTTP (why); the front answers 400 and closes
};

// nullopt: the peer closed, timed out or sent more than max_header_bytes without ending a
// header (nothing was answered; the caller closes).
boost::asio::awaitable<std::optional<http_front_request>> read_http_front(tls::stream& stream,
                                                                          const gateway_config& config);

}  // namespace wv::gate
