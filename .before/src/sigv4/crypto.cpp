#include "sigv4/crypto.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

#include "util/hex.hpp"

namespace wv::sigv4 {

std::string sha256_hex(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("sigv4: EVP_Digest(SHA-256) failed");
    std::string raw(reinterpret_cast<const char*>(md), len);
    return util::hex_encode(std::string_view(raw));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &len))
        throw std::runtime_error("sigv4: HMAC-SHA256 failed");
    return std::string(reinterpret_cast<const char*>(md), len);
}

}  // namespace wv::sigv4
