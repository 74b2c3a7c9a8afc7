#pragma once
// TLS 1.3 record protection after the handshake (RFC 8446 5.2, 5.3, 7.1, 7.3, 4.6.3), without
// an SSL object: what lets a client stream leave OpenSSL once it is connected
// (stream::detach_openssl). OpenSSL 3.0 keeps ~14 KiB per connection that its API cannot release
// (its SSL struct alone is 7.8 KiB, the handshake transcript, both key shares, the session);
// records need only the two traffic keys, their IVs and sequence numbers (~2 KiB with OpenSSL's
// AEAD contexts).
//
//   auto rl = record_layer::create(0x1301, read_secret, write_secret, 3, 1);  // after 3 / 1 records
//   rl->seal(plain, content_type::application_data, out);      // header + ciphertext + tag
//   auto in = rl->open(record);                                // in place: type + plaintext
//   rl->post_handshake(in.plain, reply);                       // NewSessionTicket, KeyUpdate
//
// Pure: no I/O, no clock; the stream reads and writes the bytes. Supports the three cipher
// suites OpenSSL offers by default (TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384,
// TLS_CHACHA20_POLY1305_SHA256); create() returns null for others. Errors are tls_errc values
// with a static detail text (detail()).
//
// Threading: one connection's; no shared state.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <system_error>
#include <vector>

#include "tls/tls_errc.hpp"

typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;

namespace wv::tls {

enum class content_type : std::uint8_t { alert = 21, handshake = 22, application_data = 23 };

class record_layer {
public:
    static constexpr std::size_t header_bytes = 5;
    static constexpr std::size_t max_plaintext = 16384;                     // 2^14
    static constexpr std::size_t max_record = header_bytes + max_plaintext + 256;  // 2^14 + 256 body
    static constexpr std::size_t max_secret = 48;                           // SHA-384

    // cipher_suite: the IANA value (0x1301...). Secrets as the key log gives them
    // (CLIENT_/SERVER_TRAFFIC_SECRET_0); the sequence numbers are the records already
    // protected with them in each direction. Null for another suite or an OpenSSL failure.
    static std::unique_ptr<record_layer> create(std::uint16_t cipher_suite, std::span<const std::uint8_t> read_secret,
                                                std::span<const std::uint8_t> write_secret, std::uint64_t read_seq,
                                                std::uint64_t write_seq);
    ~record_layer();
    record_layer(const record_layer&) = delete;
    record_layer& operator=(const record_layer&) = delete;

    // The whole length of the record at the front of `in` (header included), 0 while its
    // header is incomplete (the caller reads on until it has that many bytes). Sets ec for a
    // record no TLS 1.3 peer sends after the handshake (another outer type, too long).
    std::size_t record_length(std::span<const std::byte> in, std::error_code& ec) const;

    // Seals `plain` (any length: one record per 16 KiB) as records of `type`, appended to out.
    std::error_code seal(std::span<const std::byte> plain, content_type type, std::vector<std::byte>& out);

    // Opens one whole record in place. On success `plain` views the content (inside the
    // record's bytes) and `type` says what it is.
    struct opened {
        std::error_code ec;
        content_type type = content_type::application_data;
        std::span<std::byte> plain{};
    };
    opened open(std::span<std::byte> record);

    // Handles the content of a handshake record after the handshake: NewSessionTicket
    // (skipped: tickets that come once the stream left OpenSSL are not cached), KeyUpdate
    // (new read keys; when the peer asks, our KeyUpdate sealed into `reply` and new write
    // keys). A message split over records is kept until it is whole. Anything else (a
    // post-handshake CertificateRequest: we never offered it) is a protocol error.
    std::error_code post_handshake(std::span<const std::byte> plain, std::vector<std::byte>& reply);

    // An alert's meaning: closed (close_notify), nothing (user_canceled, a warning), or
    // alert_received (detail(): its name).
    std::error_code on_alert(std::span<const std::byte> plain);

    // OpenSSL's static text for the last error; empty when there is none.
    const char* detail() const noexcept { return detail_; }
    const char* cipher_name() const noexcept;

private:
    struct direction {
        EVP_CIPHER_CTX* ctx = nullptr;
        std::array<std::uint8_t, max_secret> secret{};
        std::array<std::uint8_t, 12> iv{};
        std::uint64_t seq = 0;
    };
    record_layer() = default;
    bool set_keys(direction& d, bool sealing);
    bool next_secret(direction& d);
    void nonce(const direction& d, std::uint8_t* out) const;
    std::error_code fail(tls_errc e, const char* what) noexcept;

    direction read_, write_;
    std::vector<std::byte> partial_;  // a handshake message split over records (rare)
    const char* detail_ = nullptr;
    std::uint16_t suite_ = 0;
    std::uint8_t hash_bytes_ = 32, key_bytes_ = 16;
};

}  // namespace wv::tls
