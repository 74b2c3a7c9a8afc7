// stream's life after OpenSSL (stream.hpp: keep_traffic_secrets, detach_openssl): the key log
// and BIO hooks that prepare it, and the read, write and close paths over record_layer.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <span>
#include <tuple>

#include <openssl/bio.h>
#include <openssl/ssl.h>

#include "tls/own_tls.hpp"
#include "tls/stream.hpp"
#include "util/hex.hpp"

namespace wv::tls {

namespace detail {

int own_tls_index() {
    static const int idx = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return idx;
}

long watch_own_bio(BIO* b, int oper, const char* argp, std::size_t len, int, long, int ret, std::size_t* processed) {
    auto* o = reinterpret_cast<own_tls*>(BIO_get_callback_arg(b));
    if (!o) return ret;
    const bool moved = ret > 0 && processed && argp;
    if (oper == (BIO_CB_READ | BIO_CB_RETURN)) {
        if (o->drained) *o->drained = ret > 0 && processed && *processed < len;
        if (moved && o->cap && o->cap->counting) o->cap->read.feed(reinterpret_cast<const unsigned char*>(argp), *processed);
    } else if (oper == (BIO_CB_WRITE | BIO_CB_RETURN)) {
        if (moved && o->cap && o->cap->counting) o->cap->written.feed(reinterpret_cast<const unsigned char*>(argp), *processed);
    }
    return ret;
}

// NSS key log lines: "<LABEL> <client random hex> <secret hex>".
void note_traffic_secret(const SSL* ssl, const char* line) {
    auto* o = static_cast<own_tls*>(SSL_get_ex_data(ssl, own_tls_index()));
    if (!o || !o->cap) return;
    constexpr std::string_view client = "CLIENT_TRAFFIC_SECRET_0 ", server = "SERVER_TRAFFIC_SECRET_0 ";
    const std::string_view l(line);
    const bool is_client = l.starts_with(client), is_server = l.starts_with(server);
    if (!is_client && !is_server) return;
    const auto space = l.find(' ', client.size());
    if (space == std::string_view::npos) return;
    const auto secret = util::hex_decode(l.substr(space + 1));
    if (!secret || secret->size() > record_layer::max_secret) return;
    auto& c = *o->cap;
    auto& into = is_client ? c.client_secret : c.server_secret;
    std::copy(secret->begin(), secret->end(), reinterpret_cast<char*>(into.data()));
    (is_client ? c.client_len : c.server_len) = static_cast<std::uint8_t>(secret->size());
}

}  // namespace detail

namespace {

// Where detached reads land and writes are sealed: per thread, so that an idle connection keeps
// no buffer (only a partial record or a full socket leaves bytes with the stream).
std::span<std::byte> detached_read_scratch() {
    thread_local std::array<std::byte, record_layer::max_record> buf;
    return buf;
}
std::vector<std::byte>& detached_seal_scratch() {
    thread_local std::vector<std::byte> buf;
    return buf;
}

// Writes what the socket takes of `bytes` now: how many (EAGAIN is not an error), or the error.
std::tuple<std::error_code, std::size_t> write_what_fits(int fd, std::span<const std::byte> bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            return {std::error_code(errno, std::system_category()), done};
        }
        done += static_cast<std::size_t>(w);
    }
    return {std::error_code{}, done};
}

}  // namespace

bool stream::detached() const noexcept { return own_ && own_->records; }

void stream::keep_traffic_secrets() {
    if (!ssl_ || role_ != role::client || own_) return;
    own_ = std::make_unique<detail::own_tls>();
    own_->cap = std::make_unique<detail::own_tls::capture>();
    own_->drained = nullptr;  // main's stream_bio keeps the short-read note itself
    SSL_set_ex_data(ssl_, detail::own_tls_index(), own_.get());
}

bool stream::detach_openssl() noexcept {
    if (!ssl_ || !own_ || !own_->cap || !sock_.is_open()) return false;
    auto& c = *own_->cap;
    if (!c.usable || !c.counting || !c.client_len || !c.server_len || !c.read.at_boundary() || !c.written.at_boundary() ||
        SSL_version(ssl_) != TLS1_3_VERSION || SSL_has_pending(ssl_) || SSL_want(ssl_) == SSL_WRITING)
        return false;
    const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl_);
    if (!cipher) return false;
    try {
        auto records = record_layer::create(SSL_CIPHER_get_protocol_id(cipher),
                                            std::span<const std::uint8_t>(c.server_secret.data(), c.server_len),
                                            std::span<const std::uint8_t>(c.client_secret.data(), c.client_len),
                                            c.read.records, c.written.records);
        if (!records) return false;
        own_->sni = std::string(sni());
        own_->alpn = std::string(alpn());
        own_->subject = peer_subject();
        own_->resumed = session_resumed();
        own_->records = std::move(records);
    } catch (const std::exception&) {
        return false;
    }
    own_->cap.reset();
    own_->drained = nullptr;
    // Not a failed connection: SSL_free must not mark its session unresumable (nor take the
    // context's lock to look for it in a cache). The socket BIO does not own the descriptor.
    SSL_set_shutdown(ssl_, SSL_SENT_SHUTDOWN);
    SSL_free(ssl_);
    ssl_ = nullptr;
    drained_ = false;
    return true;
}

std::tuple<std::error_code, std::size_t> stream::read_detached(std::span<std::byte> buf, wait_for& need) {
    auto& o = *own_;
    auto& rl = *o.records;
    // Application data opened earlier that the caller had no room for.
    if (o.plain_offset < o.plain.size()) {
        const std::size_t n = std::min(buf.size(), o.plain.size() - o.plain_offset);
        std::memcpy(buf.data(), o.plain.data() + o.plain_offset, n);
        o.plain_offset += n;
        if (o.plain_offset == o.plain.size()) {
            std::vector<std::byte>().swap(o.plain);
            o.plain_offset = 0;
        }
        return {std::error_code{}, n};
    }
    std::size_t got = 0;
    // Opens the whole records at the front of `src` (advancing it) while the caller has room.
    auto take = [&](std::span<std::byte>& src) -> std::error_code {
        while (!o.eof) {
            std::error_code ec;
            const std::size_t len = rl.record_length(src, ec);
            if (ec) return ec;
            if (len == 0 || src.size() < len) return {};
            const std::size_t most = len - record_layer::header_bytes - 17;  // tag + content type
            if (got > 0 && buf.size() - got < most) return {};                // the next read takes it
            auto r = rl.open(src.first(len));
            src = src.subspan(len);
            if (r.ec) return r.ec;
            if (r.type == content_type::application_data) {
                const std::size_t n = std::min(r.plain.size(), buf.size() - got);
                std::memcpy(buf.data() + got, r.plain.data(), n);
                got += n;
                if (n < r.plain.size()) {
                    o.plain.assign(r.plain.begin() + static_cast<std::ptrdiff_t>(n), r.plain.end());
                    o.plain_offset = 0;
                    return {};
                }
            } else if (r.type == content_type::handshake) {
                if (auto hec = rl.post_handshake(r.plain, o.out)) return hec;
            } else if (auto aec = rl.on_alert(r.plain)) {
                if (aec != tls_errc::closed) return aec;
                o.eof = true;
            }
        }
        return {};
    };
    auto failed = [&](std::error_code ec) -> std::tuple<std::error_code, std::size_t> {
        detail_ = rl.detail();
        return {ec, 0};
    };
    for (;;) {
        if (!o.in.empty()) {
            std::span<std::byte> src(o.in);
            if (auto ec = take(src)) return failed(ec);
            o.in.erase(o.in.begin(), o.in.end() - static_cast<std::ptrdiff_t>(src.size()));
            if (o.in.empty()) std::vector<std::byte>().swap(o.in);
        }
        if (!o.out.empty() && o.accepted == 0) {  // a KeyUpdate answer: send it along now if the socket takes it
            bool blocked = false;
            if (auto ec = flush_detached(blocked)) return {ec, 0};
        }
        if (got > 0 || o.plain_offset < o.plain.size()) return {std::error_code{}, got};
        if (o.eof) return {tls_errc::closed, 0};
        if (drained_) {  // the last read(2) emptied the socket: waiting beats a read that says EAGAIN
            drained_ = false;
            need = wait_for::read;
            return {std::make_error_code(std::errc::operation_would_block), 0};
        }
        const auto scratch = detached_read_scratch();
        const ssize_t r = ::read(sock_.native_handle(), scratch.data(), scratch.size());
        if (r < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                need = wait_for::read;
                return {std::make_error_code(std::errc::operation_would_block), 0};
            }
            if (errno == EINTR) continue;
            return {std::error_code(errno, std::system_category()), 0};
        }
        if (r == 0) {
            detail_ = "unexpected eof while reading";
            return {tls_errc::truncated, 0};
        }
        drained_ = static_cast<std::size_t>(r) < scratch.size();
        if (o.in.empty()) {  // the common case: opened where it landed, only a tail is kept
            std::span<std::byte> src = scratch.first(static_cast<std::size_t>(r));
            if (auto ec = take(src)) return failed(ec);
            if (!src.empty()) o.in.assign(src.begin(), src.end());
        } else {
            o.in.insert(o.in.end(), scratch.begin(), scratch.begin() + r);
        }
    }
}

std::error_code stream::flush_detached(bool& blocked) {
    auto& out = own_->out;
    const auto [ec, done] = write_what_fits(sock_.native_handle(), out);
    if (ec) return ec;
    out.erase(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(done));
    blocked = !out.empty();
    if (!blocked) std::vector<std::byte>().swap(out);
    return {};
}

std::tuple<std::error_code, std::size_t> stream::write_detached(std::span<const std::byte> buf, wait_for& need) {
    auto& o = *own_;
    const auto would_block = std::make_error_code(std::errc::operation_would_block);
    if (o.accepted == 0) {
        // Sealed where they are written: a per-thread buffer, or after bytes already waiting.
        auto& sealed = o.out.empty() ? detached_seal_scratch() : o.out;
        if (&sealed != &o.out) sealed.clear();
        if (auto ec = o.records->seal(buf, content_type::application_data, sealed)) {
            detail_ = o.records->detail();
            return {ec, 0};
        }
        if (&sealed != &o.out) {
            const auto [ec, done] = write_what_fits(sock_.native_handle(), sealed);
            if (ec) return {ec, 0};
            if (done == sealed.size()) return {std::error_code{}, buf.size()};
            o.out.assign(sealed.begin() + static_cast<std::ptrdiff_t>(done), sealed.end());
            o.accepted = buf.size();
            need = wait_for::write;
            return {would_block, 0};
        }
        o.accepted = buf.size();
    }
    // The records of this write are sealed (sequence numbers spent): the retry only sends them,
    // as OpenSSL's write retry does with the same bytes.
    bool blocked = false;
    if (auto ec = flush_detached(blocked)) return {ec, 0};
    if (blocked) {
        need = wait_for::write;
        return {would_block, 0};
    }
    return {std::error_code{}, std::exchange(o.accepted, 0)};
}

void stream::seal_close_notify() noexcept {
    const std::byte alert[] = {std::byte{1}, std::byte{SSL_AD_CLOSE_NOTIFY}};  // warning, close_notify
    try {
        (void)own_->records->seal(alert, content_type::alert, own_->out);
    } catch (const std::exception&) {
    }
}

}  // namespace wv::tls
