#pragma once
// A minimal HTTP/1.1 endpoint for Prometheus: GET /metrics answers the text exposition
// format, anything else 404. One request per connection (Connection: close), requests over
// 8 KiB or slower than 5 s are dropped. Runs on the io_context it is given.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

namespace wv::gate {

class metrics_server {
public:
    // Binds address:port (0: any free port); throws std::runtime_error on failure.
    metrics_server(boost::asio::io_context& ctx, const std::string& address, std::uint16_t port,
                   std::function<std::string()> render);
    ~metrics_server();
    std::uint16_t port() const;

private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

}  // namespace wv::gate
