// This project's client (src/client) against the gateway, and the authorizer event as a test
// backend captures it: AWS's, field for field.
#include <doctest/doctest.h>

#include <mutex>

#include <nlohmann/json.hpp>

#include "auth/authorizer_backend.hpp"
#include "gateway_fixture.hpp"
#include "fixture_client.hpp"
#include "test_device.hpp"

using namespace std::chrono_literals;
using namespace wv::test;

namespace {

// Records every event and answers with a scripted body.
class capture_backend final : public wv::auth::authorizer_backend {
public:
    void invoke(std::string event_json, std::chrono::steady_clock::time_point, completion done) override {
        std::string body;
        {
            std::lock_guard lock(mu);
            events.push_back(event_json);
            body = reply;
        }
        done(wv::auth::backend_reply{.error = wv::auth::backend_errc::none, .body = body, .detail = {}, .log_lines = {}});
    }
    std::string describe() const override { return "capture"; }
    std::mutex mu;
    std::vector<std::string> events;
    std::string reply;
};

capture_backend* g_capture = nullptr;

void with_capture(wv::gate::gateway_config& c) {
    static std::shared_ptr<capture_backend> backend;
    backend = std::make_shared<capture_backend>();
    g_capture = backend.get();
    wv::gate::authorizer_config a;
    a.name = "cap";
    a.backend = wv::gate::backend_kind::custom;
    a.custom = backend;
    a.token_key_name = "token";
    c.authorizers.push_back(a);
}

std::string good_reply() {
    return nlohmann::json{{"isAuthenticated", true},
                          {"principalId", "dev1"},
                          {"policyDocuments", {wv_policy()}},
                          {"disconnectAfterInSeconds", 3600},
                          {"refreshAfterInSeconds", 600}}
        .dump();
}

}  // namespace

TEST_CASE("this project's client: Wavelet login, publish QoS 1, receive, will on abort") {
    gateway_fixture g;
    wv::client::session_options s;
    s.client_id = "2453AC035CBCBC9A";
    s.user_name = "dev1?x-amz-customauthorizer-name=auth";
    s.password = "pw1";
    device watcher(ep(g), [] {
        wv::client::session_options w;
        w.client_id = "watcher";
        w.user_name = "dev1";  // no authorizer named: the default authorizer is used
        w.password = "pw1";
        return w;
    }());
    REQUIRE_FALSE(watcher.connect_error());
    REQUIRE_FALSE(watcher.subscribe("wv/#"));
    s.will = wv::client::will_message{.topic = "wv/2453AC035CBCBC9A/1/will", .payload = "TERMINATED",
                                      .qos = wv::mqtt::qos::at_least_once, .retain = false};
    device d(ep(g), s);
    REQUIRE_FALSE(d.connect_error());
    CHECK_FALSE(d.publish("wv/2453AC035CBCBC9A/1/samp/p1", "report"));
    d.abort();
    const auto got = watcher.messages(2, 10s);
    REQUIRE(got.size() == 2);
    CHECK(got[0] == std::pair<std::string, std::string>{"wv/2453AC035CBCBC9A/1/samp/p1", "report"});
    CHECK(got[1] == std::pair<std::string, std::string>{"wv/2453AC035CBCBC9A/1/will", "TERMINATED"});
}

TEST_CASE("wrong password with this project's client: closed without CONNACK") {
    gateway_fixture g;
    wv::client::session_options s;
    s.client_id = "d1";
    s.user_name = "dev1?x-amz-customauthorizer-name=auth";
    s.password = "nope";
    device d(ep(g), s);
    CHECK(d.connect_error());
    CHECK(g.gw->stats().connects_auth_failed == 1);
    CHECK(g.gw->stats().connects_accepted == 0);
}

TEST_CASE("the authorizer event equals AWS's, field for field") {
    gateway_fixture g(with_capture);
    g_capture->reply = good_reply();
    wv::client::session_options s;
    s.client_id = "cap1";
    const std::string raw_user = "wavelet?x-amz-customauthorizer-name=cap&token=tok%2B1&SDK=CPPv2&Version=1.2";
    s.user_name = raw_user;
    s.password = std::string("p\0w\xff", 4);  // binary: the event carries it base64-encoded
    device d(ep(g), s);
    REQUIRE_FALSE(d.connect_error());
    std::vector<std::string> events;
    {
        std::lock_guard lock(g_capture->mu);
        events = g_capture->events;
    }
    REQUIRE(events.size() == 1);
    const auto ev = nlohmann::json::parse(events[0]);
    CHECK(ev.size() == 5);
    CHECK(ev["token"] == "tok+1");
    CHECK(ev["signatureVerified"] == false);
    CHECK(ev["protocols"] == nlohmann::json::array({"tls", "mqtt"}));
    CHECK(ev["protocolData"].size() == 2);
    CHECK(ev["protocolData"]["tls"] == nlohmann::json{{"serverName", "localhost"}});
    CHECK(ev["protocolData"]["mqtt"].size() == 3);
    CHECK(ev["protocolData"]["mqtt"]["username"] == raw_user);  // byte for byte, query string included
    CHECK(ev["protocolData"]["mqtt"]["password"] == "cAB3/w==");
    CHECK(ev["protocolData"]["mqtt"]["clientId"] == "cap1");
    const std::string id = ev["connectionMetadata"]["id"];
    CHECK(id.size() == 36);
    CHECK(id[14] == '4');
}

TEST_CASE("every response-validation failure reaches the device as a close without CONNACK") {
    gateway_fixture g(with_capture);
    const auto ok = nlohmann::json::parse(good_reply());
    std::vector<std::pair<std::string, std::string>> cases;  // body, rule expected in the log
    auto j = ok;
    j["principalId"] = "dev-1";
    cases.emplace_back(j.dump(), "principalId");
    j = ok;
    j["policyDocuments"] = std::vector<std::string>(11, wv_policy());
    cases.emplace_back(j.dump(), "policyDocuments");
    j = ok;
    std::string big = wv_policy();
    big.insert(big.size() - 2, ",\"Sid\":\"" + std::string(2049 - big.size() - 9, 'x') + "\"");
    j["policyDocuments"] = {big};
    cases.emplace_back(j.dump(), "policyDocumentSize");
    j = ok;
    j["refreshAfterInSeconds"] = 299;
    cases.emplace_back(j.dump(), "refreshAfterInSeconds");
    j = ok;
    j.erase("isAuthenticated");
    cases.emplace_back(j.dump(), "isAuthenticated");
    cases.emplace_back("<html>502 Bad Gateway</html>", "json");
    int n = 0;
    for (const auto& [body, rule] : cases) {
        CAPTURE(rule);
        {
            std::lock_guard lock(g_capture->mu);
            g_capture->reply = body;
        }
        wv::client::session_options s;
        s.client_id = "bad" + std::to_string(n++);
        s.user_name = "wavelet?x-amz-customauthorizer-name=cap";
        s.password = "pw";
        device d(ep(g), s);
        CHECK(d.connect_error());
        CHECK(g.wait_for_log({"AuthorizerInvocation", "\"clientId\":\"" + s.client_id + "\"", rule}));
    }
    CHECK(g.gw->stats().connects_auth_failed == cases.size());
    CHECK(g.gw->stats().connects_accepted == 0);
}
