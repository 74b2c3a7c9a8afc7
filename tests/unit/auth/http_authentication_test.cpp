// http_authenticator (src/auth/http_authentication.hpp): custom auth from an HTTP request's
// headers, query or (WebSocket) CONNECT, with the event the authorizer receives checked field
// for field; SigV4 in both forms against iam: keys; AWS's refusals.
#include <doctest/doctest.h>

#include <future>
#include <mutex>

#include <nlohmann/json.hpp>

#include "auth/http_authentication.hpp"
#include "sigv4/sigv4.hpp"
#include "test_keys.hpp"

using namespace wv::auth;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// Answers every call with `reply` and remembers the events it received.
class recording_backend final : public authorizer_backend {
public:
    explicit recording_backend(std::string reply) : reply_(std::move(reply)) {}
    void invoke(std::string event, std::chrono::steady_clock::time_point, completion done) override {
        {
            std::lock_guard lock{m_};
            events_.push_back(std::move(event));
        }
        backend_reply r;
        r.body = reply_;
        done(std::move(r));
    }
    std::string describe() const override { return "recording"; }
    std::vector<std::string> events() {
        std::lock_guard lock{m_};
        return events_;
    }

private:
    std::string reply_;
    std::mutex m_;
    std::vector<std::string> events_;
};

const char* const allow_publish =
    R"({"isAuthenticated":true,"principalId":"dev1","disconnectAfterInSeconds":3600,"refreshAfterInSeconds":600,)"
    R"("policyDocuments":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Publish","Resource":"*"}]}]})";

const auto t0 = std::chrono::system_clock::from_time_t(1440938160);  // 2015-08-30T12:36:00Z

struct fixture {
    std::shared_ptr<recording_backend> backend = std::make_shared<recording_backend>(allow_publish);
    authorizer_service service{backend};
    custom_authorizers authorizers{[] {
        endpoint_authorizers e;
        e.authorizers.push_back({.name = "plain", .signing_disabled = true, .token_key_name = "token"});
        e.authorizers.push_back(
            {.name = "cached", .signing_disabled = true, .token_key_name = "token", .enable_caching_for_http = true});
        e.authorizers.push_back({.name = "signed",
                                 .token_key_name = "tok",
                                 .token_signing_public_keys = {{"k", test::rsa_2048().public_pem}}});
        return e;
    }()};
    iam_keys iam{
        {{.access_key_id = "AKIDEXAMPLE",
          .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
          .session_token = {},
          .principal = "arn:aws:iam::123456789012:user/fleet",
          .policy_documents = {
              R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Publish","Resource":"*"}]})"}}}};
    std::chrono::system_clock::time_point clock = t0 + 1min;  // the authenticator's wall clock
    http_authenticator auth{{.authorizers = &authorizers,
                             .services = [this](const std::string&) { return &service; },
                             .iam = &iam,
                             .region = "us-east-1",
                             .policy_cache = nullptr,
                             .now = [this] { return clock; }}};

    http_auth_verdict run(http_auth_request r) {
        std::promise<http_auth_verdict> p;
        auth.authenticate(std::move(r), [&](http_auth_verdict v) { p.set_value(std::move(v)); });
        auto f = p.get_future();
        REQUIRE(f.wait_for(5s) == std::future_status::ready);
        return f.get();
    }
};

http_auth_request publish(std::string target, std::vector<std::pair<std::string, std::string>> headers) {
    return {.transport = http_transport::http,
            .method = "POST",
            .target = std::move(target),
            .headers = std::move(headers),
            .body = "{\"t\":1}",
            .server_name = "abc-ats.iot.us-east-1.amazonaws.com",
            .source_ip = "127.0.0.1",
            .source_port = 5555,
            .connection_id = "0e1d7d4b-3d2b-4f8e-9a51-0c7e7a1d2b3c",
            .mqtt = std::nullopt};
}

std::string url_encode_b64(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '+')
            out += "%2B";
        else if (c == '/')
            out += "%2F";
        else if (c == '=')
            out += "%3D";
        else
            out += c;
    }
    return out;
}

}  // namespace

TEST_CASE("http: custom auth from headers; the event is AWS's HTTP form, field for field") {
    fixture f;
    const auto sig = test::sign_token_b64(test::rsa_2048(), "tk-1");
    const auto v = f.run(publish("/topics/a%2Fb?qos=1", {{"Host", "abc-ats.iot.us-east-1.amazonaws.com"},
                                                         {"x-amz-customauthorizer-name", "signed"},
                                                         {"X-Amz-CustomAuthorizer-Signature", sig},
                                                         {"tok", "tk-1"},
                                                         {"Content-Type", "application/json"}}));
    const auto* c = std::get_if<custom_auth_verdict>(&v);
    REQUIRE(c);
    CHECK(c->allowed());
    CHECK(c->authorizer == "signed");
    REQUIRE(c->policies);
    CHECK(c->policies->size() == 1);
    CHECK(c->result.verdict.response.principal_id == "dev1");
    const auto events = f.backend->events();
    REQUIRE(events.size() == 1);
    MESSAGE("event the authorizer received: ", events[0]);
    const auto expected = json::parse(R"({
      "token": "tk-1",
      "signatureVerified": true,
      "protocols": ["tls", "http"],
      "protocolData": {
        "tls": {"serverName": "abc-ats.iot.us-east-1.amazonaws.com"},
        "http": {"headers": {"Host": "abc-ats.iot.us-east-1.amazonaws.com",
                             "x-amz-customauthorizer-name": "signed",
                             "X-Amz-CustomAuthorizer-Signature": ")" +
                                      sig + R"(",
                             "tok": "tk-1",
                             "Content-Type": "application/json"},
                 "queryString": "?qos=1"}
      },
      "connectionMetadata": {"id": "0e1d7d4b-3d2b-4f8e-9a51-0c7e7a1d2b3c"}
    })");
    CHECK(json::parse(events[0]) == expected);
    CHECK(c->event_json == events[0]);
}

TEST_CASE("http: custom auth from query parameters (URL-encoded signature)") {
    fixture f;
    const auto sig = test::sign_token_b64(test::rsa_2048(), "tk 2");
    const std::string target =
        "/topics/t?qos=0&x-amz-customauthorizer-name=signed&tok=tk%202&"
        "x-amz-customauthorizer-signature=" +
        url_encode_b64(sig);
    const auto v = f.run(publish(target, {{"host", "h"}}));
    const auto* c = std::get_if<custom_auth_verdict>(&v);
    REQUIRE(c);
    CHECK(c->allowed());
    const auto ev = json::parse(f.backend->events().at(0));
    CHECK(ev["token"] == "tk 2");
    CHECK(ev["signatureVerified"] == true);
    CHECK(ev["protocolData"]["http"]["queryString"] == target.substr(target.find('?')));
    CHECK(ev["protocolData"]["http"]["headers"] == json{{"host", "h"}});
    CHECK_FALSE(ev["protocolData"].contains("mqtt"));
}

TEST_CASE(
    "http: refusals before invocation: bad signature, unknown authorizer, no authorizer, no credentials") {
    fixture f;
    const auto wrong = test::sign_token_b64(test::rsa_2048_other(), "tk-1");
    auto v = f.run(publish("/topics/t", {{"x-amz-customauthorizer-name", "signed"},
                                         {"x-amz-customauthorizer-signature", wrong},
                                         {"tok", "tk-1"}}));
    auto* r = std::get_if<http_refusal>(&v);
    REQUIRE(r);
    CHECK(r->status == 401);
    CHECK(r->error_type == "UnauthorizedException");
    CHECK(r->detail.find("bad_signature") != std::string::npos);
    v = f.run(publish("/topics/t?x-amz-customauthorizer-name=nope", {}));
    r = std::get_if<http_refusal>(&v);
    REQUIRE(r);
    CHECK(r->status == 401);
    CHECK(r->detail.find("authorizer_not_found") != std::string::npos);
    v = f.run(publish("/topics/t", {{"tok", "x"}}));
    r = std::get_if<http_refusal>(&v);
    REQUIRE(r);
    CHECK(r->detail.find("no_authorizer") != std::string::npos);
    v = f.run(publish("/topics/t?x-amz-customauthorizer-name=plain&token=%zz", {}));
    r = std::get_if<http_refusal>(&v);
    REQUIRE(r);
    CHECK(r->detail.find("query_malformed") != std::string::npos);
    CHECK(f.backend->events().empty());  // none of these reached the function
}

TEST_CASE("http: an authorizer that denies is a verdict, refused as 401") {
    fixture f;
    auto deny = std::make_shared<recording_backend>(
        R"({"isAuthenticated":false,"principalId":"x","policyDocuments":[]})");
    authorizer_service deny_service{deny};
    http_authenticator a{{.authorizers = &f.authorizers,
                          .services = [&](const std::string&) { return &deny_service; },
                          .iam = nullptr}};
    std::promise<http_auth_verdict> p;
    a.authenticate(publish("/topics/t", {{"x-amz-customauthorizer-name", "plain"}, {"token", "t"}}),
                   [&](http_auth_verdict v) { p.set_value(std::move(v)); });
    const auto v = p.get_future().get();
    const auto* c = std::get_if<custom_auth_verdict>(&v);
    REQUIRE(c);
    CHECK_FALSE(c->allowed());
    CHECK(c->result.outcome == authorization_outcome::denied);
    CHECK_FALSE(c->policies);
    const auto r = refusal_for(*c);
    CHECK(r.status == 401);
    CHECK(r.detail.find("authorizer plain: denied") == 0);
}

TEST_CASE("wss: no SigV4 at the upgrade defers to CONNECT; at CONNECT the event carries http and mqtt") {
    fixture f;
    auto req = publish("/mqtt?x-amz-customauthorizer-name=plain",
                       {{"Host", "h"}, {"Upgrade", "websocket"}, {"Sec-WebSocket-Protocol", "mqtt"}});
    req.transport = http_transport::wss;
    req.method = "GET";
    req.body.clear();
    CHECK(std::holds_alternative<deferred_to_connect>(f.run(req)));
    CHECK(f.backend->events().empty());

    // aws-crt's newWebsocketMqttBuilderWithCustomAuth: the token in the CONNECT user name.
    req.mqtt =
        mqtt_credentials{.username = "u?token=abc", .password = std::string("p\0w", 3), .client_id = "c1"};
    const auto v = f.run(req);
    const auto* c = std::get_if<custom_auth_verdict>(&v);
    REQUIRE(c);
    CHECK(c->allowed());
    const auto ev = json::parse(f.backend->events().at(0));
    MESSAGE("event the authorizer received: ", ev.dump());
    const auto expected = json::parse(R"({
      "token": "abc",
      "signatureVerified": false,
      "protocols": ["tls", "http", "mqtt"],
      "protocolData": {
        "tls": {"serverName": "abc-ats.iot.us-east-1.amazonaws.com"},
        "http": {"headers": {"Host": "h", "Upgrade": "websocket", "Sec-WebSocket-Protocol": "mqtt"},
                 "queryString": "?x-amz-customauthorizer-name=plain"},
        "mqtt": {"username": "u?token=abc", "password": "cAB3", "clientId": "c1"}
      },
      "connectionMetadata": {"id": "0e1d7d4b-3d2b-4f8e-9a51-0c7e7a1d2b3c"}
    })");
    CHECK(ev == expected);
}

TEST_CASE("wss: a header names the authorizer, the user name its own: the header wins") {
    fixture f;
    auto req = publish("/mqtt", {{"x-amz-customauthorizer-name", "plain"}, {"token", "from-header"}});
    req.transport = http_transport::wss;
    req.mqtt = mqtt_credentials{.username = "u?x-amz-customauthorizer-name=signed&token=from-user",
                                .password = {},
                                .client_id = "c1"};
    const auto v = f.run(req);
    REQUIRE(std::holds_alternative<custom_auth_verdict>(v));
    CHECK(std::get<custom_auth_verdict>(v).authorizer == "plain");
    CHECK(json::parse(f.backend->events().at(0))["token"] == "from-header");
}

TEST_CASE("SigV4 header form (HTTPS publish): verdict with the key's policies; refusals are 403") {
    fixture f;
    const wv::sigv4::credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", "t"};
    auto sign_at = [&](std::chrono::system_clock::time_point at, const wv::sigv4::credentials& c) {
        auto req = publish("/topics/a%2Fb?qos=1", {{"Host", "h"}});
        wv::sigv4::http_request h{.method = "POST",
                                  .path = "/topics/a%2Fb",
                                  .query = {{"qos", "1"}},
                                  .headers = req.headers,
                                  .body = req.body};
        for (auto& [n, val] : wv::sigv4::sign(h, c, {"us-east-1", "iotdevicegateway", at}).added)
            req.headers.emplace_back(n, val);
        return req;
    };
    auto v = f.run(sign_at(t0, creds));
    const auto* s = std::get_if<sigv4_verdict>(&v);
    REQUIRE(s);
    CHECK(s->access_key_id == "AKIDEXAMPLE");
    CHECK(s->principal == "arn:aws:iam::123456789012:user/fleet");
    CHECK_FALSE(s->presigned);
    REQUIRE(s->policies);
    CHECK(s->policies->size() == 1);
    CHECK(f.backend->events().empty());

    // botocore's iot-data client signs HTTPS Publish as service "iotdata": accepted too.
    {
        auto req = publish("/topics/a%2Fb?qos=1", {{"Host", "h"}});
        wv::sigv4::http_request h{.method = "POST", .path = "/topics/a%2Fb", .query = {{"qos", "1"}},
                                  .headers = req.headers, .body = req.body};
        for (auto& [n, val] : wv::sigv4::sign(h, creds, {"us-east-1", "iotdata", t0}).added) req.headers.emplace_back(n, val);
        CHECK(std::holds_alternative<sigv4_verdict>(f.run(req)));
    }
    v = f.run(sign_at(t0 - 20min, creds));
    auto* r = std::get_if<http_refusal>(&v);
    REQUIRE(r);
    CHECK(r->status == 403);
    CHECK(r->error_type == "InvalidSignatureException");
    CHECK(r->message.rfind("Signature expired: ", 0) == 0);
    v = f.run(sign_at(t0, {"AKIDEXAMPLE", "wrong", "", "t"}));
    r = std::get_if<http_refusal>(&v);
    REQUIRE(r);
    CHECK(r->error_type == "InvalidSignatureException");
    v = f.run(sign_at(t0, {"AKIDUNKNOWN", "x", "", "t"}));
    r = std::get_if<http_refusal>(&v);
    REQUIRE(r);
    CHECK(r->status == 403);
    CHECK(r->error_type == "UnrecognizedClientException");
    CHECK(r->detail.find("AKIDUNKNOWN") != std::string::npos);
}

TEST_CASE("SigV4 presigned /mqtt (wss upgrade): decided at the upgrade") {
    fixture f;
    const wv::sigv4::credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", "t"};
    http_auth_request req{
        .transport = http_transport::wss,
        .method = "GET",
        .target = wv::sigv4::presign_target("/mqtt", "h", creds, {"us-east-1", "iotdevicegateway", t0}),
        .headers = {{"Host", "h"}, {"Upgrade", "websocket"}},
        .connection_id = "id"};
    auto v = f.run(req);
    const auto* s = std::get_if<sigv4_verdict>(&v);
    REQUIRE(s);
    CHECK(s->presigned);
    CHECK(s->signed_at == t0);
    req.target = wv::sigv4::presign_target("/mqtt", "h", creds, {"eu-west-1", "iotdevicegateway", t0});
    v = f.run(req);
    const auto* r = std::get_if<http_refusal>(&v);
    REQUIRE(r);
    CHECK(r->status == 403);
    CHECK(r->detail.find("wrong_scope") != std::string::npos);
}

TEST_CASE("http: enableCachingForHttp reuses the connection's allowed answer per token until refreshAfterInSeconds") {
    fixture f;
    http_verdict_cache connection;  // one kept-alive HTTPS connection
    auto request = [&](const std::string& authorizer, const std::string& token, http_verdict_cache* cache) {
        auto r = publish("/topics/t?qos=1", {{"x-amz-customauthorizer-name", authorizer}, {"token", token}});
        r.cache = cache;
        const auto v = f.run(std::move(r));
        const auto* c = std::get_if<custom_auth_verdict>(&v);
        REQUIRE(c);
        CHECK(c->allowed());
        REQUIRE(c->policies);
        return c->cached;
    };
    CHECK_FALSE(request("cached", "tk-a", &connection));  // invoked
    CHECK(f.backend->events().size() == 1);
    CHECK(request("cached", "tk-a", &connection));  // the same token on the connection: the answer reused
    CHECK(f.backend->events().size() == 1);
    CHECK_FALSE(request("cached", "tk-b", &connection));  // another token: invoked
    CHECK(f.backend->events().size() == 2);
    CHECK(request("cached", "tk-a", &connection));
    http_verdict_cache other_connection;
    CHECK_FALSE(request("cached", "tk-a", &other_connection));  // a new connection asks again
    CHECK(f.backend->events().size() == 3);
    f.clock += 599s;  // refreshAfterInSeconds is 600 in the reply
    CHECK(request("cached", "tk-a", &connection));
    f.clock += 1s;
    CHECK_FALSE(request("cached", "tk-a", &connection));  // expired: invoked again, kept again
    CHECK(f.backend->events().size() == 4);
    CHECK(request("cached", "tk-a", &connection));
    // An authorizer without the flag is invoked for every request, cache or not.
    CHECK_FALSE(request("plain", "tk-a", &connection));
    CHECK_FALSE(request("plain", "tk-a", &connection));
    CHECK(f.backend->events().size() == 6);
    // MQTT over WebSocket never uses it (AWS: "does not affect ... MQTT connections").
    auto wss = publish("/mqtt", {{"x-amz-customauthorizer-name", "cached"}, {"token", "tk-a"}});
    wss.transport = http_transport::wss;
    wss.mqtt = mqtt_credentials{};
    wss.cache = &connection;
    const auto v = f.run(std::move(wss));
    REQUIRE(std::holds_alternative<custom_auth_verdict>(v));
    CHECK_FALSE(std::get<custom_auth_verdict>(v).cached);
    CHECK(f.backend->events().size() == 7);
}

TEST_CASE("http: enableCachingForHttp keeps no refusal") {
    auto backend = std::make_shared<recording_backend>(R"({"isAuthenticated":false,"principalId":"x","policyDocuments":[]})");
    authorizer_service service{backend};
    custom_authorizers authorizers{[] {
        endpoint_authorizers e;
        e.authorizers.push_back(
            {.name = "cached", .signing_disabled = true, .token_key_name = "token", .enable_caching_for_http = true});
        return e;
    }()};
    http_authenticator a{{.authorizers = &authorizers, .services = [&](const std::string&) { return &service; }}};
    http_verdict_cache connection;
    for (int i = 0; i < 2; ++i) {
        auto r = publish("/topics/t", {{"x-amz-customauthorizer-name", "cached"}, {"token", "tk"}});
        r.cache = &connection;
        std::promise<http_auth_verdict> p;
        a.authenticate(std::move(r), [&](http_auth_verdict v) { p.set_value(std::move(v)); });
        const auto v = p.get_future().get();
        REQUIRE(std::holds_alternative<custom_auth_verdict>(v));
        CHECK_FALSE(std::get<custom_auth_verdict>(v).allowed());
    }
    CHECK(backend->events().size() == 2);
    CHECK(connection.size() == 0);
}
