#include "tls/record_layer.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/ssl.h>

namespace wv::tls {
namespace {

constexpr std::size_t tag_bytes = 16;
constexpr std::uint8_t outer_type = 23;  // every protected record says application_data (5.2)
constexpr std::uint8_t msg_new_session_ticket = 4, msg_key_update = 24;
constexpr std::size_t max_handshake_message = 64 * 1024;

struct suite_info {
    std::uint16_t id;
    const char* name;
    const char* cipher;  // OpenSSL's algorithm name
    const char* digest;
    std::uint8_t key_bytes, hash_bytes;
};

constexpr suite_info suites[] = {
    {0x1301, "TLS_AES_128_GCM_SHA256", "AES-128-GCM", "SHA256", 16, 32},
    {0x1302, "TLS_AES_256_GCM_SHA384", "AES-256-GCM", "SHA384", 32, 48},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256", "ChaCha20-Poly1305", "SHA256", 32, 32},
};

const suite_info* find_suite(std::uint16_t id) {
    for (const auto& s : suites)
        if (s.id == id) return &s;
    return nullptr;
}

// Fetched once per process: a fetch per connection costs a lookup and a reference each.
EVP_CIPHER* cipher_of(const suite_info& s) {
    static EVP_CIPHER* fetched[std::size(suites)] = {};
    static const bool once = [] {
        for (std::size_t i = 0; i < std::size(suites); ++i) fetched[i] = EVP_CIPHER_fetch(nullptr, suites[i].cipher, nullptr);
        return true;
    }();
    (void)once;
    return fetched[&s - suites];
}

EVP_KDF* hkdf() {
    static EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
    return kdf;
}

// HKDF-Expand-Label(secret, label, "", out.size()) (RFC 8446 7.1).
bool expand_label(const char* digest, std::span<const std::uint8_t> secret, const char* label, std::span<std::uint8_t> out) {
    std::string info;
    const std::string full = std::string("tls13 ") + label;
    info.push_back(static_cast<char>(out.size() >> 8));
    info.push_back(static_cast<char>(out.size() & 0xff));
    info.push_back(static_cast<char>(full.size()));
    info += full;
    info.push_back(0);  // empty context
    EVP_KDF_CTX* k = hkdf() ? EVP_KDF_CTX_new(hkdf()) : nullptr;
    if (!k) return false;
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(digest), 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<std::uint8_t*>(secret.data()), secret.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(), info.size()),
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
        OSSL_PARAM_construct_end(),
    };
    const bool ok = EVP_KDF_derive(k, out.data(), out.size(), params) == 1;
    EVP_KDF_CTX_free(k);
    return ok;
}

}  // namespace

std::unique_ptr<record_layer> record_layer::create(std::uint16_t cipher_suite, std::span<const std::uint8_t> read_secret,
                                                   std::span<const std::uint8_t> write_secret, std::uint64_t read_seq,
                                                   std::uint64_t write_seq) {
    const suite_info* s = find_suite(cipher_suite);
    if (!s || !cipher_of(*s) || read_secret.size() != s->hash_bytes || write_secret.size() != s->hash_bytes) return nullptr;
    std::unique_ptr<record_layer> rl(new record_layer());
    rl->suite_ = cipher_suite;
    rl->hash_bytes_ = s->hash_bytes;
    rl->key_bytes_ = s->key_bytes;
    std::copy(read_secret.begin(), read_secret.end(), rl->read_.secret.begin());
    std::copy(write_secret.begin(), write_secret.end(), rl->write_.secret.begin());
    if (!rl->set_keys(rl->read_, false) || !rl->set_keys(rl->write_, true)) return nullptr;
    rl->read_.seq = read_seq;
    rl->write_.seq = write_seq;
    return rl;
}

record_layer::~record_layer() {
    EVP_CIPHER_CTX_free(read_.ctx);
    EVP_CIPHER_CTX_free(write_.ctx);
    OPENSSL_cleanse(read_.secret.data(), read_.secret.size());
    OPENSSL_cleanse(write_.secret.data(), write_.secret.size());
}

const char* record_layer::cipher_name() const noexcept {
    const suite_info* s = find_suite(suite_);
    return s ? s->name : "";
}

// Key and IV from the direction's secret (7.3); the sequence number starts again at 0.
bool record_layer::set_keys(direction& d, bool sealing) {
    const suite_info& s = *find_suite(suite_);
    const std::span<const std::uint8_t> secret(d.secret.data(), hash_bytes_);
    std::array<std::uint8_t, 32> key{};
    if (!expand_label(s.digest, secret, "key", std::span(key.data(), key_bytes_)) ||
        !expand_label(s.digest, secret, "iv", d.iv))
        return false;
    if (!d.ctx && !(d.ctx = EVP_CIPHER_CTX_new())) return false;
    const bool ok = EVP_CipherInit_ex(d.ctx, cipher_of(s), nullptr, nullptr, nullptr, sealing ? 1 : 0) == 1 &&
                    EVP_CIPHER_CTX_ctrl(d.ctx, EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(d.iv.size()), nullptr) == 1 &&
                    EVP_CipherInit_ex(d.ctx, nullptr, nullptr, key.data(), nullptr, sealing ? 1 : 0) == 1;
    OPENSSL_cleanse(key.data(), key.size());
    d.seq = 0;
    return ok;
}

// application_traffic_secret_N+1 (7.2).
bool record_layer::next_secret(direction& d) {
    const suite_info& s = *find_suite(suite_);
    std::array<std::uint8_t, max_secret> next{};
    if (!expand_label(s.digest, std::span<const std::uint8_t>(d.secret.data(), hash_bytes_), "traffic upd",
                      std::span(next.data(), hash_bytes_)))
        return false;
    d.secret = next;
    OPENSSL_cleanse(next.data(), next.size());
    return true;
}

// The per-record nonce: the IV XOR the sequence number, big-endian, left-padded (5.3).
void record_layer::nonce(const direction& d, std::uint8_t* out) const {
    std::memcpy(out, d.iv.data(), d.iv.size());
    for (int i = 0; i < 8; ++i) out[d.iv.size() - 1 - i] ^= static_cast<std::uint8_t>(d.seq >> (8 * i));
}

std::error_code record_layer::fail(tls_errc e, const char* what) noexcept {
    detail_ = what;
    return e;
}

std::size_t record_layer::record_length(std::span<const std::byte> in, std::error_code& ec) const {
    if (in.size() < header_bytes) return 0;
    const auto* h = reinterpret_cast<const std::uint8_t*>(in.data());
    const std::size_t len = (std::size_t{h[3]} << 8) | h[4];
    if (h[0] != outer_type) {
        ec = tls_errc::protocol_error;  // an unprotected record after the handshake
        return 0;
    }
    if (len > max_record - header_bytes || len < tag_bytes + 1) {
        ec = tls_errc::protocol_error;  // record_overflow / too short to hold a content type
        return 0;
    }
    return header_bytes + len;
}

std::error_code record_layer::seal(std::span<const std::byte> plain, content_type type, std::vector<std::byte>& out) {
    do {
        const std::size_t n = std::min(plain.size(), max_plaintext);
        const std::size_t body = n + 1 + tag_bytes;
        const std::size_t at = out.size();
        out.resize(at + header_bytes + body);
        auto* p = reinterpret_cast<std::uint8_t*>(out.data() + at);
        const std::uint8_t header[header_bytes] = {outer_type, 3, 3, static_cast<std::uint8_t>(body >> 8),
                                                   static_cast<std::uint8_t>(body & 0xff)};
        std::memcpy(p, header, header_bytes);
        if (n) std::memcpy(p + header_bytes, plain.data(), n);
        p[header_bytes + n] = static_cast<std::uint8_t>(type);
        std::uint8_t iv[12];
        nonce(write_, iv);
        int len = 0, fin = 0;
        if (EVP_CipherInit_ex(write_.ctx, nullptr, nullptr, nullptr, iv, 1) != 1 ||
            EVP_CipherUpdate(write_.ctx, nullptr, &len, header, header_bytes) != 1 ||
            EVP_CipherUpdate(write_.ctx, p + header_bytes, &len, p + header_bytes, static_cast<int>(n + 1)) != 1 ||
            EVP_CipherFinal_ex(write_.ctx, p + header_bytes + len, &fin) != 1 ||
            EVP_CIPHER_CTX_ctrl(write_.ctx, EVP_CTRL_AEAD_GET_TAG, tag_bytes, p + header_bytes + n + 1) != 1) {
            out.resize(at);
            return fail(tls_errc::ssl_error, "record encryption failed");
        }
        ++write_.seq;
        plain = plain.subspan(n);
    } while (!plain.empty());
    return {};
}

record_layer::opened record_layer::open(std::span<std::byte> record) {
    opened r;
    auto* p = reinterpret_cast<std::uint8_t*>(record.data());
    const std::size_t body = record.size() - header_bytes;
    const std::size_t sealed = body - tag_bytes;
    std::uint8_t iv[12];
    nonce(read_, iv);
    int len = 0, fin = 0;
    if (EVP_CipherInit_ex(read_.ctx, nullptr, nullptr, nullptr, iv, 0) != 1 ||
        EVP_CIPHER_CTX_ctrl(read_.ctx, EVP_CTRL_AEAD_SET_TAG, tag_bytes, p + header_bytes + sealed) != 1 ||
        EVP_CipherUpdate(read_.ctx, nullptr, &len, p, header_bytes) != 1 ||
        EVP_CipherUpdate(read_.ctx, p + header_bytes, &len, p + header_bytes, static_cast<int>(sealed)) != 1 ||
        EVP_CipherFinal_ex(read_.ctx, p + header_bytes + len, &fin) != 1) {
        r.ec = fail(tls_errc::protocol_error, "decryption failed or bad record mac");
        return r;
    }
    ++read_.seq;
    // TLSInnerPlaintext: content, the real type, then zero padding (5.4).
    std::size_t end = sealed;
    while (end > 0 && p[header_bytes + end - 1] == 0) --end;
    if (end == 0 || end - 1 > max_plaintext) {
        r.ec = fail(tls_errc::protocol_error, end == 0 ? "unexpected message" : "record overflow");
        return r;
    }
    r.type = static_cast<content_type>(p[header_bytes + end - 1]);
    r.plain = record.subspan(header_bytes, end - 1);
    if (r.type != content_type::application_data && r.type != content_type::handshake && r.type != content_type::alert)
        r.ec = fail(tls_errc::protocol_error, "unexpected record");
    return r;
}

std::error_code record_layer::post_handshake(std::span<const std::byte> plain, std::vector<std::byte>& reply) {
    std::span<const std::byte> data = plain;
    std::vector<std::byte> joined;
    if (!partial_.empty()) {
        joined = std::move(partial_);
        partial_ = {};
        joined.insert(joined.end(), plain.begin(), plain.end());
        data = joined;
    }
    while (data.size() >= 4) {
        const auto* h = reinterpret_cast<const std::uint8_t*>(data.data());
        const std::size_t len = (std::size_t{h[1]} << 16) | (std::size_t{h[2]} << 8) | h[3];
        if (len > max_handshake_message) return fail(tls_errc::protocol_error, "excessive message size");
        if (data.size() < 4 + len) break;
        const auto body = data.subspan(4, len);
        data = data.subspan(4 + len);
        if (h[0] == msg_new_session_ticket) continue;  // see the header: not cached
        if (h[0] != msg_key_update) return fail(tls_errc::protocol_error, "unexpected message");
        const auto request = len == 1 ? std::to_integer<std::uint8_t>(body[0]) : 2;
        if (request > 1) return fail(tls_errc::protocol_error, "bad key update");
        // A KeyUpdate ends its record (5.1): what follows would be protected with the old key.
        if (!data.empty()) return fail(tls_errc::protocol_error, "not on record boundary");
        if (!next_secret(read_) || !set_keys(read_, false)) return fail(tls_errc::ssl_error, "key update failed");
        if (request == 1) {  // update_requested: ours, under the old write key, then the new one
            const std::byte ours[] = {std::byte{msg_key_update}, std::byte{0}, std::byte{0}, std::byte{1}, std::byte{0}};
            if (auto ec = seal(ours, content_type::handshake, reply)) return ec;
            if (!next_secret(write_) || !set_keys(write_, true)) return fail(tls_errc::ssl_error, "key update failed");
        }
    }
    if (!data.empty()) partial_.assign(data.begin(), data.end());
    return {};
}

std::error_code record_layer::on_alert(std::span<const std::byte> plain) {
    if (plain.size() != 2) return fail(tls_errc::protocol_error, "bad alert");
    const auto description = std::to_integer<int>(plain[1]);
    if (description == SSL_AD_CLOSE_NOTIFY) return tls_errc::closed;
    if (description == SSL_AD_USER_CANCELLED) return {};
    return fail(tls_errc::alert_received, SSL_alert_desc_string_long(description));
}

}  // namespace wv::tls
