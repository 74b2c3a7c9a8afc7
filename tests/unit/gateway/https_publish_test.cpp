// HTTPS publish without sockets: the request-target parser (a table), the MQTT 5 headers, and
// the publisher's decisions against a real broker with scripted MQTT subscribers.
#include <doctest/doctest.h>

#include "gateway/mqtt5_properties.hpp"
#include "util/base64.hpp"

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
        {"POST", "/topics/a?contentType=text&qos=1&messageExpiry=5&other=x", "a", 1, false, 0},  // unknown: ignored
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
    std::vector<gate::message> to_rules_messages;
    std::function<void(const gate::message&, const std::string&)> rules_hook =
        [this](const gate::message& m, const std::string& principal) {
            to_rules.emplace_back(m.topic, principal);
            to_rules_messages.push_back(m);
        };

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

TEST_CASE("HTTPS target: the MQTT 5 query parameters contentType, responseTopic, messageExpiry") {
    auto ok = [](std::string_view target) {
        auto got = gate::parse_publish_target("POST", target);
        REQUIRE(std::holds_alternative<gate::publish_target>(got));
        return std::get<gate::publish_target>(std::move(got));
    };
    auto status = [](std::string_view target) {
        const auto got = gate::parse_publish_target("POST", target);
        REQUIRE(std::holds_alternative<gate::http_error>(got));
        return std::get<gate::http_error>(got).status;
    };
    auto t = ok("/topics/a?contentType=application%2Fjson&responseTopic=wv%2Fd1%2Freply&messageExpiry=120");
    CHECK(t.properties.content_type == "application/json");
    CHECK(t.properties.response_topic == "wv/d1/reply");
    CHECK(t.message_expiry_s == 120u);
    t = ok("/topics/a");
    CHECK_FALSE(t.properties.content_type);
    CHECK_FALSE(t.message_expiry_s);
    CHECK(ok("/topics/a?messageExpiry=0").message_expiry_s == 0u);              // raised to 1 s when published
    CHECK(ok("/topics/a?messageExpiry=99999999999").message_expiry_s == 0xFFFFFFFFu);  // capped when published
    CHECK_FALSE(ok("/topics/a?contentType=").properties.content_type);          // empty: not set
    CHECK(status("/topics/a?messageExpiry=-1") == 400);
    CHECK(status("/topics/a?messageExpiry=5s") == 400);
    CHECK(status("/topics/a?messageExpiry=") == 400);
    CHECK(status("/topics/a?responseTopic=wv%2F%23") == 400);                   // wildcard
    CHECK(status("/topics/a?responseTopic=wv%2F+") == 400);
    CHECK(status("/topics/a?contentType=%C3%28") == 400);                      // invalid UTF-8
}

TEST_CASE("HTTPS x-amz-mqtt5-* headers: AWS's encodings decoded; anything else a 400 that names the header") {
    // The iot-data API reference's example, base64-encoded as boto3 sends it.
    const auto example = util::base64_encode(std::string_view(R"([{"deviceName": "alpha"}, {"deviceCnt": "45"}])"));
    gate::publish_target t;
    REQUIRE_FALSE(gate::read_mqtt5_headers({.user_properties = example,
                                            .payload_format_indicator = "UTF8_DATA",
                                            .correlation_data = "AAEC/w=="},
                                           "caf\xc3\xa9", 8192, t));
    CHECK(t.properties.user_properties ==
          std::vector<std::pair<std::string, std::string>>{{"deviceName", "alpha"}, {"deviceCnt", "45"}});
    CHECK(t.properties.payload_format_indicator == 1u);
    CHECK(t.properties.correlation_data == std::string("\x00\x01\x02\xff", 4));

    auto refused = [](gate::mqtt5_headers h, std::string_view body = "x", std::size_t limit = 8192) {
        gate::publish_target t;
        const auto e = gate::read_mqtt5_headers(h, body, limit, t);
        REQUIRE(e);
        CHECK(e->status == 400);
        return e->message;
    };
    CHECK(refused({.user_properties = "not base64!"}).find("x-amz-mqtt5-user-properties") != std::string::npos);
    CHECK(refused({.user_properties = util::base64_encode(std::string_view(R"({"a": "b"})"))}).find("array") != std::string::npos);
    CHECK(refused({.user_properties = util::base64_encode(std::string_view(R"([{"n": 45}])"))}).find("string") != std::string::npos);
    CHECK(refused({.user_properties = util::base64_encode(std::string_view(R"(["a"])"))}).find("objects") != std::string::npos);
    CHECK(refused({.user_properties = util::base64_encode(std::string_view(R"([{"k": "0123456789"}])"))}, "x", 10)
              .find("11 bytes") != std::string::npos);
    CHECK(refused({.payload_format_indicator = "utf8"}).find("UNSPECIFIED_BYTES or UTF8_DATA") != std::string::npos);
    CHECK(refused({.payload_format_indicator = "UTF8_DATA"}, "\xc3\x28").find("not valid UTF-8") != std::string::npos);
    CHECK(refused({.correlation_data = "%%%"}).find("x-amz-mqtt5-correlation-data") != std::string::npos);
    // UNSPECIFIED_BYTES: any body.
    gate::publish_target bin;
    CHECK_FALSE(gate::read_mqtt5_headers({.payload_format_indicator = "UNSPECIFIED_BYTES"}, "\xc3\x28", 8192, bin));
    CHECK(bin.properties.payload_format_indicator == 0u);
}

namespace {

using bytes_t = std::vector<std::byte>;

// Bytes from a list of pieces: numbers are single bytes, strings are MQTT UTF-8 string fields
// (2-byte length, then the bytes).
struct https_piece {
    bytes_t b;
    https_piece(int x) : b{static_cast<std::byte>(x)} {}
    https_piece(const char* s) {
        const std::string_view v(s);
        b = {static_cast<std::byte>(v.size() >> 8), static_cast<std::byte>(v.size() & 0xff)};
        for (char c : v) b.push_back(static_cast<std::byte>(c));
    }
};
bytes_t https_bytes(std::initializer_list<https_piece> pieces) {
    bytes_t out;
    for (const auto& p : pieces) out.insert(out.end(), p.b.begin(), p.b.end());
    return out;
}

}  // namespace

TEST_CASE("HTTPS publish with MQTT 5 properties: a 5 subscriber gets them byte for byte, a 3.1.1 one the plain "
          "message, the rules see them, messageExpiry sets the expiry") {
    https_fixture f;
    auto s5 = f.h.make_peer("s5");
    mqtt::connect c;
    c.protocol_level = 5;
    c.client_id = "s5";
    c.user_name = "dev1";
    c.password = mqtt::as_bytes(std::string_view("pw1"));
    s5->send(mqtt::encode_to_bytes(c));
    s5->send(mqtt::encode_to_bytes(
        mqtt::subscribe{.packet_id = 1, .subscriptions = {{.filter = "wv/#", .qos = mqtt::qos::at_least_once}}},
        mqtt::protocol_level::v5));
    auto s3 = f.h.make_peer("s3");
    s3->connect("s3");
    s3->subscribe("wv/#");
    s5->take_sent();
    s3->take_sent();

    auto pub = f.publisher();
    const auto user_properties = util::base64_encode(std::string_view(R"([{"site": "lab-3"}])"));
    auto r = pub.handle("POST", "/topics/wv%2Ft?qos=1&contentType=text%2Fplain&responseTopic=wv%2Fpub%2Freply", "hi",
                        nullptr,
                        {.user_properties = user_properties,
                         .payload_format_indicator = "UTF8_DATA",
                         .correlation_data = util::base64_encode(std::string_view("c1"))});
    REQUIRE(r.status == 200);
    s5->pump();
    s3->pump();
    auto got5 = s5->take_sent();
    REQUIRE(got5.size() == 1);
    CHECK(got5[0].bytes == https_bytes({0x32, 0x3c,                      // PUBLISH QoS 1, remaining length 60
                                        "wv/t",                          // topic
                                        0x00, 0x01,                      // packet id 1
                                        0x31,                            // property length 49
                                        0x01, 0x01,                      // Payload Format Indicator 1 (UTF8_DATA)
                                        0x03, "text/plain",              // Content Type
                                        0x08, "wv/pub/reply",            // Response Topic
                                        0x09, "c1",                      // Correlation Data, decoded from base64
                                        0x26, "site", "lab-3",           // User Property
                                        'h', 'i'}));
    const auto got3 = s3->take_sent();
    REQUIRE(got3.size() == 1);
    CHECK(got3[0].bytes == https_bytes({0x32, 0x0a, "wv/t", 0x00, 0x01, 'h', 'i'}));

    REQUIRE(f.to_rules_messages.size() == 1);
    rules::mqtt5_properties seen;
    gate::read_rules_properties(f.to_rules_messages[0].properties, seen);
    CHECK(seen.content_type == "text/plain");
    CHECK(seen.response_topic == "wv/pub/reply");
    CHECK(seen.correlation_data == "c1");
    CHECK(seen.payload_format_indicator == 1u);
    CHECK(seen.user_properties == std::vector<std::pair<std::string, std::string>>{{"site", "lab-3"}});
    CHECK_FALSE(f.to_rules_messages[0].expires_at);

    // messageExpiry: the message expires that many seconds after the request (AWS's 7 days at most).
    const auto before = std::chrono::steady_clock::now();
    REQUIRE(pub.handle("POST", "/topics/wv%2Fe?messageExpiry=120", "x").status == 200);
    REQUIRE(pub.handle("POST", "/topics/wv%2Fe?messageExpiry=99999999", "x").status == 200);
    const auto after = std::chrono::steady_clock::now();
    REQUIRE(f.to_rules_messages.size() == 3);
    const auto& e120 = f.to_rules_messages[1].expires_at;
    REQUIRE(e120);
    CHECK(*e120 >= before + std::chrono::seconds(120));
    CHECK(*e120 <= after + std::chrono::seconds(120));
    const auto& capped = f.to_rules_messages[2].expires_at;
    REQUIRE(capped);
    CHECK(*capped <= after + std::chrono::seconds(604'800));
    CHECK(*capped >= before + std::chrono::seconds(604'800));

    // A bad header is that request's 400; nothing is routed, the next request goes through.
    r = pub.handle("POST", "/topics/wv%2Ft", "x", nullptr, {.payload_format_indicator = "TEXT"});
    CHECK(r.status == 400);
    CHECK(nlohmann::json::parse(r.body)["message"].get<std::string>().find("x-amz-mqtt5-payload-format-indicator") !=
          std::string::npos);
    CHECK(f.to_rules_messages.size() == 3);
    CHECK(pub.handle("POST", "/topics/wv%2Ft", "x").status == 200);
}
