// Real clients against a server built on wv::tls::stream: mosquitto_pub (--tls-alpn mqtt) and a
// Paho MQTT C++ client over TLS with ALPN. The server reports the SNI and ALPN it saw.
#include <doctest/doctest.h>

#include <mqtt/async_client.h>

#include "mini_broker.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"
#include "tls/test_ca.hpp"

namespace {

using namespace std::chrono_literals;

struct pki {
    wv::test::temp_dir dir;
    wv::tls::test_ca_files ca = wv::tls::make_test_ca(dir.path());
    wv::tls::server_options server(bool require_alpn = false) const {
        wv::tls::server_options o{.cert_file = ca.server_cert, .key_file = ca.server_key};
        o.require_alpn = require_alpn;
        return o;
    }
};

std::vector<std::string> mosquitto_pub_argv(const pki& p, std::uint16_t port, std::vector<std::string> extra) {
    std::vector<std::string> argv{WV_MOSQUITTO_PUB, "-h", "localhost", "-p", std::to_string(port), "--cafile", p.ca.ca_cert.string(),
                                  "-i", "mpub", "-t", "wv/t", "-m", "hello", "-q", "1"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
}

}  // namespace

TEST_CASE("mosquitto_pub --tls-alpn mqtt: the server sees ALPN mqtt, SNI localhost, and the QoS 1 publish") {
    pki p;
    // mosquitto_pub's --tls-version tlsv1.2 only sets a minimum, so cap the server to get 1.2.
    for (const auto max : {wv::tls::tls_version::tls1_3, wv::tls::tls_version::tls1_2}) {
        auto so = p.server();
        so.max_version = max;
        wv::test::mini_broker b(so);
        const auto r = wv::test::run(mosquitto_pub_argv(p, b.port(), {"--tls-alpn", "mqtt"}), {}, 20s);
        CHECK_MESSAGE(r.exit_code == 0, r.err);
        REQUIRE(b.wait_for_finished(1, 10s));
        const auto seen = b.seen().front();
        CHECK(!seen.handshake);
        CHECK(seen.version == (max == wv::tls::tls_version::tls1_3 ? "TLSv1.3" : "TLSv1.2"));
        CHECK(seen.alpn == "mqtt");
        CHECK(seen.sni == "localhost");
        CHECK(seen.client_id == "mpub");
        CHECK(seen.publishes == std::vector<std::string>{"wv/t=hello"});
        CHECK(seen.disconnected);
    }
}

TEST_CASE("mosquitto_pub without ALPN against a listener that requires it: refused in the handshake") {
    pki p;
    wv::test::mini_broker b(p.server(true));
    const auto r = wv::test::run(mosquitto_pub_argv(p, b.port(), {}), {}, 20s);
    CHECK(r.exit_code != 0);
    REQUIRE(b.wait_for_finished(1, 10s));
    CHECK(b.seen()[0].handshake == wv::tls::tls_errc::no_alpn_agreed);

    const auto ok = wv::test::run(mosquitto_pub_argv(p, b.port(), {"--tls-alpn", "mqtt"}), {}, 20s);
    CHECK_MESSAGE(ok.exit_code == 0, ok.err);
}

TEST_CASE("Paho MQTT C++ over TLS with ALPN: connect, QoS 1 and 2 publishes, disconnect") {
    pki p;
    wv::test::mini_broker b(p.server(true));
    mqtt::async_client cli("ssl://localhost:" + std::to_string(b.port()), "paho-1", mqtt::create_options(MQTTVERSION_3_1_1));
    auto ssl = mqtt::ssl_options_builder()
                   .trust_store(p.ca.ca_cert.string())
                   .enable_server_cert_auth(true)
                   .verify(true)
                   .alpn_protos({"mqtt"})
                   .finalize();
    auto opts = mqtt::connect_options_builder().ssl(ssl).clean_session(true).keep_alive_interval(30s).finalize();
    REQUIRE_NOTHROW(cli.connect(opts)->wait_for(10s));
    CHECK(cli.publish("paho/q1", "one", 3, 1, false)->wait_for(10s));
    CHECK(cli.publish("paho/q2", "two", 3, 2, false)->wait_for(10s));
    cli.disconnect()->wait_for(10s);
    REQUIRE(b.wait_for_finished(1, 10s));
    const auto s = b.seen()[0];
    CHECK(!s.handshake);
    CHECK(s.alpn == "mqtt");
    CHECK(s.sni == "localhost");
    CHECK(s.client_id == "paho-1");
    CHECK(s.publishes == std::vector<std::string>{"paho/q1=one", "paho/q2=two"});
    CHECK(s.disconnected);
}
