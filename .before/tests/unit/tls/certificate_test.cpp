// tls::certificate against OpenSSL's own view of files written by the test CA, and the device
// issuer (wvca devices, wvsim --auth x509).
#include <doctest/doctest.h>

#include <openssl/evp.h>

#include <thread>

#include "support/temp_dir.hpp"
#include "tls/certificate.hpp"
#include "tls/test_ca.hpp"

using namespace wv;
using wv::test::read_file;
using wv::test::temp_dir;

TEST_CASE("certificate: id is the SHA-256 of the DER (AWS's certificateId), attributes by AWS's names") {
    temp_dir d;
    tls::make_test_ca(d.path());
    tls::make_client_cert(d.path(), "thing1");
    const auto c = tls::certificate::from_pem(read_file(d / "thing1.crt"));
    REQUIRE_MESSAGE(c.ok(), c.error);
    // Independent: the DER from the PEM body, hashed here.
    unsigned char md[32];
    unsigned len = 0;
    REQUIRE(EVP_Digest(c->der().data(), c->der().size(), md, &len, EVP_sha256(), nullptr) == 1);
    char hex[65] = {};
    for (unsigned i = 0; i < 32; ++i) std::snprintf(hex + 2 * i, 3, "%02x", md[i]);
    CHECK(c->id() == hex);
    CHECK(c->id().size() == 64);
    CHECK(c->subject_attribute("CommonName") == std::vector<std::string>{"thing1"});
    CHECK(c->subject_attribute("Organization") == std::vector<std::string>{"Wavelet IoT lab"});
    CHECK(c->issuer_attribute("CommonName") == std::vector<std::string>{"wv test CA"});
    CHECK(c->subject_attribute("Country").empty());
    CHECK(c->subject() == "CN=thing1,O=Wavelet IoT lab");
    CHECK_FALSE(c->is_ca());
    CHECK(c->not_before() < std::chrono::system_clock::now());
    CHECK(c->not_after() > std::chrono::system_clock::now());
    const auto ca = tls::certificate::from_pem(read_file(d / "ca.crt"));
    REQUIRE(ca.ok());
    CHECK(ca->is_ca());
    CHECK(c->issued_by(*ca));
    CHECK_FALSE(ca->issued_by(*c));
    temp_dir other;
    tls::make_test_ca(other.path());  // same CA name, another key: the signature decides
    CHECK_FALSE(c->issued_by(*tls::certificate::from_pem(read_file(other / "ca.crt"))));
    // Round trips.
    CHECK(tls::certificate::from_der(c->der())->id() == c->id());
    CHECK(tls::certificate::from_pem(c->pem())->id() == c->id());
    const auto [chain, error] = tls::certificate::all_from_pem(read_file(d / "thing1.crt") + read_file(d / "ca.crt"));
    CHECK(error.empty());
    REQUIRE(chain.size() == 2);
    CHECK(chain[1].id() == ca->id());
}

TEST_CASE("certificate: malformed input is an error that says what is wrong") {
    CHECK(tls::certificate::from_pem("").error == "no -----BEGIN CERTIFICATE----- block");
    const auto bad = tls::certificate::from_pem("-----BEGIN CERTIFICATE-----\nnot base64!!\n-----END CERTIFICATE-----\n");
    CHECK_FALSE(bad.ok());
    CHECK(bad.error.find("PEM certificate 1") != std::string::npos);
    const std::vector<unsigned char> junk{0x30, 0x03, 0x02, 0x01, 0x01};
    const auto der = tls::certificate::from_der(junk);
    CHECK_FALSE(der.ok());
    CHECK(der.error.starts_with("not a DER X.509 certificate"));
    temp_dir d;
    tls::make_test_ca(d.path());
    auto good = read_file(d / "ca.crt");
    const auto parsed = tls::certificate::from_pem(good);
    const auto bytes = parsed->der();
    std::vector<unsigned char> trailing(bytes.begin(), bytes.end());
    trailing.push_back(0);
    CHECK(tls::certificate::from_der(trailing).error.find("1 bytes after the certificate") != std::string::npos);
}

TEST_CASE("device_issuer: any CA signs a fleet in parallel; names and CA are checked") {
    temp_dir d;
    tls::make_test_ca(d.path());
    const tls::device_issuer issuer(d / "ca.crt", d / "ca.key");
    const auto ca = *tls::certificate::from_pem(read_file(d / "ca.crt"));
    std::vector<tls::issued_certificate> got(8);
    std::vector<std::thread> ts;
    for (std::size_t i = 0; i < got.size(); ++i)
        ts.emplace_back([&, i] { got[i] = issuer.issue("dev" + std::to_string(i)); });
    for (auto& t : ts) t.join();
    for (std::size_t i = 0; i < got.size(); ++i) {
        const auto c = tls::certificate::from_pem(got[i].cert_pem);
        REQUIRE(c.ok());
        CHECK(c->subject_attribute("CommonName") == std::vector<std::string>{"dev" + std::to_string(i)});
        CHECK(c->issued_by(ca));
        CHECK(got[i].key_pem.find("PRIVATE KEY") != std::string::npos);
    }
    const auto files = tls::write_device_files(d.path(), "dev0", got[0]);
    CHECK(read_file(files.cert) == got[0].cert_pem);
    CHECK_THROWS_WITH_AS(tls::write_device_files(d.path(), "../x", got[0]),
                         doctest::Contains("plain file name"), std::runtime_error);
    // A leaf certificate is not a CA; a key of another certificate does not match.
    CHECK_THROWS_WITH_AS(tls::device_issuer(d / "dev0.crt", d / "dev0.key"), doctest::Contains("not a CA"),
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(tls::device_issuer(d / "ca.crt", d / "dev0.key"), doctest::Contains("does not belong"),
                         std::runtime_error);
}
