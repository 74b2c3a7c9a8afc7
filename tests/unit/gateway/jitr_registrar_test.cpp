// Just-in-time registration on the certificate-directory level: an in-memory registry with a
// CA registered the way the control plane registers it, device certificates that CA signed,
// and the verdicts, registrations and events the registrar produces. No sockets.
#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "gateway/jitr_registrar.hpp"
#include "gateway/registry_certificate_directory.hpp"
#include "gateway/x509_identity.hpp"
#include "registry/registry.hpp"
#include "support/temp_dir.hpp"
#include "tls/test_ca.hpp"

using namespace std::chrono_literals;
namespace gate = wv::gate;
namespace reg = wv::registry;
namespace tls = wv::tls;

namespace {

struct published {
    std::string topic, payload;
};

// A registry with one CA (the test CA of `dir`), registered SNI_ONLY (no verification
// certificate needed here; the control plane's tests cover that), and a registrar around it.
struct jitr_world {
    wv::test::temp_dir dir;
    tls::test_ca_files ca = tls::make_test_ca(dir.path() / "ca");
    reg::registry registry{reg::registry_options{.acct = {.region = "eu-central-1", .id = "123456789012"}}};
    std::string ca_id;
    std::mutex mu;
    std::vector<published> events;
    std::vector<std::string> log_lines;
    std::shared_ptr<gate::jitr_registrar> jitr;

    explicit jitr_world(bool auto_registration = true, bool active = true) {
        auto r = registry.register_ca_certificate(wv::test::read_file(ca.ca_cert), "", active, auto_registration,
                                                  nlohmann::json::object(), "SNI_ONLY");
        REQUIRE_MESSAGE(r, r.err().message);
        ca_id = r.value().id;
        auto inner = std::make_shared<gate::registry_certificate_directory>(registry, nullptr);
        jitr = std::make_shared<gate::jitr_registrar>(
            registry, inner,
            gate::jitr_hooks{.publish =
                                 [this](std::string t, std::string p) {
                                     std::lock_guard lock(mu);
                                     events.push_back({std::move(t), std::move(p)});
                                 },
                             .log =
                                 [this](bool ok, const std::string& id, const std::string& d) {
                                     std::lock_guard lock(mu);
                                     log_lines.push_back((ok ? "ok " : "failed ") + id + " " + d);
                                 }});
    }

    gate::x509_peer device(const std::string& cn, bool sni = true) {
        const auto c = tls::make_client_cert(ca.dir, cn);
        return gate::x509_peer{*tls::certificate::from_pem(wv::test::read_file(c.cert)), std::nullopt, sni};
    }

    gate::certificate_verdict check(const gate::x509_peer& p) {
        return gate::check_certificate(*jitr, p, std::chrono::system_clock::now());
    }

    bool wait_registered(std::uint64_t n) {
        for (int i = 0; i < 500; ++i) {
            if (jitr->counts().registered >= n) return true;
            std::this_thread::sleep_for(10ms);
        }
        return false;
    }

    std::vector<published> events_seen() {
        std::lock_guard lock(mu);
        return events;
    }
};

}  // namespace

TEST_CASE("registration event: AWS's fields in AWS's order, timestamp a number, registration timestamp a string") {
    const auto json = gate::registration_event_json({.certificate_id = "c0ffee",
                                                     .ca_certificate_id = "ca1",
                                                     .timestamp_ms = 1733500000123,
                                                     .account_id = "123456789012",
                                                     .registration_timestamp_ms = 1733500000045});
    CHECK(json == R"({"certificateId":"c0ffee","caCertificateId":"ca1","timestamp":1733500000123,)"
                  R"("certificateStatus":"PENDING_ACTIVATION","awsAccountId":"123456789012",)"
                  R"("certificateRegistrationTimestamp":"1733500000045"})");
    CHECK(gate::registration_topic("ca1") == "$aws/events/certificates/registered/ca1");
}

TEST_CASE("an unknown certificate of an auto-registration CA: refused as PENDING_ACTIVATION, registered, announced once") {
    jitr_world w;
    const auto dev = w.device("sensor-1");
    const auto first = w.check(dev);
    CHECK(first.check == gate::certificate_check::pending_activation);
    CHECK(first.ca_certificate_id == w.ca_id);
    CHECK(first.detail.find("just-in-time registration") != std::string::npos);
    REQUIRE(w.wait_registered(1));

    const auto d = w.registry.describe_certificate(dev.cert.id());
    REQUIRE(d);
    CHECK(d.value().status == reg::cert_status::pending_activation);
    CHECK(d.value().ca_id == w.ca_id);

    const auto ev = w.events_seen();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].topic == "$aws/events/certificates/registered/" + w.ca_id);
    const auto j = nlohmann::json::parse(ev[0].payload);
    CHECK(j["certificateId"] == dev.cert.id());
    CHECK(j["caCertificateId"] == w.ca_id);
    CHECK(j["certificateStatus"] == "PENDING_ACTIVATION");
    CHECK(j["awsAccountId"] == "123456789012");
    CHECK(j["timestamp"].is_number_integer());
    CHECK(j["certificateRegistrationTimestamp"] == std::to_string(std::llround(d.value().creation_date * 1000)));

    // The next attempt, before activation: the registry knows it now; no second event.
    const auto again = w.check(dev);
    CHECK(again.check == gate::certificate_check::pending_activation);
    CHECK(again.detail.find("is PENDING_ACTIVATION") != std::string::npos);
    // After UpdateCertificate ACTIVE (what the Lambda does): accepted.
    REQUIRE_FALSE(w.registry.update_certificate(dev.cert.id(), "ACTIVE"));
    CHECK(w.check(dev).check == gate::certificate_check::active);
    std::this_thread::sleep_for(50ms);
    CHECK(w.events_seen().size() == 1);
    CHECK(w.jitr->counts().registered == 1);
}

TEST_CASE("a burst of connections with one new certificate registers it once and publishes one event") {
    jitr_world w;
    const auto dev = w.device("sensor-burst");
    std::vector<std::thread> threads;
    std::atomic<int> refused{0};
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 25; ++i)
                if (w.check(dev).check == gate::certificate_check::pending_activation) ++refused;
        });
    for (auto& t : threads) t.join();
    CHECK(refused == 100);
    REQUIRE(w.wait_registered(1));
    std::this_thread::sleep_for(50ms);
    CHECK(w.events_seen().size() == 1);
    CHECK(w.jitr->counts().failed == 0);
}

TEST_CASE("no JITR without SNI: unknown, the detail says why, nothing registered") {
    jitr_world w;
    const auto dev = w.device("sensor-nosni", false);
    const auto v = w.check(dev);
    CHECK(v.check == gate::certificate_check::unknown);
    CHECK(v.detail.find("no SNI") != std::string::npos);
    std::this_thread::sleep_for(50ms);
    CHECK_FALSE(w.registry.describe_certificate(dev.cert.id()));
    CHECK(w.events_seen().empty());
}

TEST_CASE("no JITR when the CA's auto-registration is DISABLE, or the CA is INACTIVE") {
    SUBCASE("DISABLE") {
        jitr_world w(false, true);
        const auto v = w.check(w.device("sensor-off"));
        CHECK(v.check == gate::certificate_check::unknown);
        CHECK(v.detail.find("auto-registration is DISABLE") != std::string::npos);
        // UpdateCACertificate ENABLE turns it on for the next attempt.
        REQUIRE_FALSE(w.registry.update_ca_certificate(w.ca_id, std::nullopt, std::string("ENABLE"), std::nullopt, false));
        CHECK(w.check(w.device("sensor-on")).check == gate::certificate_check::pending_activation);
        CHECK(w.wait_registered(1));
    }
    SUBCASE("INACTIVE") {
        jitr_world w(true, false);
        const auto v = w.check(w.device("sensor-inactive-ca"));
        CHECK(v.check == gate::certificate_check::unknown);
        CHECK(v.detail.find("INACTIVE") != std::string::npos);
        std::this_thread::sleep_for(50ms);
        CHECK(w.events_seen().empty());
    }
}

TEST_CASE("a certificate no registered CA signed stays unknown") {
    jitr_world w;
    wv::test::temp_dir other;
    const auto other_ca = tls::make_test_ca(other.path());
    const auto c = tls::make_client_cert(other_ca.dir, "stranger");
    const gate::x509_peer p{*tls::certificate::from_pem(wv::test::read_file(c.cert)), std::nullopt, true};
    const auto v = w.check(p);
    CHECK(v.check == gate::certificate_check::unknown);
    CHECK(v.detail.find("not registered") != std::string::npos);
    std::this_thread::sleep_for(50ms);
    CHECK(w.events_seen().empty());
}
