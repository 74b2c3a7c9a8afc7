// Paho MQTT C++ (ALPN mqtt, the Wavelet login) and X.509 device certificates (aws-8883, and
// ALPN x-amzn-mqtt-ca on the 443 listener) against the gateway.
#include <doctest/doctest.h>

#include <mqtt/client.h>

#include "gateway_fixture.hpp"
#include "tls/test_ca.hpp"
#include "test_device.hpp"

using namespace std::chrono_literals;
using namespace wv::test;

namespace {

mqtt::connect_options paho_options(const gateway_fixture& g, const std::string& password) {
    mqtt::ssl_options ssl;
    ssl.set_trust_store(g.ca());
    ssl.set_alpn_protos({"mqtt"});
    ssl.set_enable_server_cert_auth(true);
    mqtt::connect_options o;
    o.set_ssl(ssl);
    o.set_user_name("dev1?x-amz-customauthorizer-name=auth");
    o.set_password(password);
    o.set_clean_session(true);
    o.set_connect_timeout(10);
    o.set_mqtt_version(MQTTVERSION_3_1_1);
    return o;
}

void with_x509(wv::gate::gateway_config& c) {
    wv::gate::listener_config l;
    l.name = "aws-8883";
    l.kind = wv::gate::listener_kind::aws_8883;
    l.port = 0;
    // The generated CA also signs device certificates in these tests.
    c.listeners.push_back(l);
    c.certificate_policies = {wv_policy()};
}

}  // namespace

TEST_CASE("Paho C++: right password connects and publishes, wrong one is refused") {
    gateway_fixture g;
    {
        mqtt::client c("ssl://localhost:" + std::to_string(g.port()), "paho1");
        auto opts = paho_options(g, "pw1");
        REQUIRE_NOTHROW(c.connect(opts));
        CHECK_NOTHROW(c.publish("wv/paho1/1/samp", "hello", 5, 1, false));
        c.disconnect();
    }
    mqtt::client bad("ssl://localhost:" + std::to_string(g.port()), "paho2");
    auto opts = paho_options(g, "nope");
    CHECK_THROWS(bad.connect(opts));
    CHECK(g.gw->stats().connects_accepted == 1);
    CHECK(g.gw->stats().connects_auth_failed == 1);
}

TEST_CASE("X.509: a device certificate on aws-8883, and ALPN x-amzn-mqtt-ca on the 443 listener") {
    gateway_fixture g(with_x509);
    const auto cert = wv::tls::make_client_cert(g.dir / "ca", "thing1");
    endpoint_options ep;
    ep.ca_file = g.ca();
    ep.cert_file = cert.cert.string();
    ep.key_file = cert.key.string();
    wv::client::session_options s;
    s.client_id = "thing1";
    SUBCASE("aws-8883") {
        ep.port = g.port(1);
        ep.alpn = {};
        device d(ep, s);
        REQUIRE_FALSE(d.connect_error());
        CHECK_FALSE(d.publish("wv/thing1/x", "cert"));
    }
    SUBCASE("443 with x-amzn-mqtt-ca") {
        ep.port = g.port(0);
        ep.alpn = {"x-amzn-mqtt-ca"};
        device d(ep, s);
        REQUIRE_FALSE(d.connect_error());
        CHECK_FALSE(d.publish("wv/thing1/x", "cert"));
    }
    SUBCASE("aws-8883 without a certificate: refused") {
        ep.port = g.port(1);
        ep.cert_file.clear();
        ep.key_file.clear();
        device d(ep, s);
        CHECK(d.connect_error());
    }
    CHECK(g.gw->stats().authorizer_calls == 0);
}
