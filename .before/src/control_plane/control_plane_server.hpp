#pragma once
// The control-plane API on HTTP: control_plane::api behind a small Boost.Beast server with its
// own I/O threads (key generation for CreateKeysAndCertificate must not stall the gateway's
// device connections). wvgate runs one for its `control_plane:` listener; wvauthz runs one
// for handler functions whose boto3 `iot` client should reach a local registry.
//
//   wv::registry::registry reg;
//   wv::control_plane::control_plane_server srv{reg, {.port = 0}};
//   // boto3.client('iot', endpoint_url=srv.url(), region_name=..., aws_access_key_id=..., ...)
//
// HTTP/1.1 with keep-alive; a request over 1 MiB or with headers over 16 KiB gets 413/431 and
// the connection closes; idle connections close after 30 s. SigV4: see api_options::sigv4_keys. Threading: construct and destroy from any thread but the server's own; the
// destructor closes the listener and every connection and joins the threads.
// Errors: the constructor throws std::system_error when it cannot bind.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "control_plane/api.hpp"

namespace wv::control_plane {

struct server_options {
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;  // 0: an ephemeral port, see port()
    unsigned threads = 2;
    api_options api{};
};

class control_plane_server {
public:
    control_plane_server(registry::registry& reg, server_options options = {});
    ~control_plane_server();
    control_plane_server(const control_plane_server&) = delete;
    control_plane_server& operator=(const control_plane_server&) = delete;

    std::uint16_t port() const;
    std::string url() const;          // http://address:port
    std::uint64_t requests() const;   // answered so far

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace wv::control_plane
