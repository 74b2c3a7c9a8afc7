#include "control_plane/control_plane_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <thread>
#include <vector>

namespace wv::control_plane {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct control_plane_server::impl {
    std::unique_ptr<api> handler;
    server_options options;
    asio::io_context io;
    tcp::acceptor acceptor{io};
    std::vector<std::thread> threads;
    std::atomic<std::uint64_t> requests{0};
    std::uint16_t port = 0;

    asio::awaitable<void> serve(tcp::socket socket) {
        const auto tok = asio::as_tuple(asio::use_awaitable);
        beast::tcp_stream stream(std::move(socket));
        beast::flat_buffer buffer;
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(1024 * 1024);
            parser.header_limit(16 * 1024);
            stream.expires_after(std::chrono::seconds(30));
            auto [ec, n] = co_await http::async_read(stream, buffer, parser, tok);
            if (ec) {
                // Tell a client that sent too much why, then close; a plain EOF ends quietly.
                if (ec == http::error::body_limit || ec == http::error::header_limit) {
                    http::response<http::string_body> res{ec == http::error::body_limit
                                                              ? http::status::payload_too_large
                                                              : http::status::request_header_fields_too_large,
                                                          11};
                    res.set("x-amzn-ErrorType", "InvalidRequestException");
                    res.set(http::field::content_type, "application/json");
                    res.body() = nlohmann::json{{"message", "request too large for this control plane"}}.dump();
                    res.keep_alive(false);
                    res.prepare_payload();
                    co_await http::async_write(stream, res, tok);
                }
                break;
            }
            const auto& req = parser.get();
            http_request in{.method = std::string(req.method_string()), .target = std::string(req.target()), .headers = {},
                            .body = req.body()};
            for (const auto& f : req) {
                std::string name(f.name_string());
                for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
                in.headers[name] = std::string(f.value());
            }
            const auto answer = handler->handle(in);
            const auto id = ++requests;
            http::response<http::string_body> res{static_cast<http::status>(answer.status), req.version()};
            res.set(http::field::server, "wvgate-control-plane");
            res.set(http::field::content_type, "application/json");
            if (!answer.error_type.empty()) res.set("x-amzn-ErrorType", answer.error_type);
            res.set("x-amzn-RequestId", std::to_string(id));
            res.keep_alive(req.keep_alive());
            res.body() = answer.body;
            res.prepare_payload();
            auto [wec, wn] = co_await http::async_write(stream, res, tok);
            if (wec || !res.keep_alive()) break;
        }
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }

    asio::awaitable<void> accept_loop() {
        const auto tok = asio::as_tuple(asio::use_awaitable);
        for (;;) {
            // Each connection on its own strand: the threads share the accept loop's context.
            auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(io), tok);
            if (ec) {
                if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
                continue;  // EMFILE and friends: keep serving the connections we have
            }
            auto ex = socket.get_executor();
            asio::co_spawn(ex, serve(std::move(socket)), asio::detached);
        }
    }
};

control_plane_server::control_plane_server(registry::registry& reg, server_options options)
    : impl_(std::make_unique<impl>()) {
    impl_->options = std::move(options);
    impl_->handler = std::make_unique<api>(reg, impl_->options.api);
    const tcp::endpoint ep(asio::ip::make_address(impl_->options.address), impl_->options.port);
    impl_->acceptor.open(ep.protocol());
    impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl_->acceptor.bind(ep);
    impl_->acceptor.listen();
    impl_->port = impl_->acceptor.local_endpoint().port();
    asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
    for (unsigned i = 0; i < std::max(1u, impl_->options.threads); ++i)
        impl_->threads.emplace_back([i = impl_.get()] { i->io.run(); });
}

control_plane_server::~control_plane_server() {
    // Stopping the context destroys every suspended coroutine, and with them their sockets.
    impl_->io.stop();
    for (auto& t : impl_->threads) t.join();
}

std::uint16_t control_plane_server::port() const { return impl_->port; }
std::string control_plane_server::url() const {
    return "http://" + impl_->options.address + ":" + std::to_string(impl_->port);
}
std::uint64_t control_plane_server::requests() const { return impl_->requests.load(); }

}  // namespace wv::control_plane
