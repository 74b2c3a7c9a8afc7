#include "rules_engine/http_action.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <deque>
#include <vector>

#include "functions/lambda_http/http_url.hpp"

namespace wv::rules_engine {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct http_action::state {
    state(http_action_config c, asio::io_context& io)
        : cfg(std::move(c)), url(lambda_http::parse_http_url(cfg.url)), strand(asio::make_strand(io)) {
        if (url.tls) throw std::invalid_argument("URL '" + cfg.url + "': https is not supported by the http action");
        target = url.base_path.empty() ? "/" : url.base_path;
    }
    struct job {
        std::string body;
        completion done;
    };
    http_action_config cfg;
    lambda_http::http_url url;
    std::string target;
    asio::strand<asio::io_context::executor_type> strand;
    // Everything below is touched only on the strand.
    std::deque<job> jobs;
    std::vector<std::unique_ptr<beast::tcp_stream>> idle;
    std::size_t loops = 0;
};

namespace {

using state = http_action::state;
using conn_ptr = std::unique_ptr<beast::tcp_stream>;
constexpr auto tok = asio::as_tuple(asio::use_awaitable);

// One request on `conn` (connecting first when it is empty). Returns "" or the failure.
asio::awaitable<std::string> deliver(state& s, conn_ptr& conn, const std::string& body) {
    for (int attempt = 0; attempt < 2; ++attempt) {
        const bool reused = conn != nullptr;
        if (!conn) {
            conn = std::make_unique<beast::tcp_stream>(s.strand);
            conn->expires_after(s.cfg.timeout);
            tcp::resolver resolver(s.strand);
            auto [rec, endpoints] = co_await resolver.async_resolve(s.url.host, std::to_string(s.url.port), tok);
            if (rec) {
                conn.reset();
                co_return "resolve " + s.url.host + ": " + rec.message();
            }
            auto [cec, ep] = co_await conn->async_connect(endpoints, tok);
            if (cec) {
                conn.reset();
                co_return "connect " + s.url.host_header() + ": " +
                    (cec == beast::error::timeout ? std::string("timed out") : cec.message());
            }
        }
        conn->expires_after(s.cfg.timeout);
        http::request<http::string_body> req{http::verb::post, s.target, 11};
        req.set(http::field::host, s.url.host_header());
        req.set(http::field::content_type, "application/json");
        req.set(http::field::user_agent, "wvgate-rules/0.1");
        for (const auto& [k, v] : s.cfg.headers) req.set(k, v);
        req.keep_alive(true);
        req.body() = body;
        req.prepare_payload();
        auto [wec, wn] = co_await http::async_write(*conn, req, tok);
        beast::flat_buffer buf;
        http::response<http::string_body> res;
        beast::error_code ec = wec;
        if (!ec) std::tie(ec, std::ignore) = co_await http::async_read(*conn, buf, res, tok);
        if (ec) {
            conn.reset();
            // A kept-alive connection the server closed while idle: the request never got an
            // answer, so one retry on a fresh connection is safe in practice.
            if (reused && ec != beast::error::timeout) continue;
            co_return "POST " + s.cfg.url + ": " + (ec == beast::error::timeout ? std::string("timed out") : ec.message());
        }
        if (!res.keep_alive()) conn.reset();
        const auto status = res.result_int();
        if (status < 200 || status > 299) co_return "HTTP " + std::to_string(status) + " from " + s.cfg.url;
        co_return std::string{};
    }
    co_return "POST " + s.cfg.url + ": connection closed twice";
}

asio::awaitable<void> delivery_loop(std::shared_ptr<state> s) {
    conn_ptr conn;
    if (!s->idle.empty()) {
        conn = std::move(s->idle.back());
        s->idle.pop_back();
    }
    while (!s->jobs.empty()) {
        auto j = std::move(s->jobs.front());
        s->jobs.pop_front();
        std::string error;
        try {
            error = co_await deliver(*s, conn, j.body);
        } catch (const std::exception& e) {
            conn.reset();
            error = std::string("POST failed: ") + e.what();
        }
        j.done(std::move(error));
    }
    if (conn) s->idle.push_back(std::move(conn));
    --s->loops;
}

}  // namespace

http_action::http_action(http_action_config cfg, asio::io_context& io)
    : s_(std::make_shared<state>(std::move(cfg), io)) {}

http_action::~http_action() = default;

void http_action::run(input_ptr in, completion done) {
    auto body = output_json_text(in->output);
    asio::post(s_->strand, [s = s_, body = std::move(body), done = std::move(done)]() mutable {
        s->jobs.push_back({std::move(body), std::move(done)});
        if (s->loops < s->cfg.connections) {
            ++s->loops;
            asio::co_spawn(s->strand, delivery_loop(s), asio::detached);
        }
    });
}

std::string http_action::describe() const { return "http " + s_->cfg.url; }

}  // namespace wv::rules_engine
