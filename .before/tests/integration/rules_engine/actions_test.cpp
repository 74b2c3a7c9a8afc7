// The http action against a local Beast server, and the lambda action through a python handler.
#include <doctest/doctest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <atomic>
#include <mutex>
#include <sstream>
#include <thread>

#include "rules_engine/engine.hpp"
#include "support/temp_dir.hpp"

using namespace wv::rules_engine;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

// An HTTP/1.1 server on 127.0.0.1:0 that records every request body and answers `status`
// (or never answers, when silent), keeping connections alive.
class http_sink {
public:
    explicit http_sink(unsigned status = 200, bool silent = false) : status_(status), silent_(silent) {
        asio::co_spawn(io_, listen(), asio::detached);
        thread_ = std::thread([this] { io_.run(); });
    }
    ~http_sink() {
        io_.stop();
        thread_.join();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/ingest"; }
    std::vector<std::string> bodies() {
        std::lock_guard lock(m_);
        return bodies_;
    }
    std::vector<std::string> targets() {
        std::lock_guard lock(m_);
        return targets_;
    }
    int connections() const { return connections_; }

private:
    asio::awaitable<void> listen() {
        for (;;) {
            auto [ec, s] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
            if (ec) co_return;
            ++connections_;
            asio::co_spawn(io_, session(std::move(s)), asio::detached);
        }
    }
    asio::awaitable<void> session(tcp::socket s) {
        boost::beast::flat_buffer buf;
        for (;;) {
            http::request<http::string_body> req;
            auto [ec, n] = co_await http::async_read(s, buf, req, asio::as_tuple(asio::use_awaitable));
            if (ec) co_return;
            {
                std::lock_guard lock(m_);
                bodies_.push_back(req.body());
                targets_.push_back(std::string(req.target()) + " " + std::string(req[http::field::content_type]));
            }
            if (silent_) continue;  // the client times out and closes; the read above then ends
            http::response<http::string_body> res{static_cast<http::status>(status_), 11};
            res.keep_alive(req.keep_alive());
            res.body() = "{}";
            res.prepare_payload();
            auto [wec, wn] = co_await http::async_write(s, res, asio::as_tuple(asio::use_awaitable));
            if (wec) co_return;
        }
    }

    unsigned status_;
    bool silent_;
    asio::io_context io_;
    tcp::acceptor acceptor_{io_, {asio::ip::make_address("127.0.0.1"), 0}};
    std::uint16_t port_ = acceptor_.local_endpoint().port();
    std::atomic<int> connections_{0};
    std::mutex m_;
    std::vector<std::string> bodies_, targets_;
    std::thread thread_;
};

rule_config rule(std::string name, std::string sql, std::vector<action_config> actions) {
    rule_config r;
    r.name = std::move(name);
    r.sql = std::move(sql);
    r.version = wv::rules::sql_version::v2016_03_23;
    r.actions = std::move(actions);
    return r;
}

struct log_capture {
    std::mutex m;
    std::vector<std::string> lines;
    log_fn fn() {
        return [this](const std::string& l) {
            std::lock_guard lock(m);
            lines.push_back(l);
        };
    }
    bool contains(const std::string& s) {
        std::lock_guard lock(m);
        for (const auto& l : lines)
            if (l.find(s) != std::string::npos) return true;
        return false;
    }
};

}  // namespace

TEST_CASE("http: POSTs the SELECT output as JSON over one kept-alive connection") {
    http_sink sink;
    engine_config cfg;
    cfg.rules.push_back(rule("fwd", "SELECT clientid() AS id, topic(2) AS n, v FROM 'data/+'",
                             {http_action_config{.url = sink.url(), .timeout = 5000ms, .connections = 1}}));
    engine e(std::move(cfg));
    for (int i = 0; i < 10; ++i)
        e.on_message({.topic = "data/" + std::to_string(i), .payload = R"({"v": )" + std::to_string(i) + "}",
                      .client_id = "dev"});
    REQUIRE(e.drain(30s));
    const auto bodies = sink.bodies();
    REQUIRE(bodies.size() == 10);
    CHECK(bodies[0] == R"({"id":"dev","n":"0","v":0})");
    CHECK(bodies[9] == R"({"id":"dev","n":"9","v":9})");
    CHECK(sink.targets()[0] == "/ingest application/json");
    CHECK(sink.connections() == 1);
    CHECK(e.stats().ok == 10);
}

TEST_CASE("http: a 5xx, a refused connection and a silent server each fail with their reason") {
    log_capture logs;
    SUBCASE("5xx") {
        http_sink sink(503);
        engine_config cfg;
        cfg.rules.push_back(rule("fwd", "SELECT * FROM 'a'", {http_action_config{.url = sink.url()}}));
        engine e(std::move(cfg), {.log = logs.fn()});
        e.on_message({.topic = "a", .payload = "{}"});
        REQUIRE(e.drain(30s));
        CHECK(e.stats().failed == 1);
        CHECK(logs.contains("failed: HTTP 503 from " + sink.url()));
    }
    SUBCASE("refused") {
        std::string url;
        {
            http_sink gone;
            url = gone.url();
        }
        engine_config cfg;
        cfg.rules.push_back(rule("fwd", "SELECT * FROM 'a'", {http_action_config{.url = url}}));
        engine e(std::move(cfg), {.log = logs.fn()});
        e.on_message({.topic = "a", .payload = "{}"});
        REQUIRE(e.drain(30s));
        CHECK(e.stats().failed == 1);
        CHECK(logs.contains("failed: connect 127.0.0.1:"));
    }
    SUBCASE("silent") {
        http_sink sink(200, true);
        engine_config cfg;
        cfg.rules.push_back(rule("fwd", "SELECT * FROM 'a'", {http_action_config{.url = sink.url(), .timeout = 300ms}}));
        engine e(std::move(cfg), {.log = logs.fn()});
        e.on_message({.topic = "a", .payload = "{}"});
        REQUIRE(e.drain(30s));
        CHECK(e.stats().failed == 1);
        CHECK(logs.contains("failed: POST " + sink.url() + ": timed out"));
    }
}

TEST_CASE("lambda: the function gets the SELECT output as its event") {
    wv::test::temp_dir dir;
    dir.write("fn.py", R"PY(
import json, os

def lambda_handler(event, context):
    with open(os.environ["OUT"], "a") as f:
        f.write(json.dumps(event, sort_keys=True) + "\n")
    if event.get("n") == "boom":
        raise RuntimeError("cannot handle " + event["n"])
    return {"ok": True}
)PY");
    wv::backends::backend_spec fn;
    fn.name = "fn";
    fn.kind = wv::backends::backend_kind::handler;
    fn.handler.spec = "python:" + (dir / "fn.py").string();
    fn.handler.workers = 1;
    fn.handler.environment["OUT"] = (dir / "events.jsonl").string();
    engine_config cfg;
    cfg.rules.push_back(rule("inv", "SELECT topic(2) AS n, clientid() AS c FROM 'x/+'",
                             {lambda_action_config{.function = fn, .timeout = 10000ms}}));
    log_capture logs;
    engine e(std::move(cfg), {.log = logs.fn()});
    e.on_message({.topic = "x/one", .payload = "", .client_id = "d1"});
    REQUIRE(e.drain(30s));
    e.on_message({.topic = "x/boom", .payload = "", .client_id = "d1"});
    REQUIRE(e.drain(30s));
    std::istringstream lines(wv::test::read_file(dir / "events.jsonl"));
    std::string first, second;
    std::getline(lines, first);
    std::getline(lines, second);
    CHECK(first == R"({"c": "d1", "n": "one"})");
    CHECK(second == R"({"c": "d1", "n": "boom"})");
    CHECK(e.stats().ok == 1);
    CHECK(e.stats().failed == 1);
    CHECK(logs.contains("failed: function_error: RuntimeError: cannot handle boom"));
}
