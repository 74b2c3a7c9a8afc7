#include "websocket/client_layer.hpp"

#include <array>
#include <cstring>

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace wv::websocket {

namespace {

// splitmix64 over a per-thread state seeded once from RAND_bytes.
std::uint64_t next_random() noexcept {
    thread_local std::uint64_t state = [] {
        std::uint64_t s = 0;
        if (RAND_bytes(reinterpret_cast<unsigned char*>(&s), sizeof s) != 1)
            s = static_cast<std::uint64_t>(clock::now().time_since_epoch().count());
        return s;
    }();
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

}  // namespace

std::string make_key() {
    std::array<unsigned char, 16> raw{};
    const auto a = next_random(), b = next_random();
    std::memcpy(raw.data(), &a, 8);
    std::memcpy(raw.data() + 8, &b, 8);
    std::array<unsigned char, 32> out{};
    const int n = EVP_EncodeBlock(out.data(), raw.data(), static_cast<int>(raw.size()));
    return {reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(n)};
}

struct client_layer::pending {
    std::string key;
    http::response_parser<http::empty_body> parser;
    std::string head;
};

client_layer::client_layer(net::protocol_machine& inner, client_options o, clock::time_point now)
    : layer(inner, {.require_mask = false, .max_payload_bytes = o.max_frame_bytes}, o.handshake_timeout, now),
      opts_(std::move(o)),
      p_(std::make_unique<pending>()) {
    p_->parser.header_limit(static_cast<std::uint32_t>(opts_.max_header_bytes));
    p_->parser.skip(true);  // a 101 has no body; a refusal's body is not read
}

client_layer::~client_layer() = default;

std::optional<mask_key> client_layer::next_mask() {
    const auto r = next_random();
    mask_key k;
    std::memcpy(k.data(), &r, 4);
    return k;
}

void client_layer::begin(clock::time_point now, net::effects& fx) {
    (void)now;
    if (!p_ || !p_->key.empty()) return;
    p_->key = make_key();
    const auto req = upgrade_request(opts_.host, opts_.target, p_->key, opts_.extra_headers);
    fx.send.insert(fx.send.end(), reinterpret_cast<const std::byte*>(req.data()),
                   reinterpret_cast<const std::byte*>(req.data() + req.size()));
}

std::span<const std::byte> client_layer::on_handshake_bytes(std::span<const std::byte> in, clock::time_point now,
                                                            net::effects& fx) {
    auto& p = *p_;
    p.head.append(mqtt::as_chars(in));
    boost::beast::error_code ec;
    const auto used = p.parser.put(boost::asio::buffer(p.head), ec);
    if (ec == http::error::need_more && !p.parser.is_header_done()) {
        p.head.erase(0, used);
        if (p.head.size() <= opts_.max_header_bytes) return {};
        ec = http::error::header_limit;
    }
    if (!p.parser.is_header_done()) {
        fail(net::ending::close_now, make_error_code(ws_errc::handshake_malformed), now, fx);
        return {};
    }
    const auto& res = p.parser.get().base();
    if (const auto e = check_switching_protocols(res, p.key)) {
        if (e == ws_errc::handshake_refused) refused_status_ = res.result_int();
        fail(net::ending::close_now, e, now, fx);
        return {};
    }
    // Frames the server sent right behind its 101 are in head after the header.
    // This input completed the header, so the bytes after it are the end of `in`.
    const auto rest = p.head.size() - used;
    p_.reset();
    open(fx);
    return in.last(std::min(in.size(), rest));
}

}  // namespace wv::websocket
