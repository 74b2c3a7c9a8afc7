#pragma once
// Finds the TCP socket under a Paho MQTT client, so that --engine paho can drop a connection
// without DISCONNECT (--kill) the way a device losing power does. Paho C++ has no abort: its
// disconnect() sends DISCONNECT, and so does destroying a client.
//
// Paho never hands out its socket, but its protocol trace names it: as each CONNECT is sent,
// Paho C logs "<date> <time> <socket> <client id> -> CONNECT version 4 ..." (trace level
// PROTOCOL, seen with Paho C 1.3.11). enable() installs a trace callback that keeps the last
// socket per client id. Paho's trace callback takes no context pointer, so the table is one
// per process.
//
// Threading: the callback runs on Paho's threads; every function here may be called from any
// thread.
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>

namespace wv::sim::paho_socket {

// Starts watching CONNECTs (process-wide; idempotent). Costs one callback per MQTT packet.
void enable();

// Parses one trace line; the (socket, client id) of a CONNECT line, nullopt for any other.
struct connect_line {
    int fd;
    std::string client_id;
};
std::optional<connect_line> parse_trace_line(std::string_view line);

// The socket of `client_id`'s last CONNECT, if it is still a TCP connection to `peer`.
std::optional<int> find(const std::string& client_id, const boost::asio::ip::tcp::endpoint& peer);

// Drops the connection: shutdown(2) both ways, so the server reads end-of-stream with no
// DISCONNECT (its will fires) and Paho's next read fails (its connection-lost path runs; its
// own DISCONNECT there can no longer be written). The fd itself stays Paho's to close.
bool drop(int fd);

}  // namespace wv::sim::paho_socket
