// MQTT over WebSocket on the aws-443 listener without ALPN (spec 3.1): Paho C++'s wss://
// client, raw upgrades and frames that break the rules (each answered for that connection
// only, while a Paho client carries on), and AWS's WebSocket TTL.
#include <doctest/doctest.h>

#include <ostream>
#include <string>

#include <mqtt/client.h>

#include <filesystem>

#include "gateway_fixture.hpp"
#include "mqtt/mqtt.hpp"
#include "sigv4/sigv4.hpp"
#include "support/child_process.hpp"
#include "test_device.hpp"
#include "websocket/frame.hpp"
#include "websocket/handshake.hpp"

using namespace std::chrono_literals;
using namespace wv::test;
namespace ws = wv::websocket;

namespace {

mqtt::connect_options wss_options(const gateway_fixture& g, const std::string& password) {
    mqtt::ssl_options ssl;
    ssl.set_trust_store(g.ca());
    ssl.set_enable_server_cert_auth(true);
    mqtt::connect_options o;
    o.set_ssl(ssl);
    // AWS allows the custom authorizer's parameters in the MQTT user name on WSS too.
    o.set_user_name("dev1?x-amz-customauthorizer-name=auth");
    o.set_password(password);
    o.set_clean_session(true);
    o.set_connect_timeout(10);
    o.set_mqtt_version(MQTTVERSION_3_1_1);
    return o;
}

// The SigV4 tests' key: the gateway's `iam:` entry, allowed everything.
constexpr const char* iam_key_id = "AKIAWVSIGV4TEST00001";
constexpr const char* iam_secret = "wv-secret-key-for-tests";
void with_iam_key(wv::gate::gateway_config& c) {
    wv::auth::iam_key_config k;
    k.access_key_id = iam_key_id;
    k.secret_access_key = iam_secret;
    k.policy_documents = {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*"}]})"};
    c.iam = {k};
}

std::string wss_uri(const gateway_fixture& g) { return "wss://localhost:" + std::to_string(g.port()) + "/mqtt"; }

endpoint_options http_ep(const gateway_fixture& g) {
    endpoint_options e;
    e.port = g.port();
    e.ca_file = g.ca();
    e.alpn = {};  // no ALPN: HTTP, as WebSocket clients connect to AWS
    return e;
}

const std::string key = "dGhlIHNhbXBsZSBub25jZQ==";
std::string upgrade(const std::string& extra = {}, const std::string& protocol = "mqtt") {
    std::string r = "GET /mqtt HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n";
    if (!protocol.empty()) r += "Sec-WebSocket-Protocol: " + protocol + "\r\n";
    return r + extra + "\r\n";
}

std::vector<std::byte> to_bytes(const std::string& s) {
    return {reinterpret_cast<const std::byte*>(s.data()), reinterpret_cast<const std::byte*>(s.data() + s.size())};
}

std::vector<std::byte> frame(ws::opcode op, const std::vector<std::byte>& payload, bool masked = true) {
    ws::byte_buffer out;
    const ws::mask_key k{std::byte{9}, std::byte{8}, std::byte{7}, std::byte{6}};
    ws::write_frame(op, true, payload, masked ? std::optional(k) : std::nullopt, out);
    return out;
}

std::vector<std::byte> connect_packet(const std::string& id) {
    wv::mqtt::connect c;
    c.client_id = id;
    c.keep_alive_s = 60;
    c.user_name = "dev1?x-amz-customauthorizer-name=auth";
    const std::string pw = "pw1";
    c.password = wv::mqtt::as_bytes(pw);
    return wv::mqtt::encode_to_bytes(c);
}

std::string text(const std::vector<std::byte>& b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

// The Close frame's status code in what the server sent after its 101 (0: none found).
int close_code_after_101(const std::string& got) {
    const auto at = got.find("\r\n\r\n");
    if (at == std::string::npos) return 0;
    const auto frames = got.substr(at + 4);
    for (std::size_t i = 0; i + 3 < frames.size(); ++i)
        if (static_cast<unsigned char>(frames[i]) == 0x88 && static_cast<unsigned char>(frames[i + 1]) >= 2)
            return (static_cast<unsigned char>(frames[i + 2]) << 8) | static_cast<unsigned char>(frames[i + 3]);
    return 0;
}

}  // namespace

TEST_CASE("Paho C++ wss://: connects with the custom authorizer in the user name, publishes, receives") {
    gateway_fixture g;
    mqtt::client c(wss_uri(g), "wss1");
    REQUIRE_NOTHROW(c.connect(wss_options(g, "pw1")));
    c.start_consuming();
    REQUIRE_NOTHROW(c.subscribe("wv/wss1/#", 1));
    REQUIRE_NOTHROW(c.publish("wv/wss1/1/samp", "over websocket", 14, 1, false));
    mqtt::const_message_ptr m;
    REQUIRE(c.try_consume_message_for(&m, 10s));
    CHECK(m->get_topic() == "wv/wss1/1/samp");
    CHECK(m->to_string() == "over websocket");
    // A payload larger than one TLS record and than a 16-bit frame length: 100 KB.
    const std::string big(100'000, 'b');
    REQUIRE_NOTHROW(c.publish("wv/wss1/1/big", big.data(), big.size(), 1, false));
    REQUIRE(c.try_consume_message_for(&m, 10s));
    CHECK(m->to_string().size() == big.size());
    c.disconnect();
    CHECK(g.wait_for_log({"\"eventType\":\"Connect\"", "\"status\":\"Success\"", "\"transport\":\"wss\""}));

    mqtt::client bad(wss_uri(g), "wss2");
    CHECK_THROWS(bad.connect(wss_options(g, "wrong")));
    CHECK(g.gw->stats().connects_auth_failed == 1);
}

TEST_CASE("aws-crt (AWS IoT Device SDK v2 for JavaScript) over WebSocket with a custom authorizer, unchanged") {
    const std::filesystem::path node_modules = std::filesystem::path(WV_SOURCE_DIR_PATH) / "tests/peers/node/node_modules";
    if (!std::filesystem::exists(WV_NODE) || !std::filesystem::exists(node_modules / "aws-iot-device-sdk-v2")) {
        MESSAGE("SKIPPED: needs node and tests/peers/node/node_modules/aws-iot-device-sdk-v2 (scripts/install-deps.sh)");
        return;
    }
    gateway_fixture g;
    const auto here = std::filesystem::path(WV_SOURCE_DIR_PATH) / "tests/integration/gateway";
    const auto r = run({WV_NODE, (here / "aws_crt_wss.js").string(), "--endpoint", "localhost", "--port",
                        std::to_string(g.port()), "--ca", g.ca(), "--user", "dev1", "--authorizer", "auth", "--password",
                        "pw1", "--client-id", "crt1", "--topic", "wv/crt1/1/samp"},
                       {}, 40s, {"NODE_PATH=" + node_modules.string()});
    INFO("node stdout: " << r.out << "\nnode stderr: " << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("\"step\":\"done\"") != std::string::npos);
    CHECK(r.out.find("from aws-crt over wss") != std::string::npos);
    // It really came over WebSocket: the log says so for its CONNECT.
    CHECK(g.wait_for_log({"\"eventType\":\"Connect\"", "\"clientId\":\"crt1\"", "\"transport\":\"wss\""}));
}

TEST_CASE("aws-crt over WebSocket with SigV4: a presigned /mqtt URL against an IAM key; a wrong secret gets 403") {
    const std::filesystem::path node_modules = std::filesystem::path(WV_SOURCE_DIR_PATH) / "tests/peers/node/node_modules";
    if (!std::filesystem::exists(WV_NODE) || !std::filesystem::exists(node_modules / "aws-iot-device-sdk-v2")) {
        MESSAGE("SKIPPED: needs node and tests/peers/node/node_modules/aws-iot-device-sdk-v2 (scripts/install-deps.sh)");
        return;
    }
    gateway_fixture g(with_iam_key);
    const auto here = std::filesystem::path(WV_SOURCE_DIR_PATH) / "tests/integration/gateway";
    auto node = [&](const std::string& secret) {
        return run({WV_NODE, (here / "aws_crt_wss.js").string(), "--endpoint", "localhost", "--port",
                    std::to_string(g.port()), "--ca", g.ca(), "--access-key", iam_key_id, "--secret-key",
                    secret, "--client-id", "sig1", "--topic", "wv/sig1/1/samp"},
                   {}, 40s, {"NODE_PATH=" + node_modules.string()});
    };
    const auto ok = node(iam_secret);
    INFO("node stdout: " << ok.out << "\nnode stderr: " << ok.err);
    CHECK(ok.exit_code == 0);
    CHECK(ok.out.find("from aws-crt over wss") != std::string::npos);
    // The custom authorizer was not called: SigV4 decided at the upgrade.
    CHECK(g.wait_for_log({"\"eventType\":\"Connect\"", "\"clientId\":\"sig1\"", "\"status\":\"Success\""}));
    const auto bad = node("not-the-secret");
    INFO("node stdout: " << bad.out);
    CHECK(bad.exit_code != 0);
    CHECK(g.wait_for_log({"WebSocket upgrade refused with HTTP 403"}));
}

// The npm peer (scripts/install-deps.sh installs it): its node_modules, or empty after a loud skip.
static std::filesystem::path crt_peer() {
    const auto node_modules = std::filesystem::path(WV_SOURCE_DIR_PATH) / "tests/peers/node/node_modules";
    if (!std::filesystem::exists(WV_NODE) || !std::filesystem::exists(node_modules / "aws-iot-device-sdk-v2")) {
        MESSAGE("SKIPPED: needs node and tests/peers/node/node_modules/aws-iot-device-sdk-v2 (scripts/install-deps.sh)");
        return {};
    }
    return node_modules;
}

TEST_CASE("aws-crt Mqtt5Client over WebSocket: newWebsocketMqttBuilderWithCustomAuth, unchanged; a wrong "
          "password is refused with CONNACK 0x87") {
    const auto node_modules = crt_peer();
    if (node_modules.empty()) return;
    gateway_fixture g;
    const auto script = std::filesystem::path(WV_SOURCE_DIR_PATH) / "tests/integration/gateway/mqtt5_crt_wss.js";
    auto node = [&](const std::string& client_id, const std::string& password) {
        return run({WV_NODE, script.string(), "--endpoint", "localhost", "--port", std::to_string(g.port()), "--ca",
                    g.ca(), "--client-id", client_id, "--authorizer", "auth", "--username", "dev1", "--password",
                    password},
                   {}, 40s, {"NODE_PATH=" + node_modules.string()});
    };
    const auto ok = node("crt5ws", "pw1");
    INFO("node stdout: " << ok.out << "\nnode stderr: " << ok.err);
    CHECK(ok.exit_code == 0);
    CHECK(ok.out.find("\"step\":\"done\"") != std::string::npos);
    CHECK(ok.out.find("from aws-crt mqtt5 over wss") != std::string::npos);
    CHECK(g.wait_for_log({"\"eventType\":\"Connect\"", "\"clientId\":\"crt5ws\"", "\"mqttVersion\":\"5.0\"",
                          "\"transport\":\"wss\""}));
    const auto bad = node("crt5bad", "wrong");
    INFO("node stdout: " << bad.out);
    CHECK(bad.exit_code == 1);
    CHECK(bad.out.find("\"reasonCode\":135") != std::string::npos);  // 0x87 Not authorized
}

TEST_CASE("aws-crt Mqtt5Client over WebSocket: newWebsocketMqttBuilderWithSigv4Auth against an iam: key; a "
          "wrong secret gets the upgrade's 403") {
    const auto node_modules = crt_peer();
    if (node_modules.empty()) return;
    gateway_fixture g(with_iam_key);
    const auto script = std::filesystem::path(WV_SOURCE_DIR_PATH) / "tests/integration/gateway/mqtt5_crt_wss.js";
    auto node = [&](const std::string& client_id, const std::string& secret) {
        return run({WV_NODE, script.string(), "--endpoint", "localhost", "--port", std::to_string(g.port()), "--ca",
                    g.ca(), "--client-id", client_id, "--access-key", iam_key_id, "--secret-key", secret},
                   {}, 40s, {"NODE_PATH=" + node_modules.string()});
    };
    const auto ok = node("sig5ws", iam_secret);
    INFO("node stdout: " << ok.out << "\nnode stderr: " << ok.err);
    CHECK(ok.exit_code == 0);
    CHECK(ok.out.find("from aws-crt mqtt5 over wss") != std::string::npos);
    CHECK(g.wait_for_log({"\"eventType\":\"Connect\"", "\"clientId\":\"sig5ws\"", "\"status\":\"Success\"",
                          "\"mqttVersion\":\"5.0\""}));
    CHECK(g.gw->stats().authorizer_calls == 0);  // SigV4 decided at the upgrade
    const auto bad = node("sig5bad", "not-the-secret");
    INFO("node stdout: " << bad.out);
    CHECK(bad.exit_code == 1);
    CHECK(g.wait_for_log({"WebSocket upgrade refused with HTTP 403"}));
}

TEST_CASE("bad WebSocket input gets its answer on that connection only; a Paho wss client carries on") {
    gateway_fixture g([](wv::gate::gateway_config& c) {
        c.websocket.handshake_timeout = 3s;
        // A request header that never ends is the HTTP front's to time out (https.request_timeout,
        // 10 s by default: as long as the wait below, which made that subcase a race).
        c.https.request_timeout = 3s;
    });
    mqtt::client good(wss_uri(g), "good");
    REQUIRE_NOTHROW(good.connect(wss_options(g, "pw1")));

    SUBCASE("malformed upgrade request: 400") {
        raw_session r(http_ep(g));
        REQUIRE_FALSE(r.connect_error());
        r.send(to_bytes("GET /mqtt HTTP/1.1\r\nHost localhost\r\nUpgrade: websocket\r\n\r\n"));
        std::vector<std::byte> got;
        CHECK(r.wait_closed(5s, &got));
        CHECK(text(got).starts_with("HTTP/1.1 400 "));
    }
    SUBCASE("no Sec-WebSocket-Protocol: mqtt: 400, and the reason in the body") {
        raw_session r(http_ep(g));
        r.send(to_bytes(upgrade({}, "")));
        std::vector<std::byte> got;
        CHECK(r.wait_closed(5s, &got));
        CHECK(text(got).starts_with("HTTP/1.1 400 Bad Request\r\n"));
        CHECK(text(got).find("Sec-WebSocket-Protocol: mqtt missing") != std::string::npos);
        CHECK(g.wait_for_log({"WebSocket upgrade refused with HTTP 400"}));
    }
    SUBCASE("Sec-WebSocket-Version 8: 426 naming version 13") {
        raw_session r(http_ep(g));
        auto req = upgrade();
        req.replace(req.find("Version: 13"), 11, "Version: 8");
        r.send(to_bytes(req));
        std::vector<std::byte> got;
        CHECK(r.wait_closed(5s, &got));
        CHECK(text(got).starts_with("HTTP/1.1 426 Upgrade Required\r\n"));
        CHECK(text(got).find("sec-websocket-version: 13") != std::string::npos);
    }
    SUBCASE("an unmasked client frame: Close 1002") {
        raw_session r(http_ep(g));
        auto wire = to_bytes(upgrade());
        const auto f = frame(ws::opcode::binary, connect_packet("unmasked"), false);
        wire.insert(wire.end(), f.begin(), f.end());
        r.send(wire);
        std::vector<std::byte> got;
        CHECK(r.wait_closed(5s, &got));
        CHECK(text(got).starts_with("HTTP/1.1 101 Switching Protocols\r\n"));
        CHECK(close_code_after_101(text(got)) == 1002);
    }
    SUBCASE("a text frame: Close 1003") {
        raw_session r(http_ep(g));
        auto wire = to_bytes(upgrade());
        const auto f = frame(ws::opcode::text, to_bytes("{\"hello\":1}"));
        wire.insert(wire.end(), f.begin(), f.end());
        r.send(wire);
        std::vector<std::byte> got;
        CHECK(r.wait_closed(5s, &got));
        CHECK(close_code_after_101(text(got)) == 1003);
    }
    SUBCASE("a frame announcing 1 GiB: Close 1009 from its header alone") {
        raw_session r(http_ep(g));
        auto wire = to_bytes(upgrade());
        for (int b : {0x82, 0xFF, 0, 0, 0, 0, 0x40, 0, 0, 0, 1, 2, 3, 4}) wire.push_back(static_cast<std::byte>(b));
        r.send(wire);
        std::vector<std::byte> got;
        CHECK(r.wait_closed(5s, &got));
        CHECK(close_code_after_101(text(got)) == 1009);
    }
    SUBCASE("ping answered with pong; a client Close echoed") {
        raw_session r(http_ep(g));
        auto wire = to_bytes(upgrade());
        for (const auto& f : {frame(ws::opcode::ping, to_bytes("are you there")),
                              frame(ws::opcode::close, {std::byte{0x03}, std::byte{0xe8}})})
            wire.insert(wire.end(), f.begin(), f.end());
        r.send(wire);
        std::vector<std::byte> got;
        CHECK(r.wait_closed(5s, &got));
        const auto s = text(got);
        CHECK(s.find(std::string("\x8a\x0d" "are you there")) != std::string::npos);
        CHECK(close_code_after_101(s) == 1000);
    }
    SUBCASE("an upgrade whose header never ends: closed after the front's request deadline") {
        raw_session r(http_ep(g));
        r.send(to_bytes("GET /mqtt HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"));
        CHECK(r.wait_closed(10s));
    }
    // The good client was not disturbed.
    CHECK_NOTHROW(good.publish("wv/good/1/samp", "still here", 10, 1, false));
    good.disconnect();
}

TEST_CASE("a SigV4 upgrade whose date expired, whose signature is wrong or missing: 403 with AWS's error type, "
          "on that connection only") {
    gateway_fixture g(with_iam_key);
    mqtt::client good(wss_uri(g), "good-sigv4");
    REQUIRE_NOTHROW(good.connect(wss_options(g, "pw1")));
    const wv::sigv4::credentials keys{iam_key_id, iam_secret, "", "test"};
    auto presigned = [&](std::chrono::system_clock::time_point at, const std::string& secret) {
        auto k = keys;
        k.secret_access_key = secret;
        return wv::sigv4::presign_target("/mqtt", "localhost", k, {.region = "us-east-1", .service = "iotdevicegateway", .at = at},
                                         std::chrono::seconds(300));
    };
    auto answer_to = [&](const std::string& target) {
        raw_session r(http_ep(g));
        auto req = upgrade();
        req.replace(req.find("GET /mqtt "), 10, "GET " + target + " ");
        r.send(to_bytes(req));
        std::vector<std::byte> got;
        r.wait_closed(3s, &got);  // a refusal closes at once; an accepted upgrade stays open
        return text(got);
    };
    const auto now = std::chrono::system_clock::now();
    // The control: signed now with the right secret, the upgrade succeeds.
    CHECK(answer_to(presigned(now, iam_secret)).starts_with("HTTP/1.1 101 "));
    const auto expired = answer_to(presigned(now - std::chrono::hours(1), iam_secret));
    INFO(expired);
    CHECK(expired.starts_with("HTTP/1.1 403 Forbidden\r\n"));
    CHECK(expired.find("x-amzn-ErrorType: InvalidSignatureException") != std::string::npos);
    CHECK(expired.find("Signature expired") != std::string::npos);
    const auto wrong = answer_to(presigned(now, "not-the-secret"));
    INFO(wrong);
    CHECK(wrong.starts_with("HTTP/1.1 403 Forbidden\r\n"));
    CHECK(wrong.find("x-amzn-ErrorType: InvalidSignatureException") != std::string::npos);
    CHECK(wrong.find("The request signature we calculated does not match") != std::string::npos);
    auto unsigned_url = presigned(now, iam_secret);
    unsigned_url.erase(unsigned_url.find("&X-Amz-Signature="));
    const auto missing = answer_to(unsigned_url);
    INFO(missing);
    CHECK(missing.starts_with("HTTP/1.1 403 Forbidden\r\n"));
    CHECK(missing.find("x-amzn-ErrorType: IncompleteSignatureException") != std::string::npos);
    // The Paho client connected before carries on.
    REQUIRE_NOTHROW(good.publish("wv/good-sigv4/1/samp", "still here", 10, 1, false));
    good.disconnect();
}

TEST_CASE("AWS's WebSocket TTL: the connection is closed with WEBSOCKET_TTL_EXPIRATION") {
    gateway_fixture g([](wv::gate::gateway_config& c) {
        c.websocket.ttl = 2s;
        c.authorizers[0].default_policies = {wv::gate::allow_all_policy()};
    });
    // A watcher over plain MQTT/TLS sees the lifecycle event.
    endpoint_options e;
    e.port = g.port();
    e.ca_file = g.ca();
    wv::client::session_options s;
    s.client_id = "watcher";
    s.user_name = "dev1?x-amz-customauthorizer-name=auth";
    s.password = "pw1";
    device watcher(e, s);
    REQUIRE_FALSE(watcher.connect_error());
    REQUIRE_FALSE(watcher.subscribe("$aws/events/presence/disconnected/+"));
    mqtt::client c(wss_uri(g), "ttl1");
    auto o = wss_options(g, "pw1");
    o.set_will(mqtt::will_options("wv/ttl1/will", std::string("gone"), 0, false));
    REQUIRE_NOTHROW(c.connect(o));
    const auto msgs = watcher.messages(1, 10s);
    REQUIRE(msgs.size() == 1);
    CHECK(msgs[0].first == "$aws/events/presence/disconnected/ttl1");
    CHECK(msgs[0].second.find("\"disconnectReason\":\"WEBSOCKET_TTL_EXPIRATION\"") != std::string::npos);
    CHECK(msgs[0].second.find("\"clientInitiatedDisconnect\":false") != std::string::npos);
    CHECK(g.wait_for_log({"\"reason\":\"WEBSOCKET_TTL_EXPIRATION\"", "\"transport\":\"wss\""}));
}
