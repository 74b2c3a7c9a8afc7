// HTTPS publish without sockets: the request-target parser (a table) and the publisher's
// decisions against a real broker with a scripted MQTT subscriber.
#include <doctest/doctest.h>

#include "gateway/https_publish.hpp"
#include "gateway/https_target.hpp"
#include "gateway/memory_certificate_directory.hpp"
#include "machine_harness.hpp"
#include "support/temp_dir.hpp"
#include "tls/test_ca.hpp"

using namespace wv;
using namespace wv::test;

TEST_CASE("HTTPS target: topic, qos and retain as AWS's /topics/ resource takes them") {
    struct row {
        const char* method;
        const char* target;
        const char* topic;  // nullptr: an error with `status`
        int qos;
        bool retain;
        unsigned status;
    };
    const row rows[] = {
        {"POST", "/topics/wv/d1/samp", "wv/d1/samp", 0, false, 0},            // literal slashes, qos 0 default
        {"POST", "/topics/wv%2Fd1%2Fsamp?qos=1", "wv/d1/samp", 1, false, 0},  // %2F, as AWS's examples
        {"POST", "/topics/a%20b?qos=0&retain=true", "a b", 0, true, 0},
        {"POST", "/topics/a+b", nullptr, 0, false, 400},                     // + stays +: a wildcard
        {"POST", "/topics/a?contentType=text&qos=1&messageExpiry=5", "a", 1, false, 0},  // MQTT 5 extras ignored
        {"POST", "/topics/a?retain=false", "a", 0, false, 0},
        {"POST", "/topics/a%2", nullptr, 0, false, 400},                      // truncated escape
        {"POST", "/topics/a%zz", nullptr, 0, false, 400},
        {"POST", "/topics/", nullptr, 0, false, 400},                         // empty topic
        {"POST", "/topics/wv/%23", nullptr, 0, false, 400},                   // # wildcard
        {"POST", "/topics/a%00b", nullptr, 0, false, 400},                    // NUL
        {"POST", "/topics/a%C3%28", nullptr, 0, false, 400},                  // invalid UTF-8
        {"POST", "/topics/a?qos=2", nullptr, 0, false, 400},                  // no QoS 2 on AWS
        {"POST", "/topics/a?retain=yes", nullptr, 0, false, 400},
        {"GET", "/topics/a", nullptr, 0, false, 405},
        {"PUT", "/topics/a?qos=1", nullptr, 0, false, 405},
        {"POST", "/things/a", nullptr, 0, false, 404},
        {"POST", "/topicsx", nullptr, 0, false, 404},
        {"GET", "/", nullptr, 0, false, 404},
    };
    for (const auto& r : rows) {
        CAPTURE(r.target);
        const auto got = gate::parse_publish_target(r.method, r.target);
        if (r.topic) {
            REQUIRE(std::holds_alternative<gate::publish_target>(got));
            const auto& t = std::get<gate::publish_target>(got);
            CHECK(t.topic == r.topic);
            CHECK(t.qos == r.qos);
            CHECK(t.retain == r.retain);
        } else {
            REQUIRE(std::holds_alternative<gate::http_error>(got));
            CHECK(std::get<gate::http_error>(got).status == r.status);
            CHECK_FALSE(std::get<gate::http_error>(got).message.empty());
        }
    }
}

namespace {

std::string cert_policy() {
    return R"({"Version":"2012-10-17","Statement":[)"
           R"({"Effect":"Allow","Action":"iot:Publish","Resource":"arn:aws:iot:*:*:topic/wv/*"},)"
           R"({"Effect":"Allow","Action":"iot:RetainPublish","Resource":"arn:aws:iot:*:*:topic/wv/keep/*"}]})";
}

struct https_fixture {
    harness h;
    temp_dir dir;
    gate::memory_certificate_directory certs{"us-east-1", "123456789012"};
    std::shared_ptr<const gate::x509_peer> peer;
    std::vector<std::pair<std::string, std::string>> to_rules;  // topic, principal
    std::function<void(const gate::message&, const std::string&)> rules_hook =
        [this](const gate::message& m, const std::string& principal) { to_rules.emplace_back(m.topic, principal); };

    https_fixture() {
        tls::make_test_ca(dir.path());
        const auto files = tls::make_client_cert(dir.path(), "thing1");
        peer = std::make_shared<gate::x509_peer>(gate::x509_peer{*tls::certificate::from_pem(read_file(files.cert)), {}});
        certs.add_certificate(peer->cert, gate::certificate_status::active);
        REQUIRE(certs.attach_policy(id(), "p", cert_policy()).empty());
    }
    const std::string& id() const { return peer->cert.id(); }
    gate::https_publisher publisher() {
        auto services = h.services();
        services.certificates = &certs;
        services.rules = &rules_hook;
        return gate::https_publisher(h.env(), services, {.ip = "127.0.0.1", .port = 5555, .certificate = peer, .server_name = {}});
    }
};

}  // namespace

TEST_CASE("HTTPS publish: 200 with AWS's body, routed to an MQTT subscriber and to the rules") {
    https_fixture f;
    auto sub = f.h.make_peer("sub");
    sub->connect("sub");
    sub->subscribe("wv/#");
    sub->take_sent();
    auto pub = f.publisher();
    const auto r = pub.handle("POST", "/topics/wv%2Fd1%2Fsamp?qos=1", "hello");
    CHECK(r.status == 200);
    const auto body = nlohmann::json::parse(r.body);
    CHECK(body["message"] == "OK");
    CHECK(body["traceId"] == r.trace_id);
    CHECK(r.trace_id.size() == 36);  // a UUID
    sub->pump();
    const auto sent = sub->take_sent();
    REQUIRE(sent.size() == 1);
    const auto p = std::get<mqtt::publish>(sent[0].decoded());
    CHECK(p.topic == "wv/d1/samp");
    CHECK(std::string(mqtt::as_chars(p.payload)) == "hello");
    CHECK(p.qos == mqtt::qos::at_least_once);
    REQUIRE(f.to_rules.size() == 1);
    CHECK(f.to_rules[0] == std::pair<std::string, std::string>{"wv/d1/samp", f.id()});  // AWS's principal: the certificate id
    CHECK(f.h.stats.messages_in == 1);
    CHECK(f.h.log_text().find(R"("protocol":"HTTP")") != std::string::npos);
}

TEST_CASE("HTTPS publish: policy, topic rules, retain and size refusals") {
    https_fixture f;
    auto pub = f.publisher();
    CHECK(pub.handle("POST", "/topics/other/x", "x").status == 403);
    CHECK(pub.handle("POST", "/topics/wv/x?retain=true", "x").status == 403);  // no iot:RetainPublish there
    CHECK(pub.handle("POST", "/topics/wv/keep/x?retain=true", "x").status == 200);
    CHECK(pub.handle("POST", "/topics/$aws/events/presence/connected/x", "x").status == 400);  // reserved
    CHECK(pub.handle("POST", "/topics/wv/1/2/3/4/5/6/7/8", "x").status == 400);                // 8 slashes
    CHECK(pub.handle("POST", "/topics/wv/" + std::string(260, 'a'), "x").status == 400);       // > 256 bytes
    CHECK(pub.handle("POST", "/topics/wv/big", std::string(128 * 1024 + 1, 'x')).status == 413);
    CHECK(pub.handle("POST", "/topics/wv/max", std::string(128 * 1024, 'x')).status == 200);
    CHECK(pub.handle("DELETE", "/topics/wv/x", "").status == 405);
    const auto denied = nlohmann::json::parse(pub.handle("POST", "/topics/other/x", "x").body);
    CHECK(denied["message"].get<std::string>().find("iot:Publish") != std::string::npos);
    CHECK(f.h.stats.messages_in == 2);
    CHECK(f.h.stats.policy_denials >= 3);
}

TEST_CASE("HTTPS publish: the certificate's status is checked on every request") {
    https_fixture f;
    auto pub = f.publisher();
    CHECK(pub.handle("POST", "/topics/wv/x", "x").status == 200);
    REQUIRE(f.certs.set_status(f.id(), gate::certificate_status::inactive));
    auto r = pub.handle("POST", "/topics/wv/x", "x");
    CHECK(r.status == 403);
    CHECK(r.close);
    CHECK(f.h.log_text().find("X.509 INACTIVE") != std::string::npos);
    REQUIRE(f.certs.set_status(f.id(), gate::certificate_status::active));
    CHECK(pub.handle("POST", "/topics/wv/x", "x").status == 200);
    REQUIRE(f.certs.remove_certificate(f.id()));
    r = pub.handle("POST", "/topics/wv/x", "x");
    CHECK(r.status == 403);
    CHECK(f.h.log_text().find("UNKNOWN_CERTIFICATE") != std::string::npos);
    CHECK(f.h.stats.messages_in == 2);
}
