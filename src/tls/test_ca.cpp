#include "tls/test_ca.hpp"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <memory>
#include <stdexcept>
#include <sys/stat.h>

namespace wv::tls {
namespace {

namespace fs = std::filesystem;

template <auto Fn>
struct deleter {
    template <class T>
    void operator()(T* p) const { Fn(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, deleter<X509_free>>;
using bio_ptr = std::unique_ptr<BIO, deleter<BIO_free_all>>;
using ext_ptr = std::unique_ptr<X509_EXTENSION, deleter<X509_EXTENSION_free>>;
using bn_ptr = std::unique_ptr<BIGNUM, deleter<BN_free>>;

[[noreturn]] void fail(std::string_view what) {
    std::string msg = "test CA: ";
    msg += what;
    if (const auto e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        msg += ": ";
        msg += buf;
    }
    ERR_clear_error();
    throw std::runtime_error(msg);
}

pkey_ptr make_key(key_kind kind) {
    pkey_ptr k{kind == key_kind::rsa_2048 ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256")};
    if (!k) fail("key generation");
    return k;
}

bool is_ip_literal(const std::string& host) {
    unsigned char buf[16];
    return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    ext_ptr ext{X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str())};
    if (!ext || !X509_add_ext(cert, ext.get(), -1)) fail("extension " + value);
}

// A fresh certificate with a random positive 64-bit serial, validity window, subject CN and key.
// The window starts an hour before now + valid_from_days and ends valid_days after that.
x509_ptr new_cert(EVP_PKEY* key, const std::string& cn, int valid_days, int valid_from_days = 0) {
    x509_ptr cert{X509_new()};
    if (!cert) fail("X509_new");
    X509_set_version(cert.get(), 2);  // v3: extensions
    unsigned char serial[8];
    if (RAND_bytes(serial, sizeof serial) != 1) fail("serial");
    serial[0] &= 0x7f;  // positive
    bn_ptr bn{BN_bin2bn(serial, sizeof serial, nullptr)};
    if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get()))) fail("serial");
    // One hour back: a peer whose clock lags a little must not see "not yet valid".
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), static_cast<long>(valid_from_days) * 86400 - 3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(valid_from_days + valid_days) * 86400);
    if (!X509_set_pubkey(cert.get(), key)) fail("set public key");
    auto* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("Wavelet IoT lab"), -1, -1, 0);
    if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0))
        fail("subject CN " + cn);
    return cert;
}

void sign(X509* cert, X509* issuer, EVP_PKEY* issuer_key) {
    if (!X509_set_issuer_name(cert, X509_get_subject_name(issuer))) fail("issuer name");
    if (X509_sign(cert, issuer_key, EVP_sha256()) <= 0) fail("sign");
}

bio_ptr open_for_write(const fs::path& p, bool secret) {
    bio_ptr b{BIO_new_file(p.c_str(), "w")};
    if (!b) fail("cannot write " + p.string());
    if (secret) ::chmod(p.c_str(), 0600);
    return b;
}

void write_cert(const fs::path& p, X509* cert) {
    auto b = open_for_write(p, false);
    if (!PEM_write_bio_X509(b.get(), cert)) fail("write " + p.string());
}

void write_key(const fs::path& p, EVP_PKEY* key) {
    auto b = open_for_write(p, true);
    if (!PEM_write_bio_PrivateKey(b.get(), key, nullptr, nullptr, 0, nullptr, nullptr)) fail("write " + p.string());
}

x509_ptr read_cert(const fs::path& p) {
    bio_ptr b{BIO_new_file(p.c_str(), "r")};
    if (!b) fail("cannot read " + p.string() + " (run make_test_ca / `wvca init` first)");
    x509_ptr c{PEM_read_bio_X509(b.get(), nullptr, nullptr, nullptr)};
    if (!c) fail("no certificate in " + p.string());
    return c;
}

pkey_ptr read_key(const fs::path& p) {
    bio_ptr b{BIO_new_file(p.c_str(), "r")};
    if (!b) fail("cannot read " + p.string() + " (run make_test_ca / `wvca init` first)");
    pkey_ptr k{PEM_read_bio_PrivateKey(b.get(), nullptr, nullptr, nullptr)};
    if (!k) fail("no private key in " + p.string());
    return k;
}

std::string key_usage(key_kind kind) {
    // RSA key exchange (TLS 1.2 RSA suites) needs keyEncipherment; ECDSA signs only.
    return kind == key_kind::rsa_2048 ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature";
}

bool is_plain_file_name(std::string_view s) {
    if (s.empty() || s.front() == '.' || s.size() > 64) return false;
    for (const char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

// A server certificate for `hosts` (the first is also its CN), signed by `ca`.
x509_ptr issue_server_cert(EVP_PKEY* key, key_kind kind, const std::vector<std::string>& hosts, X509* ca, EVP_PKEY* ca_key,
                           int valid_days, int valid_from_days) {
    if (hosts.empty()) throw std::runtime_error("test CA: at least one server host name is needed");
    auto srv = new_cert(key, hosts.front(), valid_days, valid_from_days);
    std::string san;
    for (const auto& h : hosts) {
        if (h.empty() || h.find_first_of(",\n") != std::string::npos)
            throw std::runtime_error("test CA: bad host name '" + h + "'");
        if (!san.empty()) san += ',';
        san += (is_ip_literal(h) ? "IP:" : "DNS:") + h;
    }
    add_ext(srv.get(), ca, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(srv.get(), ca, NID_key_usage, key_usage(kind));
    add_ext(srv.get(), ca, NID_ext_key_usage, "serverAuth");
    add_ext(srv.get(), ca, NID_subject_alt_name, san);
    add_ext(srv.get(), ca, NID_authority_key_identifier, "keyid:always");
    sign(srv.get(), ca, ca_key);
    return srv;
}

}  // namespace

test_ca_files test_ca_paths(const fs::path& dir) {
    return {.dir = dir,
            .ca_cert = dir / "ca.crt",
            .ca_key = dir / "ca.key",
            .server_cert = dir / "server.crt",
            .server_key = dir / "server.key"};
}

test_ca_files make_test_ca(const fs::path& dir, const test_ca_options& opts) {
    if (opts.hosts.empty()) throw std::runtime_error("test CA: at least one server host name is needed");
    if (opts.valid_days <= 0) throw std::runtime_error("test CA: valid_days must be positive");
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw std::runtime_error("test CA: cannot create " + dir.string() + ": " + ec.message());
    const auto files = test_ca_paths(dir);

    const auto ca_key = make_key(opts.key);
    auto ca = new_cert(ca_key.get(), opts.ca_name, opts.valid_days);
    add_ext(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_ext(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    add_ext(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
    sign(ca.get(), ca.get(), ca_key.get());

    const auto srv_key = make_key(opts.key);
    const auto srv = issue_server_cert(srv_key.get(), opts.key, opts.hosts, ca.get(), ca_key.get(), opts.valid_days, 0);

    write_cert(files.ca_cert, ca.get());
    write_key(files.ca_key, ca_key.get());
    write_cert(files.server_cert, srv.get());
    write_key(files.server_key, srv_key.get());
    return files;
}

client_cert_files make_client_cert(const fs::path& dir, std::string_view name, key_kind key, int valid_days) {
    if (!is_plain_file_name(name))
        throw std::runtime_error("test CA: client name '" + std::string(name) +
                                 "' must be a plain file name ([A-Za-z0-9._-], not starting with '.')");
    if (valid_days <= 0) throw std::runtime_error("test CA: valid_days must be positive");
    const auto ca_files = test_ca_paths(dir);
    const auto ca = read_cert(ca_files.ca_cert);
    const auto ca_key = read_key(ca_files.ca_key);

    const auto k = make_key(key);
    auto cert = new_cert(k.get(), std::string(name), valid_days);
    add_ext(cert.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_ext(cert.get(), ca.get(), NID_key_usage, key_usage(key));
    add_ext(cert.get(), ca.get(), NID_ext_key_usage, "clientAuth");
    add_ext(cert.get(), ca.get(), NID_authority_key_identifier, "keyid:always");
    sign(cert.get(), ca.get(), ca_key.get());

    client_cert_files out{.cert = dir / (std::string(name) + ".crt"), .key = dir / (std::string(name) + ".key")};
    write_cert(out.cert, cert.get());
    write_key(out.key, k.get());
    return out;
}

client_cert_files make_server_cert(const fs::path& dir, std::string_view name, const server_cert_options& opts) {
    if (!is_plain_file_name(name))
        throw std::runtime_error("test CA: server name '" + std::string(name) +
                                 "' must be a plain file name ([A-Za-z0-9._-], not starting with '.')");
    if (opts.valid_days <= 0) throw std::runtime_error("test CA: valid_days must be positive");
    const auto ca_files = test_ca_paths(dir);
    const auto ca = read_cert(ca_files.ca_cert);
    const auto ca_key = read_key(ca_files.ca_key);
    const auto k = make_key(opts.key);
    const auto cert = issue_server_cert(k.get(), opts.key, opts.hosts, ca.get(), ca_key.get(), opts.valid_days,
                                        opts.valid_from_days);
    client_cert_files out{.cert = dir / (std::string(name) + ".crt"), .key = dir / (std::string(name) + ".key")};
    write_cert(out.cert, cert.get());
    write_key(out.key, k.get());
    return out;
}

struct device_issuer::impl {
    x509_ptr ca;
    pkey_ptr key;
};

device_issuer::device_issuer(const fs::path& ca_cert, const fs::path& ca_key) : impl_(std::make_unique<impl>()) {
    impl_->ca = read_cert(ca_cert);
    impl_->key = read_key(ca_key);
    if (X509_check_private_key(impl_->ca.get(), impl_->key.get()) != 1)
        fail("the key " + ca_key.string() + " does not belong to " + ca_cert.string());
    if (X509_check_ca(impl_->ca.get()) == 0) fail(ca_cert.string() + " is not a CA certificate (basicConstraints CA:TRUE)");
}

device_issuer::~device_issuer() = default;

namespace {
std::string pem_of(int (*write)(BIO*, void*), void* obj, const char* what) {
    bio_ptr b{BIO_new(BIO_s_mem())};
    if (!b || !write(b.get(), obj)) fail(what);
    char* data = nullptr;
    const long n = BIO_get_mem_data(b.get(), &data);
    return std::string(data, n > 0 ? static_cast<std::size_t>(n) : 0);
}
}  // namespace

issued_certificate device_issuer::issue(std::string_view common_name, key_kind key, int valid_days) const {
    if (common_name.empty() || common_name.size() > 64)
        throw std::runtime_error("test CA: a common name must be 1-64 characters, not '" + std::string(common_name) + "'");
    if (valid_days <= 0) throw std::runtime_error("test CA: valid_days must be positive");
    const auto k = make_key(key);
    auto cert = new_cert(k.get(), std::string(common_name), valid_days);
    X509* ca = impl_->ca.get();
    add_ext(cert.get(), ca, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(cert.get(), ca, NID_key_usage, key_usage(key));
    add_ext(cert.get(), ca, NID_ext_key_usage, "clientAuth");
    add_ext(cert.get(), ca, NID_authority_key_identifier, "keyid:always");
    sign(cert.get(), ca, impl_->key.get());
    issued_certificate out;
    out.cert_pem = pem_of([](BIO* b, void* x) { return PEM_write_bio_X509(b, static_cast<X509*>(x)); }, cert.get(),
                          "PEM certificate");
    out.key_pem = pem_of(
        [](BIO* b, void* p) {
            return PEM_write_bio_PrivateKey(b, static_cast<EVP_PKEY*>(p), nullptr, nullptr, 0, nullptr, nullptr);
        },
        k.get(), "PEM key");
    return out;
}

client_cert_files write_device_files(const fs::path& dir, std::string_view name, const issued_certificate& c) {
    if (!is_plain_file_name(name))
        throw std::runtime_error("test CA: device name '" + std::string(name) +
                                 "' must be a plain file name ([A-Za-z0-9._-], not starting with '.', at most 64)");
    client_cert_files out{.cert = dir / (std::string(name) + ".crt"), .key = dir / (std::string(name) + ".key")};
    auto write = [](const fs::path& p, const std::string& text, bool secret) {
        auto b = open_for_write(p, secret);
        if (BIO_write(b.get(), text.data(), static_cast<int>(text.size())) != static_cast<int>(text.size()))
            fail("write " + p.string());
    };
    write(out.cert, c.cert_pem, false);
    write(out.key, c.key_pem, true);
    return out;
}

}  // namespace wv::tls
