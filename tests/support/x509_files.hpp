#pragma once
// Test helpers for certificates on disk: read the first one of a PEM file, write one, and parse
// a certificate's bytes anew, optionally with one byte of its signature changed (the same TBS,
// a signature that no longer verifies). Each fails the test (REQUIRE) when OpenSSL refuses.
#include <cstdio>
#include <filesystem>
#include <memory>

#include <doctest/doctest.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace wv::test {

struct x509_deleter {
    void operator()(X509* x) const { X509_free(x); }
};
using x509_ptr = std::unique_ptr<X509, x509_deleter>;

inline x509_ptr read_cert(const std::filesystem::path& pem) {
    FILE* f = std::fopen(pem.c_str(), "r");
    REQUIRE_MESSAGE(f, pem.string());
    x509_ptr c{PEM_read_X509(f, nullptr, nullptr, nullptr)};
    std::fclose(f);
    REQUIRE_MESSAGE(c, "no certificate in " << pem.string());
    return c;
}

inline void write_cert(const std::filesystem::path& pem, X509* c) {
    FILE* f = std::fopen(pem.c_str(), "w");
    REQUIRE_MESSAGE(f, pem.string());
    const int ok = PEM_write_X509(f, c);
    std::fclose(f);
    REQUIRE(ok == 1);
}

inline x509_ptr reparsed(X509* c, bool spoil_signature = false) {
    unsigned char* der = nullptr;
    const int n = i2d_X509(c, &der);
    REQUIRE(n > 0);
    if (spoil_signature) der[n - 1] ^= 0x01;  // the last byte of the signature's value
    const unsigned char* p = der;
    x509_ptr out{d2i_X509(nullptr, &p, n)};
    OPENSSL_free(der);
    REQUIRE(out);
    return out;
}

}  // namespace wv::test
