// The test CA: the chain verifies with OpenSSL, SANs and key types are what was asked for.
#include <doctest/doctest.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

#include "support/temp_dir.hpp"
#include "support/x509_files.hpp"
#include "tls/test_ca.hpp"

namespace {

using wv::test::x509_ptr;

int key_id(const std::filesystem::path& key_file) {
    FILE* f = std::fopen(key_file.c_str(), "r");
    REQUIRE(f);
    EVP_PKEY* k = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    REQUIRE(k);
    const int id = EVP_PKEY_get_base_id(k);
    EVP_PKEY_free(k);
    return id;
}

// X509_verify_cert of `leaf` against `ca` for `purpose`, optionally checking host or IP.
int verify(X509* leaf, X509* ca, int purpose, const char* host = nullptr, const char* ip = nullptr) {
    X509_STORE* store = X509_STORE_new();
    X509_STORE_add_cert(store, ca);
    X509_STORE_CTX* ctx = X509_STORE_CTX_new();
    X509_STORE_CTX_init(ctx, store, leaf, nullptr);
    X509_STORE_CTX_set_purpose(ctx, purpose);
    auto* param = X509_STORE_CTX_get0_param(ctx);
    if (host) X509_VERIFY_PARAM_set1_host(param, host, 0);
    if (ip) X509_VERIFY_PARAM_set1_ip_asc(param, ip);
    const int ok = X509_verify_cert(ctx);
    const int err = X509_STORE_CTX_get_error(ctx);
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    return ok == 1 ? X509_V_OK : err;
}

}  // namespace

TEST_CASE("test CA: ECDSA server cert verifies for localhost and 127.0.0.1, not for other names") {
    wv::test::temp_dir dir;
    const auto f = wv::tls::make_test_ca(dir.path() / "certs");
    CHECK(f.ca_cert == dir.path() / "certs" / "ca.crt");
    CHECK(key_id(f.server_key) == EVP_PKEY_EC);
    CHECK(key_id(f.ca_key) == EVP_PKEY_EC);
    const auto ca = wv::test::read_cert(f.ca_cert);
    const auto srv = wv::test::read_cert(f.server_cert);
    CHECK(verify(srv.get(), ca.get(), X509_PURPOSE_SSL_SERVER, "localhost") == X509_V_OK);
    CHECK(verify(srv.get(), ca.get(), X509_PURPOSE_SSL_SERVER, nullptr, "127.0.0.1") == X509_V_OK);
    CHECK(verify(srv.get(), ca.get(), X509_PURPOSE_SSL_SERVER, "example.com") == X509_V_ERR_HOSTNAME_MISMATCH);
    CHECK(verify(srv.get(), ca.get(), X509_PURPOSE_SSL_SERVER, nullptr, "127.0.0.2") == X509_V_ERR_IP_ADDRESS_MISMATCH);
    // serverAuth only: the server certificate is not a client certificate.
    CHECK(verify(srv.get(), ca.get(), X509_PURPOSE_SSL_CLIENT) != X509_V_OK);
}

TEST_CASE("test CA: RSA-2048 on request, custom hosts") {
    wv::test::temp_dir dir;
    const auto f = wv::tls::make_test_ca(dir.path(), {.key = wv::tls::key_kind::rsa_2048, .hosts = {"gw.test", "::1"}});
    CHECK(key_id(f.server_key) == EVP_PKEY_RSA);
    const auto ca = wv::test::read_cert(f.ca_cert);
    const auto srv = wv::test::read_cert(f.server_cert);
    CHECK(verify(srv.get(), ca.get(), X509_PURPOSE_SSL_SERVER, "gw.test") == X509_V_OK);
    CHECK(verify(srv.get(), ca.get(), X509_PURPOSE_SSL_SERVER, nullptr, "::1") == X509_V_OK);
    CHECK(verify(srv.get(), ca.get(), X509_PURPOSE_SSL_SERVER, "localhost") == X509_V_ERR_HOSTNAME_MISMATCH);
}

TEST_CASE("test CA: client certificates are signed by the CA, clientAuth, CN = name") {
    wv::test::temp_dir dir;
    const auto f = wv::tls::make_test_ca(dir.path());
    const auto c = wv::tls::make_client_cert(dir.path(), "device-0001");
    CHECK(c.cert == dir.path() / "device-0001.crt");
    const auto ca = wv::test::read_cert(f.ca_cert);
    const auto cert = wv::test::read_cert(c.cert);
    CHECK(verify(cert.get(), ca.get(), X509_PURPOSE_SSL_CLIENT) == X509_V_OK);
    char cn[64] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof cn);
    CHECK(std::string(cn) == "device-0001");
    // A second CA does not vouch for it.
    wv::test::temp_dir other;
    const auto g = wv::tls::make_test_ca(other.path());
    CHECK(verify(cert.get(), wv::test::read_cert(g.ca_cert).get(), X509_PURPOSE_SSL_CLIENT) != X509_V_OK);
}

TEST_CASE("test CA: errors name the problem") {
    wv::test::temp_dir dir;
    CHECK_THROWS_WITH_AS(wv::tls::make_client_cert(dir.path(), "x"), doctest::Contains("ca.crt"), std::runtime_error);
    wv::tls::make_test_ca(dir.path());
    CHECK_THROWS_AS(wv::tls::make_client_cert(dir.path(), "../evil"), std::runtime_error);
    CHECK_THROWS_AS(wv::tls::make_client_cert(dir.path(), ""), std::runtime_error);
    CHECK_THROWS_AS(wv::tls::make_test_ca(dir.path(), {.hosts = {}}), std::runtime_error);
}
