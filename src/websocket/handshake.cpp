#include "websocket/handshake.hpp"

#include <array>

#include <boost/beast/http/rfc7230.hpp>
#include <openssl/evp.h>

#include "websocket/ws_errc.hpp"

namespace wv::websocket {

namespace {

constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

std::string_view sv(boost::beast::string_view s) noexcept { return {s.data(), s.size()}; }

bool iequal(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

std::string_view reason_phrase(unsigned status) noexcept {
    switch (status) {
    case 101: return "Switching Protocols";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 426: return "Upgrade Required";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
    }
}

// JSON string escaping for the refusal body (quotes, backslashes, control characters).
std::string json_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            static constexpr char hex[] = "0123456789abcdef";
            out += "\\u00";
            out += hex[(c >> 4) & 0xF];
            out += hex[c & 0xF];
        } else {
            out += c;
        }
    }
    return out;
}

upgrade_verdict bad_request(std::string message) { return {400, std::move(message), "InvalidRequestException"}; }

}  // namespace

std::string sec_websocket_accept(std::string_view key) {
    std::string in(key);
    in += guid;
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int n = 0;
    EVP_Digest(in.data(), in.size(), digest.data(), &n, EVP_sha1(), nullptr);
    std::array<unsigned char, 32> b64{};  // 4 * ceil(20 / 3) + NUL = 29
    const int len = EVP_EncodeBlock(b64.data(), digest.data(), static_cast<int>(n));
    return {reinterpret_cast<const char*>(b64.data()), static_cast<std::size_t>(len)};
}

bool is_valid_key(std::string_view key) noexcept {
    if (key.size() != 24 || key.substr(22) != "==") return false;
    for (std::size_t i = 0; i < 22; ++i) {
        const char c = key[i];
        const bool b64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
        if (!b64) return false;
    }
    // The 22nd character carries 2 bits of the 16th byte and 4 zero bits.
    return std::string_view("AQgw").find(key[21]) != std::string_view::npos;
}

bool has_token(const http::fields& h, http::field name, std::string_view token) noexcept {
    for (auto it = h.find(name); it != h.end() && it->name() == name; ++it)
        for (const auto& t : http::token_list(it->value()))
            if (iequal(sv(t), token)) return true;
    return false;
}

bool asks_for_websocket(const http::fields& h) noexcept { return has_token(h, http::field::upgrade, "websocket"); }

upgrade_verdict check_upgrade(const http::request_header<>& req, std::string_view path) {
    if (req.method() != http::verb::get) return {405, "WebSocket upgrade needs GET", "MethodNotAllowedException"};
    if (req.version() != 11) return bad_request("WebSocket upgrade needs HTTP/1.1");
    const auto target = sv(req.target());
    if (target.substr(0, target.find('?')) != path)
        return {404, "no WebSocket endpoint at " + std::string(target.substr(0, target.find('?'))) + " (use " +
                         std::string(path) + ")",
                "ResourceNotFoundException"};
    if (!asks_for_websocket(req)) return bad_request("Upgrade: websocket missing");
    if (!has_token(req, http::field::connection, "upgrade")) return bad_request("Connection: Upgrade missing");
    if (req.find(http::field::sec_websocket_version) == req.end() ||
        sv(req[http::field::sec_websocket_version]) != "13")
        return {426, "Sec-WebSocket-Version must be 13", "UpgradeRequiredException"};
    if (!is_valid_key(sv(req[http::field::sec_websocket_key])))
        return bad_request("Sec-WebSocket-Key must be the base64 of 16 bytes");
    if (!has_token(req, http::field::sec_websocket_protocol, "mqtt"))
        return bad_request("Sec-WebSocket-Protocol: mqtt missing");
    if (req.find(http::field::content_length) != req.end() && sv(req[http::field::content_length]) != "0")
        return bad_request("a WebSocket upgrade request has no body");
    if (req.find(http::field::transfer_encoding) != req.end()) return bad_request("a WebSocket upgrade request has no body");
    return {};
}

std::string switching_protocols(std::string_view key) {
    std::string out = "HTTP/1.1 101 Switching Protocols\r\ncontent-length: 0\r\nupgrade: websocket\r\n"
                      "connection: upgrade\r\nsec-websocket-accept: ";
    out += sec_websocket_accept(key);
    out += "\r\nsec-websocket-protocol: mqtt\r\n\r\n";
    return out;
}

std::string refusal(unsigned status, std::string_view message, std::string_view error_type) {
    const std::string body = "{\"message\":\"" + json_escape(message) + "\"}";
    std::string out = "HTTP/1.1 " + std::to_string(status) + ' ' + std::string(reason_phrase(status)) + "\r\n";
    out += "content-type: application/json\r\ncontent-length: " + std::to_string(body.size()) + "\r\n";
    if (!error_type.empty()) out += "x-amzn-ErrorType: " + std::string(error_type) + ":\r\n";
    if (status == 426) out += "sec-websocket-version: 13\r\n";
    out += "connection: close\r\n\r\n";
    out += body;
    return out;
}

std::string upgrade_request(std::string_view host, std::string_view target, std::string_view key,
                            std::string_view extra_headers) {
    std::string out;
    out.reserve(200 + target.size() + extra_headers.size());
    out += "GET ";
    out += target;
    out += " HTTP/1.1\r\nHost: ";
    out += host;
    out += "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ";
    out += key;
    out += "\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n";
    out += extra_headers;
    out += "\r\n";
    return out;
}

std::error_code check_switching_protocols(const http::response_header<>& res, std::string_view key) {
    if (res.result_int() != 101) return make_error_code(ws_errc::handshake_refused);
    if (!has_token(res, http::field::upgrade, "websocket") || !has_token(res, http::field::connection, "upgrade"))
        return make_error_code(ws_errc::handshake_malformed);
    if (sv(res[http::field::sec_websocket_accept]) != sec_websocket_accept(key))
        return make_error_code(ws_errc::bad_accept);
    if (!has_token(res, http::field::sec_websocket_protocol, "mqtt"))
        return make_error_code(ws_errc::subprotocol_missing);
    return {};
}

}  // namespace wv::websocket
