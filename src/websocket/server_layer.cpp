#include "websocket/server_layer.hpp"

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>

namespace wv::websocket {

struct server_layer::pending {
    http::request_parser<http::empty_body> parser;
    std::string head;                 // bytes of the request read so far
    mqtt::byte_buffer early;          // bytes after the request (frames sent before our 101)
};

server_layer::server_layer(net::protocol_machine& inner, server_options o, clock::time_point now, upgrade_judge* judge)
    : layer(inner, {.require_mask = true, .max_payload_bytes = o.max_frame_bytes}, o.handshake_timeout, now),
      opts_(std::move(o)),
      judge_(judge),
      p_(std::make_unique<pending>()) {
    p_->parser.header_limit(static_cast<std::uint32_t>(opts_.max_header_bytes));
}

server_layer::~server_layer() = default;

const http::request_header<>* server_layer::request() const noexcept {
    return p_ && p_->parser.is_header_done() ? &p_->parser.get().base() : nullptr;
}

std::span<const std::byte> server_layer::on_handshake_bytes(std::span<const std::byte> in, clock::time_point now,
                                                            net::effects& fx) {
    auto& p = *p_;
    if (judging_ || p.parser.is_header_done()) {  // bytes behind the request: keep them for after the 101
        p.early.insert(p.early.end(), in.begin(), in.end());
        if (p.early.size() > opts_.max_frame_bytes) refuse(400, "data before the WebSocket handshake finished", "InvalidRequestException", now, fx);
        return {};
    }
    p.head.append(mqtt::as_chars(in));
    boost::beast::error_code ec;
    const auto used = p.parser.put(boost::asio::buffer(p.head), ec);
    if (ec == http::error::need_more) {
        p.head.erase(0, used);
        if (p.head.size() > opts_.max_header_bytes)
            refuse(400, "request headers exceed " + std::to_string(opts_.max_header_bytes) + " bytes",
                   "InvalidRequestException", now, fx);
        return {};
    }
    if (ec) {
        refuse(400, ec == http::error::header_limit
                        ? "request headers exceed " + std::to_string(opts_.max_header_bytes) + " bytes"
                        : "malformed HTTP request: " + ec.message(),
               "InvalidRequestException", now, fx);
        return {};
    }
    // The header is whole: what follows it is frames.
    const auto rest = mqtt::as_bytes(std::string_view(p.head).substr(used));
    p.early.assign(rest.begin(), rest.end());
    std::string().swap(p.head);
    const auto verdict = check_upgrade(p.parser.get().base(), opts_.path);
    if (verdict.status != 101) {
        refuse(verdict.status, verdict.message, verdict.error_type, now, fx);
        return {};
    }
    if (judge_) {
        judging_ = true;
        judge_->judge(p.parser.get().base(), now);  // may answer at once (accept/refuse inside)
        return {};
    }
    accept(now, fx);
    return {};
}

void server_layer::accept(clock::time_point now, net::effects& fx) {
    if (current() != state::handshake || !p_) return;
    judging_ = false;
    const auto key = p_->parser.get().base()[http::field::sec_websocket_key];
    const auto answer = switching_protocols(std::string_view(key.data(), key.size()));
    fx.send.insert(fx.send.end(), reinterpret_cast<const std::byte*>(answer.data()),
                   reinterpret_cast<const std::byte*>(answer.data() + answer.size()));
    auto early = std::move(p_->early);
    p_.reset();  // the parser and the request are not needed any more
    open(fx);
    if (!early.empty()) on_bytes(early, now, fx);
}

void server_layer::refuse(unsigned status, std::string_view message, std::string_view error_type,
                          clock::time_point now, net::effects& fx) {
    if (current() != state::handshake) return;
    judging_ = false;
    refused_status_ = status;
    const auto answer = refusal(status, message, error_type);
    fx.send.insert(fx.send.end(), reinterpret_cast<const std::byte*>(answer.data()),
                   reinterpret_cast<const std::byte*>(answer.data() + answer.size()));
    fail(net::ending::close_after_flush, make_error_code(ws_errc::handshake_refused), now, fx);
}

}  // namespace wv::websocket
