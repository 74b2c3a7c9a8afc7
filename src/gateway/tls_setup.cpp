#include "gateway/tls_setup.hpp"

#include <filesystem>
#include <mutex>
#include <stdexcept>

#include "tls/test_ca.hpp"

namespace wv::gate {
namespace {

// Several listeners may share one generated CA; generate it once per process and directory.
std::mutex ca_mutex;

certificate_paths ensure_generated_ca(const gateway_config& cfg, event_log& log) {
    std::lock_guard lock(ca_mutex);
    const auto paths = tls::test_ca_paths(cfg.generated_ca_dir);
    namespace fs = std::filesystem;
    bool present = fs::exists(paths.ca_cert) && fs::exists(paths.server_cert) && fs::exists(paths.server_key);
    if (!present) {
        tls::test_ca_options o;
        o.ca_name = "wvgate local CA";
        o.hosts = {"localhost", "127.0.0.1"};
        if (cfg.endpoint_host != "localhost") o.hosts.insert(o.hosts.begin(), cfg.endpoint_host);
        tls::make_test_ca(cfg.generated_ca_dir, o);
    }
    log.emit(log_level::info,
             {{"eventType", "Listener"}, {"status", "Success"},
              {"details", std::string(present ? "using the local CA in " : "generated a local CA in ") +
                              fs::absolute(cfg.generated_ca_dir).string() + ": give devices " +
                              fs::absolute(paths.ca_cert).string() + " as their CA file"}});
    return {paths.ca_cert, paths.server_cert, paths.server_key};
}

}  // namespace

tls::alpn_decision aws_443_alpn(const tls::alpn_offer& offer) {
    for (const auto want : {std::string_view("mqtt"), std::string_view("x-amzn-mqtt-ca"), std::string_view("x-amzn-http-ca")})
        for (const auto p : offer.protocols)
            if (p == want) return tls::alpn_decision::select(p);
    // 443 without ALPN is HTTP (MQTT over WebSocket, HTTPS publish with custom auth or SigV4):
    // no ALPN extension, or http/1.1 among the offers (curl and browsers offer h2 first).
    if (offer.protocols.empty()) return tls::alpn_decision::none();
    for (const auto p : offer.protocols)
        if (p == "http/1.1") return tls::alpn_decision::select(p);
    return tls::alpn_decision::refuse();
}

server_tls make_server_context(const gateway_config& cfg, const listener_config& l, event_log& log) {
    server_tls out;
    if (l.cert_file.empty() != l.key_file.empty())
        throw std::runtime_error("listener " + l.name + ": give both cert and key, or neither (to generate them)");
    if (l.cert_file.empty()) {
        out.paths = ensure_generated_ca(cfg, log);
    } else {
        out.paths = {l.client_ca_file, l.cert_file, l.key_file};
    }
    tls::server_options o;
    o.cert_file = out.paths.server_cert;
    o.key_file = out.paths.server_key;
    o.client_ca_file = l.client_ca_file.empty() ? out.paths.ca_cert : l.client_ca_file;
    // AWS's X.509 endpoints complete the handshake whatever signed the certificate and judge it
    // at CONNECT (README "X.509 devices"): the certificate directory decides, not this file.
    o.client_cert_any_issuer = true;
    switch (l.kind) {
        case listener_kind::aws_443:
            o.alpn = {"mqtt", "x-amzn-mqtt-ca", "x-amzn-http-ca", "http/1.1"};
            o.alpn_select = aws_443_alpn;
            o.client_cert = o.client_ca_file.empty() ? tls::client_cert_mode::none : tls::client_cert_mode::request;
            break;
        case listener_kind::aws_8883:
            o.alpn = {"mqtt"};
            o.require_alpn = false;
            o.client_cert = tls::client_cert_mode::require;
            if (o.client_ca_file.empty())
                throw std::runtime_error("listener " + l.name + ": aws-8883 needs client_ca (the CA of device certificates)");
            break;
        case listener_kind::aws_8443:
            // HTTPS only; a client offering http/1.1 (curl does) gets it, one offering nothing is fine.
            o.alpn = {"http/1.1"};
            o.require_alpn = false;
            o.client_cert = tls::client_cert_mode::require;
            if (o.client_ca_file.empty())
                throw std::runtime_error("listener " + l.name + ": aws-8443 needs client_ca (the CA of device certificates)");
            break;
        case listener_kind::plain: break;
    }
    try {
        out.context = std::make_unique<tls::server_context>(std::move(o));
    } catch (const std::exception& e) {
        throw std::runtime_error("listener " + l.name + ": " + e.what());
    }
    return out;
}

}  // namespace wv::gate
