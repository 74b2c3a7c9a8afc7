#include "gateway/metrics_http.hpp"

#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace wv::gate {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

struct metrics_server::impl : std::enable_shared_from_this<impl> {
    explicit impl(asio::io_context& ctx) : acceptor(ctx) {}
    tcp::acceptor acceptor;
    std::function<std::string()> render;

    asio::awaitable<void> serve(tcp::socket s) {
        const auto tok = asio::as_tuple(asio::use_awaitable);
        asio::streambuf buf(8192);
        asio::steady_timer deadline(s.get_executor(), std::chrono::seconds(5));
        auto r = co_await (asio::async_read_until(s, buf, "\r\n\r\n", tok) || deadline.async_wait(tok));
        if (r.index() != 0 || std::get<0>(std::get<0>(r))) co_return;
        std::string request(asio::buffers_begin(buf.data()), asio::buffers_end(buf.data()));
        const bool ok = request.rfind("GET /metrics", 0) == 0;
        const std::string body = ok ? render() : "not found: try /metrics\n";
        const std::string head = std::string(ok ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.1 404 Not Found\r\n") +
                                 "Content-Type: text/plain; version=0.0.4\r\nContent-Length: " +
                                 std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
        co_await asio::async_write(s, std::array{asio::buffer(head), asio::buffer(body)}, tok);
        boost::system::error_code ignored;
        s.shutdown(tcp::socket::shutdown_both, ignored);
    }

    asio::awaitable<void> accept_loop() {
        const auto self = shared_from_this();
        const auto tok = asio::as_tuple(asio::use_awaitable);
        for (;;) {
            auto [ec, s] = co_await acceptor.async_accept(tok);
            if (ec) {
                if (!acceptor.is_open() || ec == asio::error::operation_aborted) co_return;
                continue;
            }
            asio::co_spawn(acceptor.get_executor(), serve(std::move(s)), asio::detached);
        }
    }
};

metrics_server::metrics_server(asio::io_context& ctx, const std::string& address, std::uint16_t port,
                               std::function<std::string()> render)
    : impl_(std::make_shared<impl>(ctx)) {
    impl_->render = std::move(render);
    boost::system::error_code ec;
    const tcp::endpoint ep(asio::ip::make_address(address, ec), port);
    if (!ec) impl_->acceptor.open(ep.protocol(), ec);
    if (!ec) impl_->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) impl_->acceptor.bind(ep, ec);
    if (!ec) impl_->acceptor.listen(64, ec);
    if (ec) throw std::runtime_error("metrics: cannot listen on " + address + ":" + std::to_string(port) + ": " + ec.message());
    asio::co_spawn(ctx, impl_->accept_loop(), asio::detached);
}

metrics_server::~metrics_server() {
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
}

std::uint16_t metrics_server::port() const { return impl_->acceptor.local_endpoint().port(); }

}  // namespace wv::gate
