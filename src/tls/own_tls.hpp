#pragma once
// Internal to src/tls: what a client stream keeps to leave OpenSSL after the handshake
// (stream::keep_traffic_secrets, stream::detach_openssl) and, once it has, its own TLS 1.3
// records (record_layer.hpp) with the bytes between the socket and them.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tls/record_layer.hpp"

typedef struct bio_st BIO;

namespace wv::tls::detail {

// Counts the whole TLS records in a byte stream cut anywhere: what OpenSSL's socket BIO read or
// wrote after the handshake, i.e. the sequence number the next record of that direction has.
struct record_counter {
    std::uint64_t records = 0;
    std::uint32_t body_left = 0;   // of the current record
    std::uint8_t header_seen = 0;  // bytes of the current record's header seen so far
    std::array<std::uint8_t, 5> header{};

    void feed(const unsigned char* p, std::size_t n) noexcept {
        while (n > 0) {
            if (body_left > 0) {
                const auto k = static_cast<std::uint32_t>(n < body_left ? n : body_left);
                body_left -= k;
                p += k;
                n -= k;
                if (body_left == 0) ++records;
                continue;
            }
            header[header_seen++] = *p++;
            --n;
            if (header_seen == header.size()) {
                header_seen = 0;
                body_left = static_cast<std::uint32_t>(header[3] << 8 | header[4]);
                if (body_left == 0) ++records;
            }
        }
    }
    bool at_boundary() const noexcept { return body_left == 0 && header_seen == 0; }
};

struct own_tls {
    // Until detach_openssl: the key log's secrets and the records since the handshake.
    struct capture {
        std::array<std::uint8_t, record_layer::max_secret> client_secret{}, server_secret{};
        std::uint8_t client_len = 0, server_len = 0;
        record_counter read, written;
        bool counting = false;  // the handshake is done: records count from here
        bool usable = true;     // false: OpenSSL read past the handshake before we counted
    };
    std::unique_ptr<capture> cap;
    bool* drained = nullptr;    // the stream's note that the last read(2) was short

    // After detach_openssl:
    std::unique_ptr<record_layer> records;
    std::vector<std::byte> in;     // received, not yet opened (a partial record, or records the caller had no room for)
    std::vector<std::byte> plain;  // opened application data the caller's buffer could not take
    std::size_t plain_offset = 0;
    std::vector<std::byte> out;    // sealed, not yet taken by the socket
    std::size_t accepted = 0;      // plaintext bytes of the write that `out` finishes (the retry's answer)
    bool eof = false;              // close_notify came (after the data before it is read)
    bool resumed = false;
    std::string sni, alpn, subject;
};

// The SSL ex_data slot that points at a stream's own_tls while it captures.
int own_tls_index();
// The socket BIO callback of a capturing stream: the short-read note (read-ahead) and the counts.
long watch_own_bio(BIO* b, int oper, const char* argp, std::size_t len, int argi, long argl, int ret,
                   std::size_t* processed);

}  // namespace wv::tls::detail
