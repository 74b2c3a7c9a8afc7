#pragma once
// The local things registry on HTTP: registry_api behind a small Boost.Beast server with its
// own I/O thread, for wvgate and wvauthz to host. Point a handler backend's
// iot_endpoint_url at url() and boto3's `iot` client in the user's authorizer talks to it.
//
//   auto things = std::make_shared<const wv::registry::things_registry>(wv::registry::load_things("things.csv"));
//   wv::registry::registry_server srv{things, {.port = 0}};
//   handler_opts.iot_endpoint_url = srv.url();   // "http://127.0.0.1:41234"
//
// HTTP/1.1 with keep-alive; requests over 64 KiB or idle connections (30 s) are closed.
// Threading: construct and destroy from any thread (not from the server's own); the
// destructor closes the listener and every connection and joins the thread.
// Errors: the constructor throws std::system_error when it cannot bind.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "authorizer_clients/registry_server/registry_api.hpp"
#include "authorizer_clients/registry_server/things_registry.hpp"

namespace wv::registry {

struct server_options {
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;  // 0: an ephemeral port, see port()
    api_options api{};
};

class registry_server {
public:
    registry_server(std::shared_ptr<const things_registry> registry, server_options options = {});
    ~registry_server();
    registry_server(const registry_server&) = delete;
    registry_server& operator=(const registry_server&) = delete;

    std::uint16_t port() const;
    std::string url() const;          // http://address:port
    std::uint64_t requests() const;   // answered so far

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace wv::registry
