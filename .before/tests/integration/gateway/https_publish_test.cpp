// HTTPS publish (spec 8) against the real gateway over real TLS on 127.0.0.1: ALPN
// x-amzn-http-ca on the aws-443 listener and an aws-8443 listener, a device certificate from
// the generated CA, this project's MQTT client as the subscriber. The HTTP client is a few
// lines over tls::stream with Beast's response parser (curl is not guaranteed installed).
#include <doctest/doctest.h>

#include <future>
#include <map>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <nlohmann/json.hpp>

#include "gateway_fixture.hpp"
#include "run_on.hpp"
#include "test_device.hpp"
#include "support/temp_dir.hpp"
#include "tls/certificate.hpp"
#include "tls/connect.hpp"
#include "tls/test_ca.hpp"

using namespace std::chrono_literals;
using namespace wv::test;
namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace asio::experimental::awaitable_operators;

namespace {

struct http_reply {
    unsigned status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    nlohmann::json json() const { return nlohmann::json::parse(body); }
    std::string header(const std::string& lower_name) const {
        const auto it = headers.find(lower_name);
        return it == headers.end() ? std::string() : it->second;
    }
};

// One TLS connection that sends raw request bytes and parses responses.
class https_client {
public:
    https_client(std::uint16_t port, const std::string& ca, const wv::tls::client_cert_files* cert,
                 std::vector<std::string> alpn = {"x-amzn-http-ca"}) {
        wv::tls::client_options o;
        o.ca_file = ca;
        o.alpn = std::move(alpn);
        if (cert) {
            o.cert_file = cert->cert;
            o.key_file = cert->key;
        }
        ctx_ = std::make_unique<wv::tls::client_context>(o);
        wv::tls::connect_options co;
        co.host = "localhost";
        co.port = port;
        co.address = asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port);
        auto r = run_on(io_.ctx(), [co, ctx = ctx_.get(), ex = io_.ctx().get_executor()]() -> asio::awaitable<wv::tls::connect_result> {
            co_return co_await wv::tls::connect(ex, co, ctx);
        });
        ec_ = r.ec;
        if (!r.ec) s_ = std::make_unique<wv::tls::stream>(std::move(*r.s));
    }
    ~https_client() {
        if (s_)
            run_on(io_.ctx(), [s = s_.get()]() -> asio::awaitable<void> {
                s->close();
                co_return;
            });
    }
    std::error_code error() const { return ec_; }

    // A write error is not checked here: a refused peer may be closed already; the response
    // (or its absence) is what tests look at.
    void send(std::string raw) {
        REQUIRE(s_);
        (void)run_on(io_.ctx(), [s = s_.get(), raw]() -> asio::awaitable<std::error_code> {
            co_return co_await s->async_write(std::as_bytes(std::span(raw)));
        });
    }
    // The next response, or nullopt when the server closed first (or after 10 s).
    std::optional<http_reply> response() {
        REQUIRE(s_);
        return run_on(io_.ctx(), [this]() -> asio::awaitable<std::optional<http_reply>> {
            http::response_parser<http::string_body> p;
            p.eager(true);
            const auto deadline = std::chrono::steady_clock::now() + 10s;
            for (;;) {
                while (!pending_.empty()) {
                    boost::beast::error_code ec;
                    const auto n = p.put(asio::buffer(pending_), ec);
                    pending_.erase(0, n);
                    if (ec == http::error::need_more || (!ec && n == 0)) break;
                    if (ec) co_return std::nullopt;
                    if (p.is_done()) {
                        http_reply r;
                        r.status = p.get().result_int();
                        for (const auto& f : p.get()) {
                            std::string name(f.name_string());
                            for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                            r.headers[name] = std::string(f.value());
                        }
                        r.body = p.get().body();
                        co_return r;
                    }
                }
                std::array<std::byte, 4096> buf;
                asio::steady_timer t(co_await asio::this_coro::executor, deadline);
                auto got = co_await (s_->async_read_some(buf) || t.async_wait(asio::as_tuple(asio::use_awaitable)));
                if (got.index() == 1) co_return std::nullopt;
                auto [ec, n] = std::get<0>(got);
                if (ec) co_return std::nullopt;
                pending_.append(reinterpret_cast<const char*>(buf.data()), n);
            }
        });
    }
    std::optional<http_reply> post(const std::string& target, const std::string& body) {
        send("POST " + target + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + std::to_string(body.size()) +
             "\r\n\r\n" + body);
        return response();
    }
    // True when the server closes the connection within the timeout (any bytes are dropped).
    bool closed(std::chrono::milliseconds timeout = 10s) {
        return run_on(io_.ctx(), [this, timeout]() -> asio::awaitable<bool> {
            const auto deadline = std::chrono::steady_clock::now() + timeout;
            for (;;) {
                std::array<std::byte, 4096> buf;
                asio::steady_timer t(co_await asio::this_coro::executor, deadline);
                auto got = co_await (s_->async_read_some(buf) || t.async_wait(asio::as_tuple(asio::use_awaitable)));
                if (got.index() == 1) co_return false;
                if (std::get<0>(std::get<0>(got))) co_return true;
            }
        });
    }

private:
    io_thread io_;
    std::unique_ptr<wv::tls::client_context> ctx_;
    std::unique_ptr<wv::tls::stream> s_;
    std::error_code ec_;
    std::string pending_;
};

void with_https(wv::gate::gateway_config& c) {
    wv::gate::listener_config l;
    l.name = "aws-8443";
    l.kind = wv::gate::listener_kind::aws_8443;
    l.port = 0;
    c.listeners.push_back(l);
    // The certificate may publish under wv/ (retained only under wv/keep/).
    c.certificate_policies = {
        R"({"Version":"2012-10-17","Statement":[)"
        R"({"Effect":"Allow","Action":"iot:Publish","Resource":"arn:aws:iot:*:*:topic/wv/*"},)"
        R"({"Effect":"Allow","Action":"iot:RetainPublish","Resource":"arn:aws:iot:*:*:topic/wv/keep/*"}]})"};
    c.https.request_timeout = 1s;
}

std::unique_ptr<device> subscriber(const gateway_fixture& g, const std::string& filter) {
    endpoint_options ep;
    ep.port = g.port();
    ep.ca_file = g.ca();
    wv::client::session_options s;
    s.client_id = "sub";
    s.user_name = "dev1?x-amz-customauthorizer-name=auth";
    s.password = "pw1";
    auto d = std::make_unique<device>(ep, s);
    REQUIRE_FALSE(d->connect_error());
    REQUIRE_FALSE(d->subscribe(filter));
    return d;
}

}  // namespace

TEST_CASE("HTTPS publish with ALPN x-amzn-http-ca: 200 as AWS answers, delivered to an MQTT subscriber") {
    gateway_fixture g(with_https);
    const auto cert = wv::tls::make_client_cert(g.dir / "ca", "thing1");
    auto sub = subscriber(g, "wv/#");
    https_client c(g.port(0), g.ca(), &cert);
    REQUIRE_FALSE(c.error());
    const auto r = c.post("/topics/wv%2Fthing1%2Fsamp?qos=1", "hello over https");
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->header("content-type") == "application/json");
    CHECK(r->header("connection") == "keep-alive");
    CHECK(r->json()["message"] == "OK");
    CHECK(r->json()["traceId"] == r->header("x-amzn-requestid"));
    // Keep-alive: a second request on the same connection, with a literal `/` in the topic.
    const auto r2 = c.post("/topics/wv/thing1/two", "second");
    REQUIRE(r2);
    CHECK(r2->status == 200);
    const auto got = sub->messages(2);
    REQUIRE(got.size() == 2);
    CHECK(got[0] == std::pair<std::string, std::string>{"wv/thing1/samp", "hello over https"});
    CHECK(got[1] == std::pair<std::string, std::string>{"wv/thing1/two", "second"});
    // AWS's principal for a certificate is its id: the SHA-256 of the DER.
    const auto id = wv::tls::certificate::from_pem(read_file(cert.cert))->id();
    CHECK(g.wait_for_log({R"("eventType":"Publish-In")", R"("protocol":"HTTP")", "wv/thing1/samp", id}));
}

TEST_CASE("HTTPS publish refusals: 403 policy, 400 topic, 405 verb, 404 path; the connection stays usable") {
    gateway_fixture g(with_https);
    const auto cert = wv::tls::make_client_cert(g.dir / "ca", "thing1");
    https_client c(g.port(0), g.ca(), &cert);
    REQUIRE_FALSE(c.error());
    const auto status = [&](std::optional<http_reply> r) {
        REQUIRE(r);
        CHECK(r->header("content-type") == "application/json");
        CHECK(r->json()["message"].is_string());
        return r->status;
    };
    CHECK(status(c.post("/topics/other/x", "x")) == 403);
    CHECK(status(c.post("/topics/wv/x?retain=true", "x")) == 403);  // iot:RetainPublish only under wv/keep/
    CHECK(status(c.post("/topics/wv/%23", "x")) == 400);
    CHECK(status(c.post("/topics/$aws/events/presence/connected/x", "x")) == 400);
    CHECK(status(c.post("/topics/wv/x?qos=2", "x")) == 400);
    c.send("GET /topics/wv/x HTTP/1.1\r\nHost: localhost\r\n\r\n");
    CHECK(status(c.response()) == 405);
    CHECK(status(c.post("/shadow/x", "x")) == 404);
    // Two requests in one write (pipelined): two answers, in order.
    c.send("POST /topics/wv/a HTTP/1.1\r\nContent-Length: 1\r\n\r\naPOST /topics/nope HTTP/1.1\r\nContent-Length: 1\r\n\r\nb");
    CHECK(status(c.response()) == 200);
    CHECK(status(c.response()) == 403);
    CHECK(status(c.post("/topics/wv/keep/x?retain=true", "kept")) == 200);
    CHECK(g.gw->stats().messages_in == 2);
}

TEST_CASE("HTTPS publish: oversize body is 413 and malformed HTTP 400, each closing only its connection") {
    gateway_fixture g(with_https);
    const auto cert = wv::tls::make_client_cert(g.dir / "ca", "thing1");
    auto sub = subscriber(g, "wv/#");
    {
        https_client c(g.port(0), g.ca(), &cert);
        c.send("POST /topics/wv/big HTTP/1.1\r\nContent-Length: 131073\r\n\r\n");
        const auto r = c.response();
        REQUIRE(r);
        CHECK(r->status == 413);
        CHECK(r->header("connection") == "close");
        CHECK(c.closed());
    }
    {
        https_client c(g.port(0), g.ca(), &cert);
        c.send("POST /topics/wv/x HTTP/1.1\r\nContent-Length: nope\r\n\r\n");
        const auto r = c.response();
        REQUIRE(r);
        CHECK(r->status == 400);
        CHECK(c.closed());
    }
    {
        https_client c(g.port(0), g.ca(), &cert);
        c.send(std::string("POST /topics/wv/x HTTP/1.1\r\nX-Junk: ") + std::string(9000, 'a') + "\r\n\r\n");
        const auto r = c.response();
        REQUIRE(r);
        CHECK(r->status == 400);  // headers over 8 KiB
        CHECK(c.closed());
    }
    {
        // A request that never completes is closed at the request deadline (1 s here).
        https_client c(g.port(0), g.ca(), &cert);
        c.send("POST /topics/wv/x HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
        CHECK(c.closed());
        CHECK(g.wait_for_log({"request not complete within the request deadline"}));
    }
    // Everyone else carried on.
    https_client c(g.port(0), g.ca(), &cert);
    const auto r = c.post("/topics/wv/after", "still fine");
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(sub->messages(1).at(0).second == "still fine");
}

TEST_CASE("HTTPS publish needs a client certificate; an aws-8443 listener needs no ALPN") {
    gateway_fixture g(with_https);
    const auto cert = wv::tls::make_client_cert(g.dir / "ca", "thing1");
    SUBCASE("x-amzn-http-ca without a certificate: closed before any request is answered") {
        https_client c(g.port(0), g.ca(), nullptr);
        if (!c.error()) {  // TLS 1.3: the client's handshake completes before the server refuses
            c.send("POST /topics/wv/x HTTP/1.1\r\nContent-Length: 1\r\n\r\nx");
            CHECK_FALSE(c.response());
        }
        CHECK(g.wait_for_log({"HTTPS publish needs a client certificate"}));
        CHECK(g.gw->stats().messages_in == 0);
    }
    SUBCASE("aws-8443 without a certificate: the handshake fails") {
        https_client c(g.port(1), g.ca(), nullptr, {});
        if (!c.error()) {
            c.send("POST /topics/wv/x HTTP/1.1\r\nContent-Length: 1\r\n\r\nx");
            CHECK_FALSE(c.response());
        }
        CHECK(g.gw->stats().messages_in == 0);
    }
    SUBCASE("aws-8443 with a certificate, no ALPN") {
        auto sub = subscriber(g, "wv/8443");
        https_client c(g.port(1), g.ca(), &cert, {});
        REQUIRE_FALSE(c.error());
        const auto r = c.post("/topics/wv/8443", "via 8443");
        REQUIRE(r);
        CHECK(r->status == 200);
        CHECK(sub->messages(1).at(0).second == "via 8443");
    }
}

TEST_CASE("HTTPS publish with a certificate the gateway does not know: handshake completes, 403, closed") {
    gateway_fixture g(with_https);
    temp_dir other;
    wv::tls::make_test_ca(other.path());
    const auto foreign = wv::tls::make_client_cert(other.path(), "stranger");
    for (const bool on_8443 : {false, true}) {
        CAPTURE(on_8443);
        https_client c(on_8443 ? g.port(1) : g.port(0), g.ca(), &foreign);
        REQUIRE_FALSE(c.error());
        const auto r = c.post("/topics/wv/stranger/x", "x");
        REQUIRE(r);
        CHECK(r->status == 403);
        CHECK(r->header("connection") == "close");
        CHECK(c.closed());
    }
    CHECK(g.wait_for_log({"X.509 UNKNOWN_CERTIFICATE", "is not registered"}));
    CHECK(g.gw->stats().messages_in == 0);
}
