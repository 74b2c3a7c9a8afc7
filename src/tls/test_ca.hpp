#pragma once
// A local test certificate authority, built with OpenSSL's API (no `openssl` command).
//
// make_test_ca() writes into a directory:
//   ca.crt / ca.key          a self-signed CA (basicConstraints CA:TRUE, keyCertSign)
//   server.crt / server.key  a server certificate signed by it, serverAuth, with one SAN per
//                            host: names become DNS entries, IPv4/IPv6 literals IP entries
// make_client_cert() adds <name>.crt / <name>.key (clientAuth, CN=<name>) signed by ca.key.
//
// Keys are ECDSA P-256 by default, RSA-2048 on request; PEM, unencrypted PKCS#8, mode 0600.
// make_server_cert() adds <name>.crt / <name>.key: another server certificate signed by ca.key
// (a second certificate for the same names, or one whose validity is over).
// Certificates are valid from one hour ago (clock skew between processes) for `valid_days`.
//
// Errors: every function throws std::runtime_error naming the file or OpenSSL step that failed
// (these are set-up helpers for tests and tools, never used on a connection path).
// Threading: no shared state; safe to call from several threads on different directories.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace wv::tls {

enum class key_kind { ecdsa_p256, rsa_2048 };

struct test_ca_options {
    key_kind key = key_kind::ecdsa_p256;                      // for the CA and the server
    std::vector<std::string> hosts{"localhost", "127.0.0.1"};  // server SANs; the first is also its CN
    std::string ca_name = "wv test CA";
    int valid_days = 365;
};

struct test_ca_files {
    std::filesystem::path dir;
    std::filesystem::path ca_cert, ca_key;
    std::filesystem::path server_cert, server_key;
};

struct client_cert_files {
    std::filesystem::path cert, key;
};

// Creates `dir` if needed and writes the CA and server files (overwriting any present).
test_ca_files make_test_ca(const std::filesystem::path& dir, const test_ca_options& opts = {});

// Signs a client certificate with the CA already in `dir` (ca.crt + ca.key); `name` is its CN
// and its file stem, so it must be a plain file name ([A-Za-z0-9._-], not starting with '.').
client_cert_files make_client_cert(const std::filesystem::path& dir, std::string_view name,
                                   key_kind key = key_kind::ecdsa_p256, int valid_days = 365);

// Signs another server certificate (serverAuth, one SAN per host as in make_test_ca) with the
// CA already in `dir`; `name` is its file stem (a plain file name). valid_from_days moves its
// whole validity window: {.valid_from_days = -2, .valid_days = 1} has expired a day ago.
struct server_cert_options {
    std::vector<std::string> hosts{"localhost", "127.0.0.1"};
    key_kind key = key_kind::ecdsa_p256;
    int valid_days = 365;
    int valid_from_days = 0;
};
client_cert_files make_server_cert(const std::filesystem::path& dir, std::string_view name,
                                   const server_cert_options& opts = {});

// A CA (any CA certificate and its key, e.g. `wvca init`'s or your own) loaded once, signing
// many device certificates: `wvca devices` and wvsim --auth x509. Each certificate gets a fresh
// key (ECDSA P-256 by default), CN = `common_name`, clientAuth, AKID of the CA.
//
//   device_issuer ca{"ca.crt", "ca.key"};                  // throws naming the file
//   auto c = ca.issue("dev0001");                          // PEM texts, in memory
//   write_device_files("out", "dev0001", c);               // out/dev0001.crt, .key (0600)
//
// issue() is thread-safe (the CA's objects are only read): fleets are issued in parallel.
struct issued_certificate {
    std::string cert_pem;
    std::string key_pem;
};

class device_issuer {
public:
    device_issuer(const std::filesystem::path& ca_cert, const std::filesystem::path& ca_key);
    ~device_issuer();
    device_issuer(const device_issuer&) = delete;
    device_issuer& operator=(const device_issuer&) = delete;
    issued_certificate issue(std::string_view common_name, key_kind key = key_kind::ecdsa_p256,
                             int valid_days = 365) const;
    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

// Writes dir/<name>.crt and dir/<name>.key (mode 0600); `name` must be a plain file name.
client_cert_files write_device_files(const std::filesystem::path& dir, std::string_view name,
                                     const issued_certificate& c);

// The paths make_test_ca() would write in `dir`, without touching the disk.
test_ca_files test_ca_paths(const std::filesystem::path& dir);

}  // namespace wv::tls
