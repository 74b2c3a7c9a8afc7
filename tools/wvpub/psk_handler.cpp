#include "psk_handler.hpp"

#include <cstring>

#include "util/hex.hpp"

namespace wv::wvpub {

mqtt::ssl_options::psk_handler make_psk_handler(std::string identity, std::string hex_key) {
    return [identity = std::move(identity), key = util::hex_decode(hex_key)](
               const std::string&, char* id_out, std::size_t max_id, unsigned char* psk_out,
               std::size_t max_psk) -> unsigned {
        if (!key || key->empty() || key->size() > max_psk || identity.size() + 1 > max_id) return 0;
        std::memcpy(id_out, identity.c_str(), identity.size() + 1);
        std::memcpy(psk_out, key->data(), key->size());
        return static_cast<unsigned>(key->size());
    };
}

}  // namespace wv::wvpub
