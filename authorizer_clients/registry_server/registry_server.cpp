#include "authorizer_clients/registry_server/registry_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/http/parser.hpp>
#include <thread>

namespace wv::registry {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct registry_server::impl {
    std::shared_ptr<const things_registry> registry;
    server_options options;
    asio::io_context io{1};
    tcp::acceptor acceptor{io};
    std::thread thread;
    std::atomic<std::uint64_t> requests{0};
    std::uint16_t port = 0;

    asio::awaitable<void> serve(tcp::socket socket) {
        const auto tok = asio::as_tuple(asio::use_awaitable);
        beast::tcp_stream stream(std::move(socket));
        beast::flat_buffer buffer;
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(64 * 1024);
            parser.header_limit(16 * 1024);
            stream.expires_after(std::chrono::seconds(30));
            auto [ec, n] = co_await http::async_read(stream, buffer, parser, tok);
            if (ec) break;
            const auto& req = parser.get();
            const auto answer = handle_request(std::string_view(req.method_string().data(), req.method_string().size()),
                                               std::string_view(req.target().data(), req.target().size()),
                                               *registry, options.api);
            http::response<http::string_body> res{static_cast<http::status>(answer.status), req.version()};
            res.set(http::field::server, "wv-registry");
            res.set(http::field::content_type, "application/json");
            if (!answer.error_type.empty()) res.set("x-amzn-ErrorType", answer.error_type);
            res.set("x-amzn-RequestId", std::to_string(requests.load() + 1));
            res.keep_alive(req.keep_alive());
            res.body() = answer.body;
            res.prepare_payload();
            ++requests;
            auto [wec, wn] = co_await http::async_write(stream, res, tok);
            if (wec || !res.keep_alive()) break;
        }
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }

    asio::awaitable<void> accept_loop() {
        const auto tok = asio::as_tuple(asio::use_awaitable);
        for (;;) {
            auto [ec, socket] = co_await acceptor.async_accept(tok);
            if (ec) {
                if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
                continue;  // EMFILE and friends: keep serving the connections we have
            }
            asio::co_spawn(io, serve(std::move(socket)), asio::detached);
        }
    }
};

registry_server::registry_server(std::shared_ptr<const things_registry> registry, server_options options)
    : impl_(std::make_unique<impl>()) {
    impl_->registry = std::move(registry);
    impl_->options = std::move(options);
    const tcp::endpoint ep(asio::ip::make_address(impl_->options.address), impl_->options.port);
    impl_->acceptor.open(ep.protocol());
    impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl_->acceptor.bind(ep);
    impl_->acceptor.listen();
    impl_->port = impl_->acceptor.local_endpoint().port();
    asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
    impl_->thread = std::thread([i = impl_.get()] { i->io.run(); });
}

registry_server::~registry_server() {
    // Stopping the context destroys every suspended coroutine, and with them their sockets.
    impl_->io.stop();
    impl_->thread.join();
}

std::uint16_t registry_server::port() const { return impl_->port; }
std::string registry_server::url() const { return "http://" + impl_->options.address + ":" + std::to_string(impl_->port); }
std::uint64_t registry_server::requests() const { return impl_->requests.load(); }

}  // namespace wv::registry
