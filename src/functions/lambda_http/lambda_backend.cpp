#include "functions/lambda_http/lambda_backend.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cstdlib>
#include <deque>
#include <set>
#include <stdexcept>
#include <thread>

#include "functions/lambda_http/http_url.hpp"
#include "functions/lambda_http/invoke_response.hpp"
#include "sigv4/sigv4.hpp"

namespace wv::lambda_http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;
using auth::backend_errc;
using auth::backend_reply;

constexpr std::size_t max_response_bytes = 7 * 1024 * 1024;  // Lambda's 6 MB payload plus headers

// One pooled connection: plain TCP or TLS over it.
struct connection {
    explicit connection(asio::io_context& io) : tcp(io) {}
    beast::tcp_stream tcp;
    std::unique_ptr<beast::ssl_stream<beast::tcp_stream&>> tls;
    beast::flat_buffer buffer;
    std::uint64_t uses = 0;

    beast::tcp_stream& lowest() { return tcp; }
    void close() {
        beast::error_code ignored;
        tcp.socket().shutdown(tcp::socket::shutdown_both, ignored);
        tcp.close();
    }
};

struct call_state {
    explicit call_state(asio::io_context& io) : timer(io) {}
    std::string event;
    steady::time_point deadline;
    auth::authorizer_backend::completion done;
    asio::steady_timer timer;
    bool running = false;
    bool finished = false;
};

// Everything that runs on the I/O thread; shared by the handle and the thread (see ~lambda_backend).
class lambda_client {
public:
    using completion = auth::authorizer_backend::completion;

    lambda_client(lambda_options opts, http_url url, std::optional<sigv4::credentials> creds,
                  std::string region)
        : opts_(std::move(opts)),
          url_(std::move(url)),
          creds_(std::move(creds)),
          region_(std::move(region)),
          ssl_(asio::ssl::context::tls_client),
          guard_(io_.get_executor()) {
        target_ = url_.base_path + "/2015-03-31/functions/" + sigv4::uri_encode(opts_.function, false) +
                  "/invocations";
        if (!opts_.qualifier.empty()) target_ += "?Qualifier=" + sigv4::uri_encode(opts_.qualifier, false);
        if (url_.tls) {
            ssl_.set_default_verify_paths();
            if (!opts_.ca_file.empty()) ssl_.load_verify_file(opts_.ca_file.string());
            ssl_.set_verify_mode(opts_.verify_tls ? asio::ssl::verify_peer : asio::ssl::verify_none);
        }
    }

    void run() { io_.run(); }

    void stop() {
        asio::post(io_, [this] { shutdown(); });
        guard_.reset();
    }

    void invoke(std::string event_json, steady::time_point deadline, completion done) {
        auto c = std::make_shared<call_state>(io_);
        c->event = std::move(event_json);
        c->deadline = deadline;
        c->done = std::move(done);
        asio::post(io_, [this, c] { enqueue(c); });
    }

    std::string describe() const {
        return "lambda " + std::string(url_.tls ? "https://" : "http://") + url_.host_header() +
               url_.base_path + " fn=" + opts_.function +
               (opts_.qualifier.empty() ? "" : ":" + opts_.qualifier) + (creds_ ? " sigv4=" + region_ : "");
    }

private:
    void enqueue(const std::shared_ptr<call_state>& c) {
        if (stopping_) return finish(c, {backend_errc::transport, {}, "backend stopped", {}});
        if (queue_.size() >= opts_.max_queue)
            return finish(c, {backend_errc::overloaded,
                              {},
                              std::to_string(queue_.size()) + " calls already wait for a connection",
                              {}});
        queue_.push_back(c);
        c->timer.expires_at(c->deadline);
        c->timer.async_wait([this, c](boost::system::error_code ec) {
            if (ec || c->finished || c->running) return;  // a running call times out on its stream
            std::erase(queue_, c);
            finish(c, {backend_errc::timeout,
                       {},
                       "waited for a free connection past the deadline (all " +
                           std::to_string(opts_.max_connections) + " busy)",
                       {}});
        });
        dispatch();
    }

    void dispatch() {
        while (!stopping_ && !queue_.empty() && (!idle_.empty() || open_ < opts_.max_connections)) {
            auto c = queue_.front();
            queue_.pop_front();
            std::unique_ptr<connection> conn;
            if (!idle_.empty()) {
                conn = std::move(idle_.back());
                idle_.pop_back();
            } else {
                ++open_;  // counted from now: the connect is part of the call
            }
            c->running = true;
            asio::co_spawn(io_, run_call(c, std::move(conn)), asio::detached);
        }
    }

    asio::awaitable<void> run_call(std::shared_ptr<call_state> c, std::unique_ptr<connection> conn) {
        const bool reused = conn != nullptr;
        backend_reply r;
        std::unique_ptr<connection> keep;
        bool retry = false;
        co_await attempt(c, std::move(conn), r, keep, retry);
        if (retry && reused && !stopping_ && steady::now() < c->deadline) {
            // The server closed an idle kept-alive connection under us: the request never got
            // in, so sending it once more on a fresh connection cannot run the function twice.
            keep.reset();
            r = {};
            retry = false;
            co_await attempt(c, nullptr, r, keep, retry);
        }
        if (keep && !stopping_)
            idle_.push_back(std::move(keep));
        else
            --open_;
        finish(c, std::move(r));
        dispatch();
    }

    // One request/response. `reply` is set; `keep` holds the connection when it may be reused;
    // `retry` says the failure happened before the server could have read the request.
    asio::awaitable<void> attempt(std::shared_ptr<call_state> c, std::unique_ptr<connection> conn,
                                  backend_reply& reply, std::unique_ptr<connection>& keep, bool& retry) {
        const auto tok = asio::as_tuple(asio::use_awaitable);
        if (!conn) {
            conn = std::make_unique<connection>(io_);
            auto [cec, cdetail] = co_await connect(*conn, c->deadline);
            if (cec) {
                reply = {steady::now() >= c->deadline ? backend_errc::timeout : backend_errc::transport,
                         {},
                         cdetail,
                         {}};
                co_return;
            }
        }
        busy_.insert(conn.get());
        struct unmark {
            std::set<connection*>& s;
            connection* p;
            ~unmark() { s.erase(p); }
        } guard{busy_, conn.get()};

        http::request<http::string_body> req{http::verb::post, target_, 11};
        req.set(http::field::host, url_.host_header());
        req.set(http::field::user_agent, "wvauthz/0.1");
        req.set(http::field::content_type, "application/json");
        req.set("X-Amz-Invocation-Type", "RequestResponse");
        if (opts_.tail_logs) req.set("X-Amz-Log-Type", "Tail");
        req.keep_alive(true);
        req.body() = c->event;
        req.prepare_payload();
        if (creds_) sign(req);

        conn->lowest().expires_at(c->deadline);
        ++conn->uses;
        beast::error_code ec;
        std::size_t n = 0;
        if (conn->tls)
            std::tie(ec, n) = co_await http::async_write(*conn->tls, req, tok);
        else
            std::tie(ec, n) = co_await http::async_write(conn->tcp, req, tok);
        if (!ec) {
            http::response_parser<http::string_body> parser;
            parser.body_limit(max_response_bytes);
            if (conn->tls)
                std::tie(ec, n) = co_await http::async_read(*conn->tls, conn->buffer, parser, tok);
            else
                std::tie(ec, n) = co_await http::async_read(conn->tcp, conn->buffer, parser, tok);
            if (!ec) {
                auto& res = parser.get();
                invoke_answer a;
                a.status = res.result_int();
                a.function_error = std::string(res["X-Amz-Function-Error"]);
                a.error_type = std::string(res["x-amzn-ErrorType"]);
                a.log_result = std::string(res["X-Amz-Log-Result"]);
                a.body = std::move(res.body());
                reply = to_backend_reply(a);
                if (res.keep_alive()) keep = std::move(conn);
                co_return;
            }
            // Nothing at all came back on a reused connection: it was closed while idle.
            retry = conn->uses > 1 && n == 0 &&
                    (ec == http::error::end_of_stream || ec == asio::error::eof ||
                     ec == asio::error::connection_reset);
        } else {
            retry = conn->uses > 1 && (ec == asio::error::broken_pipe || ec == asio::error::connection_reset);
        }
        if (ec == beast::error::timeout || steady::now() >= c->deadline)
            reply = {
                backend_errc::timeout, {}, "no answer from " + url_.host_header() + " by the deadline", {}};
        else if (stopping_)
            reply = {backend_errc::transport, {}, "backend stopped", {}};
        else
            reply = {backend_errc::transport,
                     {},
                     "HTTP exchange with " + url_.host_header() + " failed: " + ec.message(),
                     {}};
        conn->close();
    }

    asio::awaitable<std::pair<beast::error_code, std::string>> connect(connection& conn,
                                                                       steady::time_point deadline) {
        const auto tok = asio::as_tuple(asio::use_awaitable);
        const auto where = url_.host + ":" + std::to_string(url_.port);
        tcp::resolver resolver(io_);
        auto [rec, results] = co_await resolver.async_resolve(url_.host, std::to_string(url_.port), tok);
        if (rec) co_return std::pair{rec, "resolve " + url_.host + ": " + rec.message()};
        conn.tcp.expires_at(std::min(deadline, steady::now() + opts_.connect_timeout));
        auto [cec, ep] = co_await conn.tcp.async_connect(results, tok);
        if (cec) co_return std::pair{cec, "connect " + where + ": " + cec.message()};
        conn.tcp.socket().set_option(tcp::no_delay(true));
        if (url_.tls) {
            conn.tls = std::make_unique<beast::ssl_stream<beast::tcp_stream&>>(conn.tcp, ssl_);
            if (!SSL_set_tlsext_host_name(conn.tls->native_handle(), url_.host.c_str()))
                co_return std::pair{beast::error_code(asio::error::invalid_argument), "TLS: cannot set SNI"};
            if (opts_.verify_tls) conn.tls->set_verify_callback(asio::ssl::host_name_verification(url_.host));
            auto [hec] = co_await conn.tls->async_handshake(asio::ssl::stream_base::client, tok);
            if (hec) co_return std::pair{hec, "TLS handshake with " + where + ": " + hec.message()};
        }
        co_return std::pair{beast::error_code{}, std::string{}};
    }

    void sign(http::request<http::string_body>& req) {
        sigv4::http_request sr;
        sr.method = "POST";
        const auto q = target_.find('?');
        sr.path = target_.substr(0, q);
        if (!opts_.qualifier.empty()) sr.query = {{"Qualifier", opts_.qualifier}};
        for (const auto& f : req) {
            const std::string name(f.name_string());
            if (name == "User-Agent") continue;  // proxies rewrite it; AWS SDKs leave it unsigned too
            sr.headers.emplace_back(name, std::string(f.value()));
        }
        sr.body = req.body();
        const auto signed_req =
            sigv4::sign(sr, *creds_, {region_, "lambda", std::chrono::system_clock::now()});
        for (const auto& [n, v] : signed_req.added) req.set(n, v);
    }

    void finish(const std::shared_ptr<call_state>& c, backend_reply r) {
        if (c->finished) return;
        c->finished = true;
        c->timer.cancel();
        auto done = std::move(c->done);
        try {
            if (done) done(std::move(r));
        } catch (...) {
            // A completion must not throw (see the seam); keep the I/O thread alive.
        }
    }

    void shutdown() {
        stopping_ = true;
        auto q = std::move(queue_);
        queue_.clear();
        for (auto& c : q) finish(c, {backend_errc::transport, {}, "backend stopped", {}});
        for (auto& conn : idle_) conn->close();
        idle_.clear();
        for (auto* conn : busy_) conn->close();  // their coroutines finish with "backend stopped"
    }

    lambda_options opts_;
    http_url url_;
    std::optional<sigv4::credentials> creds_;
    std::string region_;
    std::string target_;
    asio::io_context io_{1};
    asio::ssl::context ssl_;
    asio::executor_work_guard<asio::io_context::executor_type> guard_;
    std::deque<std::shared_ptr<call_state>> queue_;
    std::vector<std::unique_ptr<connection>> idle_;
    std::set<connection*> busy_;
    std::size_t open_ = 0;
    bool stopping_ = false;
};

}  // namespace

std::unique_ptr<auth::authorizer_backend> make_lambda_backend(lambda_options opts) {
    http_url url = parse_http_url(opts.url);
    if (opts.function.empty()) throw std::invalid_argument("lambda backend: no function name given");
    if (opts.max_connections == 0)
        throw std::invalid_argument("lambda backend: max_connections must be at least 1");
    const bool sign = opts.sign == signing::always || (opts.sign == signing::automatic && url.tls);
    std::optional<sigv4::credentials> creds;
    std::string region = opts.region;
    if (sign) {
        if (region.empty()) region = region_from_lambda_host(url.host);
        if (region.empty() && std::getenv("AWS_REGION")) region = std::getenv("AWS_REGION");
        if (region.empty() && std::getenv("AWS_DEFAULT_REGION")) region = std::getenv("AWS_DEFAULT_REGION");
        if (region.empty())
            throw std::invalid_argument(
                "lambda backend: SigV4 needs a region (set region, or use a "
                "lambda.<region>.amazonaws.com URL, or AWS_REGION)");
        try {
            creds = opts.credentials ? *opts.credentials : sigv4::load_credentials();
        } catch (const std::runtime_error& e) {
            throw std::invalid_argument(std::string("lambda backend: ") + e.what());
        }
    }
    return std::make_unique<auth::engine_thread_backend<lambda_client>>(std::make_shared<lambda_client>(
        std::move(opts), std::move(url), std::move(creds), std::move(region)));
}

}  // namespace wv::lambda_http
