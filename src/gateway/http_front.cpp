#include "gateway/http_front.hpp"

#include <array>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "websocket/handshake.hpp"

namespace wv::gate {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace asio::experimental::awaitable_operators;

asio::awaitable<std::optional<http_front_request>> read_http_front(tls::stream& stream, const gateway_config& config) {
    const auto tok = asio::as_tuple(asio::use_awaitable);
    http_front_request out;
    std::array<std::byte, 4096> buf{};
    auto deadline = std::chrono::steady_clock::now() + config.https.idle_timeout;
    // A header ends at the first empty line; searching from a little before the new bytes finds
    // one split across reads.
    std::size_t searched = 0;
    for (;;) {
        asio::steady_timer t(stream.get_executor(), deadline);
        auto r = co_await (stream.async_read_some(buf) || t.async_wait(tok));
        if (r.index() == 1) co_return std::nullopt;
        const auto [ec, n] = std::get<0>(r);
        if (ec || n == 0) co_return std::nullopt;
        if (out.bytes.empty()) {
            deadline = std::chrono::steady_clock::now() + config.https.request_timeout;
            // Not a request line (an MQTT CONNECT from a client that offered no ALPN, say):
            // HTTPS publish answers 400 at once instead of waiting for a header that never ends.
            const auto first = static_cast<char>(buf[0]);
            if (first < 'A' || first > 'Z') {
                out.malformed = "not an HTTP request (MQTT on 443 needs ALPN mqtt or x-amzn-mqtt-ca)";
                co_return out;
            }
        }
        out.bytes.append(reinterpret_cast<const char*>(buf.data()), n);
        const auto end = out.bytes.find("\r\n\r\n", searched > 3 ? searched - 3 : 0);
        if (end != std::string::npos) break;
        searched = out.bytes.size();
        if (out.bytes.size() > config.https.max_header_bytes) {
            out.malformed = "request headers exceed " + std::to_string(config.https.max_header_bytes) + " bytes";
            co_return out;
        }
    }
    http::request_parser<http::empty_body> p;
    p.header_limit(static_cast<std::uint32_t>(config.https.max_header_bytes));
    boost::beast::error_code ec;
    p.put(asio::buffer(out.bytes), ec);
    if (!p.is_header_done()) {
        out.malformed = "malformed HTTP request: " + ec.message();
        co_return out;
    }
    out.websocket = websocket::asks_for_websocket(p.get());
    co_return out;
}

}  // namespace wv::gate
