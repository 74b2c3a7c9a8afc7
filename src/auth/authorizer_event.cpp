#include "auth/authorizer_event.hpp"

#include <array>
#include <cstdio>
#include <random>

#include <openssl/rand.h>

#include "util/base64.hpp"

namespace wv::auth {

nlohmann::json make_authorizer_event(const connect_info& c, const event_options& o) {
    // nlohmann::ordered_json would keep AWS's key order, but Lambdas read keys, never order;
    // the sorted object is what every consumer here (tests, wvauthz --json) compares.
    nlohmann::json ev = nlohmann::json::object();
    if (o.token) ev["token"] = *o.token;
    ev["signatureVerified"] = o.signature_verified;
    nlohmann::json protocols = nlohmann::json::array({"tls"});
    if (c.http) protocols.push_back("http");
    if (c.mqtt) protocols.push_back("mqtt");
    ev["protocols"] = std::move(protocols);
    nlohmann::json pd = nlohmann::json::object();
    if (c.server_name) pd["tls"] = {{"serverName", *c.server_name}};
    if (c.http) {
        nlohmann::json headers = nlohmann::json::object();
        for (const auto& [name, value] : c.http->headers) {
            auto& slot = headers[name];
            slot = slot.is_string() ? slot.get<std::string>() + "," + value : value;
        }
        pd["http"] = {{"headers", std::move(headers)}, {"queryString", c.http->query_string}};
    }
    if (c.mqtt) {
        nlohmann::json mqtt = nlohmann::json::object();
        if (c.username) mqtt["username"] = *c.username;
        if (c.password) mqtt["password"] = util::base64_encode(*c.password);
        if (c.client_id && !c.client_id->empty()) mqtt["clientId"] = *c.client_id;
        pd["mqtt"] = std::move(mqtt);
    }
    ev["protocolData"] = std::move(pd);
    ev["connectionMetadata"] = {{"id", c.connection_id}};
    return ev;
}

std::string make_authorizer_event_json(const connect_info& c, const event_options& o) {
    // `replace` keeps invalid UTF-8 in a user name from throwing: per-connection paths never throw.
    return make_authorizer_event(c, o).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string make_connection_id() {
    std::array<unsigned char, 16> b{};
    if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) {
        // OpenSSL's RNG does not fail once seeded; this fallback only keeps ids unique-ish.
        thread_local std::mt19937_64 gen{std::random_device{}()};
        for (auto& x : b) x = static_cast<unsigned char>(gen());
    }
    b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
    b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
    char out[37];
    std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                  b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    return out;
}

}  // namespace wv::auth
