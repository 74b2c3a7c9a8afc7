#include "registry/model.hpp"

#include <array>
#include <chrono>
#include <cstdio>

#include <openssl/rand.h>

#include "util/hex.hpp"

namespace wv::registry {

std::string account::arn(std::string_view kind, std::string_view name) const {
    std::string s = "arn:aws:iot:" + region + ":" + id + ":";
    s += kind;
    s += '/';
    s += name;
    return s;
}

namespace {
constexpr std::array<std::string_view, 6> status_names{"ACTIVE", "INACTIVE", "REVOKED", "PENDING_TRANSFER",
                                                       "REGISTER_INACTIVE", "PENDING_ACTIVATION"};
}

std::string_view to_string(cert_status s) { return status_names[static_cast<std::size_t>(s)]; }

std::optional<cert_status> parse_cert_status(std::string_view s) {
    for (std::size_t i = 0; i < status_names.size(); ++i)
        if (status_names[i] == s) return static_cast<cert_status>(i);
    return std::nullopt;
}

const policy_version* policy::find_version(std::string_view vid) const {
    for (const auto& v : versions)
        if (v.id == vid) return &v;
    return nullptr;
}

double now_seconds() {
    using namespace std::chrono;
    // Milliseconds, as AWS's timestamps carry: a round trip through SQLite and JSON stays exact.
    return static_cast<double>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count()) / 1000.0;
}

std::string new_hex(std::size_t bytes) {
    std::string raw(bytes, '\0');
    RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(raw.size()));
    return util::hex_encode(std::string_view(raw));
}

std::string new_uuid() {
    unsigned char b[16];
    RAND_bytes(b, sizeof b);
    b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
    b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
    char out[37];
    std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                  b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    return out;
}

}  // namespace wv::registry
