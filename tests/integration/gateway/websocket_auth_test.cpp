// Custom authentication of MQTT over WebSocket at the MQTT CONNECT (issue 17): the authorizer's
// parameters may travel in the upgrade request's headers or query, or in the CONNECT user name
// (aws-crt's newWebsocketMqttBuilderWithCustomAuth), and the event the authorizer receives
// carries both what it saw of HTTP and of MQTT:
//   protocols ["tls","http","mqtt"], protocolData.tls, .http {headers, queryString}, .mqtt
//   {username, password (base64), clientId}, connectionMetadata.id
// (AWS's documented event, custom-auth-lambda.html: "contains all of the possible fields" --
// only a WebSocket connection has all three protocols). A python authorizer (a `functions:`
// handler) records every event it receives; each test prints it and compares it field for field.
// The client is raw: an upgrade we write byte for byte, then masked frames with the CONNECT.
#include <doctest/doctest.h>

#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "../../unit/auth/test_keys.hpp"
#include "gateway/config_yaml.hpp"
#include "gateway/gateway.hpp"
#include "mqtt/mqtt.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"
#include "test_device.hpp"
#include "websocket/frame.hpp"

using namespace std::chrono_literals;
using namespace wv::test;
using nlohmann::json;
namespace ws = wv::websocket;

namespace {

// Records each event (one JSON line), then decides by the token.
constexpr const char* recording_authorizer_py = R"PY(
import json, os
def lambda_handler(event, context):
    with open(os.environ["EVENTS"], "a") as f:
        f.write(json.dumps(event) + "\n")
    if event.get("token") != "allow-token":
        return {"isAuthenticated": False, "principalId": "nobody", "policyDocuments": []}
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}
    return {"isAuthenticated": True, "principalId": "wssDevice1", "policyDocuments": [policy],
            "disconnectAfterInSeconds": 3600, "refreshAfterInSeconds": 600}
)PY";

struct wss_auth_gateway {
    temp_dir dir;
    std::filesystem::path events = dir / "events.jsonl";
    std::unique_ptr<wv::gate::gateway> gw;

    wss_auth_gateway() {
        dir.write("wsauth.py", recording_authorizer_py);
        dir.write("token-key.pem", wv::auth::test::rsa_2048().public_pem);
        auto cfg = wv::gate::parse_gateway_config(std::string("listeners: [{name: aws-443, kind: aws-443, port: 0}]\n"
                                                              "log: {level: debug}\n"
                                                              "functions:\n"
                                                              "  - name: wsauth-fn\n"
                                                              "    backend: handler\n"
                                                              "    handler: python:wsauth.py\n"
                                                              "    workers: 1\n"
                                                              "    environment: {EVENTS: '") +
                                                      events.string() +
                                                      "'}\n"
                                                      "authorizers:\n"
                                                      "  - name: wsauth\n"
                                                      "    function: wsauth-fn\n"
                                                      "    token_key_name: token\n"
                                                      "    signing_disabled: false\n"
                                                      "    token_signing_public_keys: {k1: token-key.pem}\n",
                                                  "wss_auth.yaml", dir.path());
        cfg.generated_ca_dir = dir / "ca";
        cfg.log_file = (dir / "gw.log").string();
        gw = std::make_unique<wv::gate::gateway>(std::move(cfg));
        gw->start();
    }
    ~wss_auth_gateway() { gw->stop(); }

    std::uint16_t port() const { return gw->listeners().at(0).port; }
    endpoint_options endpoint() const {
        endpoint_options e;
        e.port = port();
        e.ca_file = gw->certificates().ca_cert.string();
        e.alpn = {};  // no ALPN: HTTP, as WebSocket clients connect to AWS
        return e;
    }
    std::vector<json> recorded() const {
        std::vector<json> out;
        std::istringstream in(read_file(events));
        for (std::string line; std::getline(in, line);)
            if (!line.empty()) out.push_back(json::parse(line));
        return out;
    }
};

std::vector<std::byte> bytes_of(const std::string& s) {
    return {reinterpret_cast<const std::byte*>(s.data()), reinterpret_cast<const std::byte*>(s.data() + s.size())};
}
std::string text_of(const std::vector<std::byte>& b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

// The upgrade request, then one masked binary frame holding the CONNECT.
std::vector<std::byte> upgrade_then_connect(const std::string& request, const std::string& client_id,
                                            const std::string& user, const std::string& password) {
    auto wire = bytes_of(request);
    wv::mqtt::connect c;
    c.client_id = client_id;
    c.keep_alive_s = 60;
    c.user_name = user;
    c.password = wv::mqtt::as_bytes(password);
    ws::byte_buffer frame;
    ws::write_frame(ws::opcode::binary, true, wv::mqtt::encode_to_bytes(c),
                    ws::mask_key{std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4}}, frame);
    wire.insert(wire.end(), frame.begin(), frame.end());
    return wire;
}

// The server's CONNACK (accepted) as the payload of an unmasked binary frame after the 101.
bool accepted_after_101(const std::string& got) {
    const auto at = got.find("\r\n\r\n");
    return got.starts_with("HTTP/1.1 101 ") && at != std::string::npos &&
           got.find(std::string("\x82\x04\x20\x02\x00\x00", 6), at) != std::string::npos;
}

std::string sig(const std::string& token) { return wv::auth::test::sign_token_b64(wv::auth::test::rsa_2048(), token); }

std::string url_encode(const std::string& s) {
    std::string out;
    static constexpr char hex[] = "0123456789ABCDEF";
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out += {'%', hex[c >> 4], hex[c & 15]};
        }
    }
    return out;
}

const std::string ws_key = "dGhlIHNhbXBsZSBub25jZQ==";

}  // namespace

TEST_CASE("wss custom auth from the upgrade's headers and query with a CONNECT user name and password: the "
          "event carries protocolData.http and .mqtt, field for field") {
    wss_auth_gateway g;
    const auto host = "localhost:" + std::to_string(g.port());
    const auto request = "GET /mqtt?x-amz-customauthorizer-name=wsauth HTTP/1.1\r\n"
                         "Host: " + host + "\r\n"
                         "Upgrade: websocket\r\n"
                         "Connection: Upgrade\r\n"
                         "Sec-WebSocket-Key: " + ws_key + "\r\n"
                         "Sec-WebSocket-Version: 13\r\n"
                         "Sec-WebSocket-Protocol: mqtt\r\n"
                         "token: allow-token\r\n"
                         "x-amz-customauthorizer-signature: " + sig("allow-token") + "\r\n\r\n";
    raw_session r(g.endpoint());
    REQUIRE_FALSE(r.connect_error());
    r.send(upgrade_then_connect(request, "wsev1", "dev1", "pw1"));
    std::vector<std::byte> got;
    for (int i = 0; i < 50 && !accepted_after_101(text_of(got)); ++i) r.wait_closed(200ms, &got);
    INFO("server sent: ", text_of(got), "\ngateway log: ", read_file(g.dir / "gw.log"));
    CHECK(accepted_after_101(text_of(got)));

    const auto events = g.recorded();
    REQUIRE(events.size() == 1);
    const auto& ev = events[0];
    MESSAGE("event the authorizer received: ", ev.dump(2));
    auto expected = json::parse(R"({
      "token": "allow-token",
      "signatureVerified": true,
      "protocols": ["tls", "http", "mqtt"],
      "protocolData": {
        "tls": {"serverName": "localhost"},
        "http": {"headers": {}, "queryString": "?x-amz-customauthorizer-name=wsauth"},
        "mqtt": {"username": "dev1", "password": "cHcx", "clientId": "wsev1"}
      }
    })");
    expected["protocolData"]["http"]["headers"] = {{"Host", host},
                                                   {"Upgrade", "websocket"},
                                                   {"Connection", "Upgrade"},
                                                   {"Sec-WebSocket-Key", ws_key},
                                                   {"Sec-WebSocket-Version", "13"},
                                                   {"Sec-WebSocket-Protocol", "mqtt"},
                                                   {"token", "allow-token"},
                                                   {"x-amz-customauthorizer-signature", sig("allow-token")}};
    expected["connectionMetadata"] = ev["connectionMetadata"];
    CHECK(ev == expected);
    // One connection id from the upgrade to the CONNECT: the gateway's log names the same one.
    CHECK(read_file(g.dir / "gw.log").find(ev["connectionMetadata"]["id"].get<std::string>()) != std::string::npos);
}

TEST_CASE("wss custom auth with everything in the CONNECT user name (aws-crt's way): the event still carries "
          "the plain upgrade as protocolData.http") {
    wss_auth_gateway g;
    const auto host = "localhost:" + std::to_string(g.port());
    const auto request = "GET /mqtt HTTP/1.1\r\nHost: " + host +
                         "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + ws_key +
                         "\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n";
    const auto user = "dev1?x-amz-customauthorizer-name=wsauth&token=allow-token&x-amz-customauthorizer-signature=" +
                      url_encode(sig("allow-token"));
    raw_session r(g.endpoint());
    r.send(upgrade_then_connect(request, "wsev2", user, "pw1"));
    std::vector<std::byte> got;
    for (int i = 0; i < 50 && !accepted_after_101(text_of(got)); ++i) r.wait_closed(200ms, &got);
    CHECK(accepted_after_101(text_of(got)));
    const auto events = g.recorded();
    REQUIRE(events.size() == 1);
    const auto& ev = events[0];
    MESSAGE("event the authorizer received: ", ev.dump(2));
    auto expected = json::parse(R"({"token": "allow-token", "signatureVerified": true,
                                    "protocols": ["tls", "http", "mqtt"],
                                    "protocolData": {"tls": {"serverName": "localhost"},
                                                     "http": {"headers": {}, "queryString": ""},
                                                     "mqtt": {"password": "cHcx", "clientId": "wsev2"}}})");
    expected["protocolData"]["http"]["headers"] = {{"Host", host},           {"Upgrade", "websocket"},
                                                   {"Connection", "Upgrade"}, {"Sec-WebSocket-Key", ws_key},
                                                   {"Sec-WebSocket-Version", "13"}, {"Sec-WebSocket-Protocol", "mqtt"}};
    expected["protocolData"]["mqtt"]["username"] = user;  // raw, as sent
    expected["connectionMetadata"] = ev["connectionMetadata"];
    CHECK(ev == expected);
}

TEST_CASE("wss custom auth: a bad signature in the upgrade's header closes at CONNECT without invoking the "
          "authorizer; a token it refuses closes after the call") {
    wss_auth_gateway g;
    auto request = [&](const std::string& token, const std::string& signature) {
        return "GET /mqtt HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: " + ws_key + "\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n"
               "x-amz-customauthorizer-name: wsauth\r\ntoken: " + token +
               "\r\nx-amz-customauthorizer-signature: " + signature + "\r\n\r\n";
    };
    {
        raw_session r(g.endpoint());
        r.send(upgrade_then_connect(request("allow-token", sig("another-token")), "wsbad1", "dev1", "pw1"));
        std::vector<std::byte> got;
        CHECK(r.wait_closed(10s, &got));  // MQTT 3.1.1: no CONNACK, closed
        CHECK(text_of(got).starts_with("HTTP/1.1 101 "));
        CHECK_FALSE(accepted_after_101(text_of(got)));
        CHECK(g.recorded().empty());
    }
    {
        raw_session r(g.endpoint());
        r.send(upgrade_then_connect(request("deny-token", sig("deny-token")), "wsbad2", "dev1", "pw1"));
        std::vector<std::byte> got;
        CHECK(r.wait_closed(10s, &got));
        CHECK_FALSE(accepted_after_101(text_of(got)));
        const auto events = g.recorded();
        REQUIRE(events.size() == 1);
        CHECK(events[0]["token"] == "deny-token");
        CHECK(events[0]["protocols"] == json::array({"tls", "http", "mqtt"}));
    }
    CHECK(g.gw->stats().connects_auth_failed == 2);
}
