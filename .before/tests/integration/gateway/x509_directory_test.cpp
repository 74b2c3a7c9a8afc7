// X.509 devices against the real gateway over real TLS on 127.0.0.1, judged by a certificate
// directory (registered, status, CA status, attached policies and things): this project's
// client and mosquitto_pub --cert/--key, on aws-8883 and on 443 with ALPN x-amzn-mqtt-ca.
#include <doctest/doctest.h>

#include "gateway/memory_certificate_directory.hpp"
#include "gateway_fixture.hpp"
#include "support/child_process.hpp"
#include "test_device.hpp"
#include "tls/certificate.hpp"
#include "tls/test_ca.hpp"

using namespace std::chrono_literals;
using namespace wv::test;
namespace gate = wv::gate;

namespace {

// The fixture takes a plain function: the directory reaches it through this.
std::shared_ptr<gate::memory_certificate_directory> next_directory;

void with_directory(gate::gateway_config& c) {
    gate::listener_config l;
    l.name = "aws-8883";
    l.kind = gate::listener_kind::aws_8883;
    l.port = 0;
    c.listeners.push_back(l);
    c.certificates = next_directory;
    c.limits.connects_per_s_per_client_id = 0;  // the cases reconnect one client id at once
}

// Thing and certificate variables: a device may publish under things/<its thing>/, under
// site/<its thing's site attribute>/, and under cn/<its certificate's CN>/.
std::string thing_policy() {
    return R"({"Version":"2012-10-17","Statement":[)"
           R"({"Effect":"Allow","Action":"iot:Connect","Resource":"arn:aws:iot:*:*:client/${iot:Connection.Thing.ThingName}"},)"
           R"({"Effect":"Allow","Action":"iot:Publish","Resource":[)"
           R"("arn:aws:iot:*:*:topic/things/${iot:Connection.Thing.ThingName}/*",)"
           R"("arn:aws:iot:*:*:topic/site/${iot:Connection.Thing.Attributes[site]}/*",)"
           R"("arn:aws:iot:*:*:topic/type/${iot:Connection.Thing.ThingTypeName}/*",)"
           R"("arn:aws:iot:*:*:topic/cn/${iot:Certificate.Subject.CommonName}/*"]}]})";
}

struct x509_fixture {
    temp_dir certs;  // the device CA and device certificates (not the gateway's CA)
    std::shared_ptr<gate::memory_certificate_directory> dir =
        std::make_shared<gate::memory_certificate_directory>("us-east-1", "123456789012");
    std::unique_ptr<gateway_fixture> g;
    std::string ca_id;

    x509_fixture() {
        wv::tls::test_ca_options o;
        o.ca_name = "device CA";
        wv::tls::make_test_ca(certs.path(), o);
        ca_id = dir->add_ca(load(certs / "ca.crt"));
        next_directory = dir;
        g = std::make_unique<gateway_fixture>(with_directory);
        next_directory.reset();
    }
    static wv::tls::certificate load(const std::filesystem::path& p) {
        auto c = wv::tls::certificate::from_pem(read_file(p));
        REQUIRE_MESSAGE(c.ok(), c.error);
        return *c;
    }
    // A device certificate signed by the device CA, registered with `status` and the thing policy.
    std::string make(const std::string& name, gate::certificate_status status, bool attach = true) {
        wv::tls::make_client_cert(certs.path(), name);
        const auto id = dir->add_certificate(load(certs / (name + ".crt")), status, ca_id);
        if (attach) {
            REQUIRE(dir->attach_policy(id, "things", thing_policy()).empty());
            REQUIRE(dir->attach_thing(id, {.name = name, .type_name = "sensor", .attributes = {{"site", "berlin"}}}));
        }
        return id;
    }
    endpoint_options ep(const std::string& name, bool alpn443 = false) const {
        endpoint_options e;
        e.port = alpn443 ? g->port(0) : g->port(1);
        e.alpn = alpn443 ? std::vector<std::string>{"x-amzn-mqtt-ca"} : std::vector<std::string>{};
        e.ca_file = g->ca();
        e.cert_file = (certs / (name + ".crt")).string();
        e.key_file = (certs / (name + ".key")).string();
        return e;
    }
    std::unique_ptr<device> connect(const std::string& name, bool alpn443 = false, std::string client_id = {}) const {
        wv::client::session_options s;
        s.client_id = client_id.empty() ? name : client_id;
        return std::make_unique<device>(ep(name, alpn443), s);
    }
};

}  // namespace

TEST_CASE("X.509 registered and ACTIVE: connects on 8883 and on 443 x-amzn-mqtt-ca; thing and certificate variables decide") {
    x509_fixture f;
    const auto id = f.make("dev1", gate::certificate_status::active);
    for (const bool alpn443 : {false, true}) {
        CAPTURE(alpn443);
        auto d = f.connect("dev1", alpn443);
        REQUIRE_FALSE(d->connect_error());
        CHECK_FALSE(d->publish("things/dev1/t", "a"));
        CHECK_FALSE(d->publish("site/berlin/t", "b"));
        CHECK_FALSE(d->publish("type/sensor/t", "c"));
        CHECK_FALSE(d->publish("cn/dev1/t", "d"));
        // Another thing's topic: AWS closes the connection on an unauthorized PUBLISH.
        CHECK(d->publish("things/dev2/t", "e"));
        CHECK(d->wait_end());
    }
    // The principal AWS reports for a certificate connection is the certificate id.
    CHECK(f.g->wait_for_log({R"("eventType":"Connect")", R"("status":"Success")", id}));
    // A client id that is not the thing's name: no thing variables, so iot:Connect is denied.
    auto other = f.connect("dev1", false, "not-the-thing");
    CHECK(other->connect_error());
    CHECK(f.g->wait_for_log({"iot:Connect denied", "not-the-thing"}));
    CHECK(f.g->gw->stats().authorizer_calls == 0);
}

TEST_CASE("X.509 refusals: unknown, INACTIVE, REVOKED, PENDING_ACTIVATION, CA INACTIVE; handshake completes, no CONNACK") {
    x509_fixture f;
    f.make("inactive", gate::certificate_status::inactive);
    f.make("revoked", gate::certificate_status::revoked);
    f.make("pending", gate::certificate_status::pending_activation);
    f.make("good", gate::certificate_status::active);
    wv::tls::make_client_cert(f.certs.path(), "stranger");  // signed by the CA, never registered
    const std::pair<const char*, const char*> cases[] = {{"stranger", "X.509 UNKNOWN_CERTIFICATE"},
                                                         {"inactive", "X.509 INACTIVE"},
                                                         {"revoked", "X.509 REVOKED"},
                                                         {"pending", "X.509 PENDING_ACTIVATION"}};
    for (const auto& [name, logged] : cases) {
        CAPTURE(name);
        // What the device sees: the TLS handshake succeeds, the CONNECT gets no CONNACK.
        raw_session raw(f.ep(name));
        REQUIRE_FALSE(raw.connect_error());
        REQUIRE_FALSE(raw.send(bytes({0x10, 0x0e, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3c, 0x00, 0x02,
                                      'd', '1'})));
        std::vector<std::byte> got;
        CHECK(raw.wait_closed(10s, &got));
        CHECK(got.empty());
        CHECK(f.g->wait_for_log({R"("eventType":"Connect")", "AUTHORIZATION_FAILURE", logged}));
    }
    // The CA goes INACTIVE: its certificates are refused, whatever their own status.
    REQUIRE(f.dir->set_ca_status(f.ca_id, gate::certificate_status::inactive));
    auto d = f.connect("good");
    CHECK(d->connect_error());
    CHECK(f.g->wait_for_log({"X.509 CA_INACTIVE"}));
    REQUIRE(f.dir->set_ca_status(f.ca_id, gate::certificate_status::active));
    auto again = f.connect("good");
    CHECK_FALSE(again->connect_error());
    CHECK(f.g->gw->stats().connects_auth_failed == 5);
}

TEST_CASE("X.509: UpdateCertificate to INACTIVE (or REVOKED, or the CA INACTIVE) closes live connections using it") {
    x509_fixture f;
    const auto id1 = f.make("live1", gate::certificate_status::active);
    f.make("live2", gate::certificate_status::active);
    auto d1 = f.connect("live1");
    auto d2 = f.connect("live2", true);
    REQUIRE_FALSE(d1->connect_error());
    REQUIRE_FALSE(d2->connect_error());
    REQUIRE(f.dir->set_status(id1, gate::certificate_status::inactive));
    CHECK(d1->wait_end());
    CHECK(f.g->wait_for_log({R"("eventType":"Disconnect")", "AUTH_ERROR", "no longer ACTIVE", id1}));
    CHECK_FALSE(d2->wait_end(300ms));  // another certificate: untouched
    CHECK_FALSE(d2->publish("things/live2/x", "still here"));
    // Its next connect is refused.
    auto again = f.connect("live1");
    CHECK(again->connect_error());
    REQUIRE(f.dir->set_ca_status(f.ca_id, gate::certificate_status::inactive));
    CHECK(d2->wait_end());
}

TEST_CASE("X.509 with mosquitto_pub --cert/--key: registered device publishes, unknown one is refused") {
    if (std::string(WV_MOSQUITTO_PUB).empty()) {
        MESSAGE("SKIPPED: mosquitto_pub not installed");
        return;
    }
    x509_fixture f;
    f.make("mq1", gate::certificate_status::active);
    wv::tls::make_client_cert(f.certs.path(), "mq2");  // not registered
    const auto pub = [&](const std::string& name, const std::string& topic) {
        return run({WV_MOSQUITTO_PUB, "-h", "localhost", "-p", std::to_string(f.g->port(1)), "--cafile", f.g->ca(),
                    "--cert", (f.certs / (name + ".crt")).string(), "--key", (f.certs / (name + ".key")).string(),
                    "-i", name, "-t", topic, "-m", "hello", "-q", "1"},
                   {}, 20s);
    };
    auto ok = pub("mq1", "things/mq1/t");
    CHECK_MESSAGE(ok.exit_code == 0, ok.err);
    auto unknown = pub("mq2", "things/mq2/t");
    CHECK(unknown.exit_code != 0);
    CHECK(f.g->wait_for_log({"X.509 UNKNOWN_CERTIFICATE"}));
    // The same over 443 with ALPN x-amzn-mqtt-ca.
    auto alpn = run({WV_MOSQUITTO_PUB, "-h", "localhost", "-p", std::to_string(f.g->port(0)), "--cafile", f.g->ca(),
                     "--tls-alpn", "x-amzn-mqtt-ca", "--cert", (f.certs / "mq1.crt").string(), "--key",
                     (f.certs / "mq1.key").string(), "-i", "mq1", "-t", "things/mq1/t", "-m", "x", "-q", "1"},
                    {}, 20s);
    CHECK_MESSAGE(alpn.exit_code == 0, alpn.err);
}

TEST_CASE("X.509 static config: the client CA's certificates are ACTIVE with certificate_policies, others unknown") {
    // No directory given: the gateway trusts its client CA (here the generated one), as before.
    gateway_fixture g([](gate::gateway_config& c) {
        gate::listener_config l;
        l.name = "aws-8883";
        l.kind = gate::listener_kind::aws_8883;
        l.port = 0;
        c.listeners.push_back(l);
        c.certificate_policies = {wv_policy()};
    });
    const auto cert = wv::tls::make_client_cert(g.dir / "ca", "thing1");
    temp_dir other;
    wv::tls::make_test_ca(other.path());
    const auto foreign = wv::tls::make_client_cert(other.path(), "thing2");
    endpoint_options ep;
    ep.port = g.port(1);
    ep.alpn = {};
    ep.ca_file = g.ca();
    ep.cert_file = cert.cert.string();
    ep.key_file = cert.key.string();
    wv::client::session_options s;
    s.client_id = "thing1";
    device d(ep, s);
    REQUIRE_FALSE(d.connect_error());
    CHECK_FALSE(d.publish("wv/thing1/x", "ok"));
    ep.cert_file = foreign.cert.string();
    ep.key_file = foreign.key.string();
    s.client_id = "thing2";
    device stranger(ep, s);
    CHECK(stranger.connect_error());
    CHECK(g.wait_for_log({"X.509 UNKNOWN_CERTIFICATE", "is not registered"}));
}
