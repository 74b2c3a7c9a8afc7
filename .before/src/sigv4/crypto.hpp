#pragma once
// The two primitives SigV4 needs, over OpenSSL 3's one-shot EVP calls.
// Pure functions: thread-safe, no allocation beyond the returned string.
#include <string>
#include <string_view>

namespace wv::sigv4 {

// SHA-256 of `data`, as 64 lowercase hex digits.
std::string sha256_hex(std::string_view data);

// HMAC-SHA256(key, data) as 32 raw bytes (SigV4 chains raw MACs into the next key).
std::string hmac_sha256(std::string_view key, std::string_view data);

}  // namespace wv::sigv4
