// The client context's cache of verified server chains, without TLS: it answers only for the
// exact bytes and name it verified, only while every certificate of the chain is inside its
// validity, and never for anything it was not given.
#include <doctest/doctest.h>

#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "support/temp_dir.hpp"
#include "tls/test_ca.hpp"
#include "tls/verified_chain_cache.hpp"

namespace {

using wv::tls::verified_chain_cache;

struct x509_free_fn {
    void operator()(X509* x) const { X509_free(x); }
};
using x509_ptr = std::unique_ptr<X509, x509_free_fn>;
struct chain_free_fn {
    void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};
using chain_ptr = std::unique_ptr<STACK_OF(X509), chain_free_fn>;

x509_ptr load(const std::filesystem::path& p) {
    FILE* f = std::fopen(p.c_str(), "r");
    REQUIRE(f);
    x509_ptr x{PEM_read_X509(f, nullptr, nullptr, nullptr)};
    std::fclose(f);
    REQUIRE(x);
    return x;
}

// A new parse of `c`'s bytes (what the next handshake's leaf is), or with `spoil_signature` of
// the same bytes but one of its signature: identical TBS (names, key, dates), a signature that
// no longer verifies.
x509_ptr reparsed(X509* c, bool spoil_signature = false) {
    unsigned char* der = nullptr;
    const int n = i2d_X509(c, &der);
    REQUIRE(n > 0);
    if (spoil_signature) der[n - 1] ^= 0x01;  // the last byte of the signature's s value
    const unsigned char* p = der;
    x509_ptr out{d2i_X509(nullptr, &p, n)};
    OPENSSL_free(der);
    REQUIRE(out);
    return out;
}

chain_ptr stack_of(std::initializer_list<X509*> certs) {
    chain_ptr s{sk_X509_new_null()};
    for (X509* c : certs) {
        X509_up_ref(c);
        sk_X509_push(s.get(), c);
    }
    return s;
}

std::time_t as_time_t(const ASN1_TIME* t) {
    std::tm tm{};
    REQUIRE(ASN1_TIME_to_tm(t, &tm) == 1);
    return timegm(&tm);
}

struct pki {
    wv::test::temp_dir dir;
    wv::tls::test_ca_files files = wv::tls::make_test_ca(dir.path());  // CA and leaf: 365 days
    // Same CA, same names, another key; and one that outlives the CA.
    wv::tls::client_cert_files second = wv::tls::make_server_cert(dir.path(), "second");
    wv::tls::client_cert_files longer = wv::tls::make_server_cert(dir.path(), "longer", {.valid_days = 400});
    x509_ptr ca = load(files.ca_cert), leaf = load(files.server_cert), other = load(second.cert),
             outliving = load(longer.cert);
    X509_STORE* store = X509_STORE_new();
    pki() { X509_STORE_add_cert(store, ca.get()); }
    ~pki() { X509_STORE_free(store); }

    // X509_verify_cert's verified chain for `leaf` and `host`, as a client context gets it.
    chain_ptr verify(X509* cert, const char* host) {
        X509_STORE_CTX* ctx = X509_STORE_CTX_new();
        auto peer = stack_of({cert});
        REQUIRE(X509_STORE_CTX_init(ctx, store, cert, peer.get()) == 1);
        X509_STORE_CTX_set_default(ctx, "ssl_server");
        X509_VERIFY_PARAM_set1_host(X509_STORE_CTX_get0_param(ctx), host, 0);
        const int ok = X509_verify_cert(ctx);
        chain_ptr chain{ok == 1 ? X509_STORE_CTX_get1_chain(ctx) : nullptr};
        X509_STORE_CTX_free(ctx);
        return chain;
    }
};

verified_chain_cache::key key_of(const std::string& name, X509* cert) {
    verified_chain_cache::key k;
    auto peer = stack_of({cert});
    REQUIRE(verified_chain_cache::make_key(name, peer.get(), k));
    return k;
}

}  // namespace

TEST_CASE("verified chains: found only for the same bytes and the same name") {
    pki p;
    verified_chain_cache cache;
    const auto now = std::time(nullptr);
    auto verified = p.verify(p.leaf.get(), "localhost");
    REQUIRE(verified);
    REQUIRE(sk_X509_num(verified.get()) == 2);
    const auto k = key_of("host=localhost", p.leaf.get());
    CHECK(!chain_ptr(cache.find(k, p.leaf.get(), now)));  // empty: nothing was remembered
    cache.remember(k, verified.get());
    CHECK(cache.size() == 1);

    // The same bytes parsed again (a new handshake's leaf): the chain, with that leaf first.
    auto again = reparsed(p.leaf.get());
    REQUIRE(X509_cmp(again.get(), p.leaf.get()) == 0);
    chain_ptr hit{cache.find(key_of("host=localhost", again.get()), again.get(), now)};
    REQUIRE(hit);
    CHECK(sk_X509_num(hit.get()) == 2);
    CHECK(sk_X509_value(hit.get(), 0) == again.get());
    CHECK(X509_cmp(sk_X509_value(hit.get(), 1), p.ca.get()) == 0);
    CHECK(cache.hits() == 1);

    // Another name, another certificate for the same names from the same CA, and the same
    // certificate with a signature that does not verify (identical TBS): all misses.
    CHECK(!chain_ptr(cache.find(key_of("host=127.0.0.1", p.leaf.get()), p.leaf.get(), now)));
    CHECK(!chain_ptr(cache.find(key_of("host=localhost", p.other.get()), p.other.get(), now)));
    const auto forged = reparsed(p.leaf.get(), true);
    CHECK(X509_verify(forged.get(), X509_get0_pubkey(p.ca.get())) != 1);
    CHECK(!chain_ptr(cache.find(key_of("host=localhost", forged.get()), forged.get(), now)));
    // A chain of the leaf plus an extra certificate is other bytes too.
    verified_chain_cache::key longer_chain;
    auto two = stack_of({p.leaf.get(), p.ca.get()});
    REQUIRE(verified_chain_cache::make_key("host=localhost", two.get(), longer_chain));
    CHECK(!chain_ptr(cache.find(longer_chain, p.leaf.get(), now)));
    CHECK(cache.hits() == 1);
}

TEST_CASE("verified chains: used only while every certificate of the chain is within its dates") {
    pki p;
    verified_chain_cache cache;
    auto verified = p.verify(p.outliving.get(), "localhost");
    REQUIRE(verified);
    const auto k = key_of("host=localhost", p.outliving.get());
    cache.remember(k, verified.get());
    const auto not_before = as_time_t(X509_get0_notBefore(p.outliving.get()));
    const auto leaf_end = as_time_t(X509_get0_notAfter(p.outliving.get()));
    const auto ca_end = as_time_t(X509_get0_notAfter(p.ca.get()));
    REQUIRE(ca_end < leaf_end);  // the trust anchor expires first

    CHECK(chain_ptr(cache.find(k, p.outliving.get(), not_before)));      // notBefore itself is valid
    CHECK(!chain_ptr(cache.find(k, p.outliving.get(), not_before - 1)));  // not yet valid
    CHECK(chain_ptr(cache.find(k, p.outliving.get(), ca_end - 1)));
    CHECK(!chain_ptr(cache.find(k, p.outliving.get(), ca_end)));          // the CA has expired (OpenSSL: notAfter <= now)
    CHECK(!chain_ptr(cache.find(k, p.outliving.get(), leaf_end + 1)));
    // What OpenSSL says at that moment, for comparison: the chain no longer verifies.
    X509_STORE_CTX* ctx = X509_STORE_CTX_new();
    auto peer = stack_of({p.outliving.get()});
    REQUIRE(X509_STORE_CTX_init(ctx, p.store, p.outliving.get(), peer.get()) == 1);
    X509_STORE_CTX_set_time(ctx, 0, ca_end);
    CHECK(X509_verify_cert(ctx) != 1);
    CHECK(X509_STORE_CTX_get_error(ctx) == X509_V_ERR_CERT_HAS_EXPIRED);
    X509_STORE_CTX_free(ctx);
    CHECK(cache.hits() == 2);
}

TEST_CASE("verified chains: the oldest entry makes room; a key already there is not added twice") {
    pki p;
    verified_chain_cache cache(2);
    auto v1 = p.verify(p.leaf.get(), "localhost");
    auto v2 = p.verify(p.other.get(), "localhost");
    auto v3 = p.verify(p.outliving.get(), "localhost");
    REQUIRE((v1 && v2 && v3));
    const auto k1 = key_of("host=localhost", p.leaf.get()), k2 = key_of("host=localhost", p.other.get()),
               k3 = key_of("host=localhost", p.outliving.get());
    cache.remember(k1, v1.get());
    cache.remember(k1, v1.get());
    CHECK(cache.size() == 1);
    cache.remember(k2, v2.get());
    cache.remember(k3, v3.get());
    CHECK(cache.size() == 2);
    const auto now = std::time(nullptr);
    CHECK(!chain_ptr(cache.find(k1, p.leaf.get(), now)));
    CHECK(chain_ptr(cache.find(k2, p.other.get(), now)));
    CHECK(chain_ptr(cache.find(k3, p.outliving.get(), now)));
}

TEST_CASE("verification_name: the checked names and settings; nothing for what the cache does not model") {
    X509_VERIFY_PARAM* param = X509_VERIFY_PARAM_new();
    X509_VERIFY_PARAM_set1_host(param, "localhost", 0);
    const auto host = wv::tls::verification_name(param);
    CHECK(host.find("host=localhost") != std::string::npos);
    X509_VERIFY_PARAM_set1_ip_asc(param, "127.0.0.1");
    const auto both = wv::tls::verification_name(param);
    CHECK(both.find("ip=127.0.0.1") != std::string::npos);
    CHECK(both != host);
    X509_VERIFY_PARAM_set_depth(param, 3);
    CHECK(wv::tls::verification_name(param) != both);

    X509_VERIFY_PARAM_set1_email(param, "a@example.com", 0);
    CHECK(wv::tls::verification_name(param).empty());
    X509_VERIFY_PARAM_free(param);

    param = X509_VERIFY_PARAM_new();
    X509_VERIFY_PARAM_set1_host(param, "localhost", 0);
    X509_VERIFY_PARAM_set_time(param, 1'000'000);  // a fixed verification time: always in full
    CHECK(wv::tls::verification_name(param).empty());
    X509_VERIFY_PARAM_free(param);
}
