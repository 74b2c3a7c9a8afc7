#include "tls/stream.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tls/client_context.hpp"
#include "tls/openssl_util.hpp"
#include "tls/own_tls.hpp"
#include "tls/server_context.hpp"

namespace wv::tls {
namespace {

constexpr auto tok = asio::as_tuple(asio::use_awaitable);

std::error_code to_std(const boost::system::error_code& ec) {
    if (ec == asio::error::eof) return tls_errc::closed;
    return ec;  // boost::system converts to std::error_code (ECONNRESET, ECANCELED, ...)
}

bool is_verify_failure(int reason) { return reason == SSL_R_CERTIFICATE_VERIFY_FAILED; }

// The socket BIO of a stream with read-ahead: read(2) and write(2) on the descriptor as OpenSSL's
// socket BIO does them (the same retry and end-of-file flags), plus a note of whether the last
// read(2) returned fewer bytes than OpenSSL asked for. With read-ahead, OpenSSL asks for a whole
// buffer's worth, so a short read means the socket's receive queue was empty at that moment (see
// read_now). Not OpenSSL's socket BIO with a callback, as before: OpenSSL 3.0 calls a BIO's
// callback around every BIO_ctrl too (13 per PUBLISH -> PUBACK on the gateway: kTLS queries and
// the like), which cost ~1,800 instructions per message, a tenth of wvgate's user-space
// instructions then (callgrind over bench_gateway's publish phase). A second note says that a
// handshake message came in (a post-handshake one once connected: NewSessionTicket, KeyUpdate),
// which is when OpenSSL's state machine may have left record buffers behind (read_now). Both
// notes and the descriptor live in the BIO's data pointer ((fd << 2) | handshake << 1 | short),
// so nothing points into the stream, which moves.
namespace stream_bio {

constexpr std::intptr_t short_read_bit = 1;
constexpr std::intptr_t handshake_bit = 2;

std::intptr_t packed(BIO* b) { return reinterpret_cast<std::intptr_t>(BIO_get_data(b)); }
void set_packed(BIO* b, std::intptr_t v) { BIO_set_data(b, reinterpret_cast<void*>(v)); }
int descriptor(BIO* b) { return static_cast<int>(packed(b) >> 2); }
bool last_read_short(BIO* b) { return (packed(b) & short_read_bit) != 0; }
void note_short_read(BIO* b, bool short_read) {
    set_packed(b, (packed(b) & ~short_read_bit) | (short_read ? short_read_bit : 0));
}
// True once since the last call if a handshake message came in.
bool take_handshake_note(BIO* b) {
    const auto v = packed(b);
    if (!(v & handshake_bit)) return false;
    set_packed(b, v & ~handshake_bit);
    return true;
}

int read(BIO* b, char* out, int len) {
    if (!out) return 0;
    errno = 0;
    const int r = static_cast<int>(::read(descriptor(b), out, static_cast<std::size_t>(len)));
    BIO_clear_retry_flags(b);
    if (r <= 0) {
        if (BIO_sock_should_retry(r)) BIO_set_retry_read(b);
        else if (r == 0) BIO_set_flags(b, BIO_FLAGS_IN_EOF);
    }
    note_short_read(b, r > 0 && r < len);
    return r;
}

int write(BIO* b, const char* in, int len) {
    errno = 0;
    const int r = static_cast<int>(::write(descriptor(b), in, static_cast<std::size_t>(len)));
    BIO_clear_retry_flags(b);
    if (r <= 0 && BIO_sock_should_retry(r)) BIO_set_retry_write(b);
    return r;
}

long ctrl(BIO* b, int cmd, long num, void* ptr) {
    switch (cmd) {
        case BIO_C_GET_FD:
            if (!BIO_get_init(b)) return -1;
            if (ptr) *static_cast<int*>(ptr) = descriptor(b);
            return descriptor(b);
        case BIO_CTRL_GET_CLOSE: return BIO_get_shutdown(b);
        case BIO_CTRL_SET_CLOSE: BIO_set_shutdown(b, static_cast<int>(num)); return 1;
        case BIO_CTRL_DUP:
        case BIO_CTRL_FLUSH: return 1;
        case BIO_CTRL_EOF: return BIO_test_flags(b, BIO_FLAGS_IN_EOF) != 0;
        default: return 0;  // no kTLS, nothing pending: what OpenSSL's socket BIO answers here
    }
}

int type_of_ours = 0;  // set with the method

BIO_METHOD* method() {
    static BIO_METHOD* const m = [] {
        const int index = BIO_get_new_index();
        if (index == -1) return static_cast<BIO_METHOD*>(nullptr);
        type_of_ours = index | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR;
        BIO_METHOD* bm = BIO_meth_new(type_of_ours, "wv tls::stream socket");
        if (bm && (!BIO_meth_set_read(bm, read) || !BIO_meth_set_write(bm, write) || !BIO_meth_set_ctrl(bm, ctrl))) {
            BIO_meth_free(bm);
            bm = nullptr;
        }
        return bm;
    }();
    return m;
}

// OpenSSL's message callback (SSL_set_msg_callback): notes a handshake message read.
void note_handshake(int write_p, int, int content_type, const void*, size_t, SSL* ssl, void*) {
    if (write_p || content_type != SSL3_RT_HANDSHAKE) return;
    if (BIO* b = SSL_get_rbio(ssl); b && BIO_method_type(b) == type_of_ours) set_packed(b, packed(b) | handshake_bit);
}

// (method() first: its one-time initialisation is what publishes type_of_ours to this thread.)
bool is_ours(BIO* b) { return b && method() && BIO_method_type(b) == type_of_ours; }

// A BIO on `fd` that leaves the descriptor open (Asio owns it); null if OpenSSL could not make one.
BIO* make(int fd) {
    BIO_METHOD* m = method();
    BIO* b = m ? BIO_new(m) : nullptr;
    if (!b) return nullptr;
    set_packed(b, static_cast<std::intptr_t>(fd) << 2);
    BIO_set_shutdown(b, BIO_NOCLOSE);
    BIO_set_init(b, 1);
    return b;
}

}  // namespace stream_bio

// OpenSSL wants the thread's error queue empty before an SSL_* I/O call, or SSL_get_error()
// takes a stale entry for this call's failure. ERR_clear_error() empties all 16 slots whether
// or not they hold anything (~100 free() calls, 0.27 us each time with OpenSSL 3.0 here, twice
// per message); looking first costs 0.04 us, and the queue is nearly always empty already.
// Equivalent for SSL_get_error(), which decides on ERR_peek_error() itself.
void clear_stale_ssl_errors() noexcept {
    if (ERR_peek_error() != 0) ERR_clear_error();
}

}  // namespace

stream::stream(const asio::any_io_executor& ex) : sock_(ex) {}

stream::stream(tcp::socket sock) : sock_(std::move(sock)) { prepare_socket(); }

stream::stream(tcp::socket sock, const client_context& ctx, std::string_view host)
    : sock_(std::move(sock)), ssl_(ctx.new_ssl(std::string(host))), client_ctx_(&ctx), role_(role::client) {
    if (!ssl_) detail_ = "SSL_new failed";
    prepare_socket();
}

stream::stream(tcp::socket sock, const server_context& ctx)
    : sock_(std::move(sock)), ssl_(ctx.new_ssl()), role_(role::server) {
    if (!ssl_) detail_ = "SSL_new failed";
    prepare_socket();
}

stream::stream(stream&& o) noexcept
    : sock_(std::move(o.sock_)), ssl_(std::exchange(o.ssl_, nullptr)), client_ctx_(o.client_ctx_), own_(std::move(o.own_)),
      detail_(o.detail_),
      openssl_error_(o.openssl_error_), role_(o.role_), drained_(o.drained_) {
    watch_reads();
}

stream& stream::operator=(stream&& o) noexcept {
    if (this != &o) {
        free_ssl();
        boost::system::error_code ignored;
        sock_.close(ignored);
        sock_ = std::move(o.sock_);
        ssl_ = std::exchange(o.ssl_, nullptr);
        client_ctx_ = o.client_ctx_;
        own_ = std::move(o.own_);
        detail_ = o.detail_;
        openssl_error_ = o.openssl_error_;
        role_ = o.role_;
        drained_ = o.drained_;
        watch_reads();
    }
    return *this;
}

stream::~stream() { free_ssl(); }

void stream::free_ssl() noexcept {
    if (ssl_) SSL_free(ssl_);
    ssl_ = nullptr;
}

// Gives the SSL object our socket BIO (stream_bio above), once the socket is there and before
// OpenSSL's default one is set (drive_handshake calls this first; a move finds the BIO in place).
// Only with read-ahead (our client and server contexts turn it on): without it OpenSSL reads
// exactly a record header, then exactly its body, so a short read says nothing useful, and
// SSL_set_fd's socket BIO does.
void stream::watch_reads() noexcept {
    if (!ssl_) return;
    if (!SSL_get_rbio(ssl_) && sock_.is_open() && SSL_get_read_ahead(ssl_))
        if (BIO* b = stream_bio::make(sock_.native_handle())) {
            SSL_set_bio(ssl_, b, b);
            SSL_set_msg_callback(ssl_, stream_bio::note_handshake);
        }
    if (own_ && own_->cap) {  // keep_traffic_secrets: the records OpenSSL reads and writes are counted
        if (BIO* b = SSL_get_rbio(ssl_)) {
            BIO_set_callback_ex(b, detail::watch_own_bio);
            BIO_set_callback_arg(b, reinterpret_cast<char*>(own_.get()));
        }
    }
}

void stream::prepare_socket() noexcept {
    // OpenSSL's socket BIO writes with write(2), so a peer that has gone away raises SIGPIPE,
    // whose default action kills the whole process: the gateway with every connection, or a
    // fleet. Every user of a stream wants EPIPE as an error value instead.
    static const bool sigpipe_ignored = [] { return std::signal(SIGPIPE, SIG_IGN) != SIG_ERR; }();
    (void)sigpipe_ignored;
    if (!sock_.is_open()) return;
    boost::system::error_code ignored;
    sock_.set_option(tcp::no_delay(true), ignored);
    sock_.non_blocking(true, ignored);
}

void stream::renew_registration() noexcept {
    if (!sock_.is_open()) return;
    boost::system::error_code ec;
    const auto protocol = sock_.local_endpoint(ec).protocol();
    if (ec) return;
    const auto fd = sock_.release(ec);  // EPOLL_CTL_DEL; the descriptor stays open
    if (ec) return;
    sock_.assign(protocol, fd, ec);     // EPOLL_CTL_ADD: read events only until a write waits
    if (ec) {
        ::close(fd);
        return;
    }
    sock_.non_blocking(true, ec);       // Asio's own flag went with the old registration
}

bool stream::move_to(const asio::any_io_executor& ex) noexcept {
    if (!sock_.is_open()) return false;
    boost::system::error_code ec;
    const auto protocol = sock_.local_endpoint(ec).protocol();
    if (ec) return false;
    const auto fd = sock_.release(ec);  // EPOLL_CTL_DEL from this reactor; the descriptor stays open
    if (ec) return false;
    tcp::socket moved(ex);
    moved.assign(protocol, fd, ec);     // EPOLL_CTL_ADD to ex's
    if (ec) {
        ::close(fd);
        return false;
    }
    moved.non_blocking(true, ec);
    sock_ = std::move(moved);
    return true;
}

void stream::quick_ack() noexcept {
    if (!sock_.is_open()) return;
    const int one = 1;
    ::setsockopt(sock_.native_handle(), IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}

void stream::close() noexcept {
    boost::system::error_code ignored;
    sock_.close(ignored);
}

void stream::abort() noexcept {
    if (!sock_.is_open()) return;
    boost::system::error_code ignored;
    sock_.set_option(asio::socket_base::linger(true, 0), ignored);
    sock_.close(ignored);
}

// Maps a failed SSL_* call (SSL_get_error(ssl_, ret) not WANT_*) to an error code, and sets
// detail_ to OpenSSL's static text.
std::error_code stream::ssl_failure(int ret, bool in_handshake) {
    const int err = SSL_get_error(ssl_, ret);
    const unsigned long e = ERR_peek_last_error();
    const int saved_errno = errno;
    ERR_clear_error();
    openssl_error_ = e;
    switch (err) {
        case SSL_ERROR_ZERO_RETURN: return tls_errc::closed;
        case SSL_ERROR_SYSCALL:
            if (e == 0 && saved_errno != 0) return {saved_errno, std::system_category()};
            detail_ = "connection closed without close_notify";
            return tls_errc::truncated;
        case SSL_ERROR_SSL: break;
        default: detail_ = "unexpected SSL_get_error"; return tls_errc::ssl_error;
    }
    const int reason = ERR_GET_REASON(e);
    detail_ = ERR_reason_error_string(e);
    if (detail::alpn_refused(ssl_)) {
        detail_ = "no application protocol";
        return tls_errc::no_alpn_agreed;
    }
    if (is_verify_failure(reason)) {
        const long v = SSL_get_verify_result(ssl_);
        detail_ = X509_verify_cert_error_string(v);
        if (v == X509_V_ERR_HOSTNAME_MISMATCH || v == X509_V_ERR_IP_ADDRESS_MISMATCH) return tls_errc::hostname_mismatch;
        return tls_errc::verify_failed;
    }
    // Alerts from the peer surface as reasons SSL_AD_REASON_OFFSET + alert description.
    if (reason > SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256) {
        const int alert = reason - SSL_AD_REASON_OFFSET;
        detail_ = SSL_alert_desc_string_long(alert);
        switch (alert) {
            case SSL_AD_NO_APPLICATION_PROTOCOL: return tls_errc::no_alpn_agreed;
            case SSL_AD_CERTIFICATE_REQUIRED: return tls_errc::peer_certificate_required;
            case SSL_AD_PROTOCOL_VERSION: return tls_errc::version_mismatch;
            default: return tls_errc::alert_received;
        }
    }
    switch (reason) {
        case SSL_R_NO_APPLICATION_PROTOCOL: return tls_errc::no_alpn_agreed;
        case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE: return tls_errc::peer_certificate_required;
        case SSL_R_UNSUPPORTED_PROTOCOL:
        case SSL_R_UNKNOWN_PROTOCOL:  // fallthrough: also "not TLS at all" on some inputs
            return in_handshake && reason == SSL_R_UNSUPPORTED_PROTOCOL ? tls_errc::version_mismatch : tls_errc::protocol_error;
        case SSL_R_UNEXPECTED_EOF_WHILE_READING: return tls_errc::truncated;
        case SSL_R_WRONG_VERSION_NUMBER:
        case SSL_R_HTTP_REQUEST:
        case SSL_R_HTTPS_PROXY_REQUEST:
        case SSL_R_PACKET_LENGTH_TOO_LONG:
        case SSL_R_RECORD_LENGTH_MISMATCH:
        case SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC:
        case SSL_R_UNEXPECTED_MESSAGE:
        case SSL_R_UNEXPECTED_RECORD:
        case SSL_R_LENGTH_MISMATCH:
        case SSL_R_BAD_PACKET_LENGTH: return tls_errc::protocol_error;
        default: return tls_errc::ssl_error;
    }
}

asio::awaitable<std::error_code> stream::drive_handshake() {
    watch_reads();
    if (SSL_get_fd(ssl_) < 0 && !SSL_set_fd(ssl_, sock_.native_handle())) {
        detail_ = "SSL_set_fd failed";
        co_return tls_errc::ssl_error;
    }
    if (role_ == role::client && client_ctx_) client_ctx_->offer_session(ssl_);  // keyed by the peer address
    for (;;) {
        clear_stale_ssl_errors();
        const int r = SSL_do_handshake(ssl_);
        if (r == 1) {
            if (own_ && own_->cap) {  // records count from here; bytes OpenSSL already holds would be uncounted
                own_->cap->counting = true;
                BIO* b = SSL_get_rbio(ssl_);
                own_->cap->usable = !SSL_has_pending(ssl_) && b && BIO_get_callback_ex(b) == detail::watch_own_bio;
            }
            SSL_free_buffers(ssl_);  // the handshake's last flight may leave a 16 KiB buffer behind
            co_return std::error_code{};
        }
        const int err = SSL_get_error(ssl_, r);
        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
            auto [ec] = co_await sock_.async_wait(err == SSL_ERROR_WANT_READ ? tcp::socket::wait_read : tcp::socket::wait_write, tok);
            if (ec) co_return to_std(ec);
            continue;
        }
        co_return ssl_failure(r, true);
    }
}

asio::awaitable<std::error_code> stream::async_handshake(std::chrono::milliseconds timeout) {
    using namespace asio::experimental::awaitable_operators;
    if (!sock_.is_open()) co_return tls_errc::not_connected;
    prepare_socket();
    // A TLS stream whose SSL_new failed has no SSL but a detail: fail rather than go plain.
    if (!ssl_) co_return detail_ ? std::error_code(tls_errc::ssl_error) : std::error_code{};
    detail_ = nullptr;
    asio::steady_timer timer(sock_.get_executor(), timeout);
    auto r = co_await (drive_handshake() || timer.async_wait(tok));
    if (r.index() == 1) {
        detail_ = "handshake deadline passed";
        co_return tls_errc::handshake_timeout;
    }
    co_return std::get<0>(r);
}

std::tuple<std::error_code, std::size_t> stream::read_now(std::span<std::byte> buf, wait_for& need) {
    const auto would_block = std::make_error_code(std::errc::operation_would_block);
    if (!sock_.is_open()) return {tls_errc::not_connected, 0};
    if (detached()) return read_detached(buf, need);
    if (!ssl_) {
        boost::system::error_code ec;
        const std::size_t n = sock_.read_some(asio::buffer(buf.data(), buf.size()), ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) {
            need = wait_for::read;
            return {would_block, 0};
        }
        return {to_std(ec), n};
    }
    if (drained_ && !SSL_has_pending(ssl_)) {
        // The last read(2) emptied the socket and OpenSSL holds nothing: another SSL_read would
        // only cost a read(2) that fails with EAGAIN. Wait instead; Asio's wait re-arms the
        // descriptor (EPOLL_CTL_MOD), which reports data that arrived since at once.
        // Only our BIO notes short reads, so the BIO is ours here. OpenSSL released the read
        // buffer when we took the last record (SSL_MODE_RELEASE_BUFFERS) and the write buffer
        // after our last write; only a handshake message (a NewSessionTicket or KeyUpdate that
        // came with the data) may have left buffers behind: SSL_free_buffers() then, not on
        // every message (it costs ~670 instructions, 3% of a PUBLISH -> PUBACK).
        drained_ = false;
        BIO* b = SSL_get_rbio(ssl_);
        stream_bio::note_short_read(b, false);
        if (stream_bio::take_handshake_note(b)) SSL_free_buffers(ssl_);
        need = wait_for::read;
        return {would_block, 0};
    }
    clear_stale_ssl_errors();
    std::size_t n = 0;
    const int r = SSL_read_ex(ssl_, buf.data(), buf.size(), &n);
    if (BIO* b = SSL_get_rbio(ssl_); stream_bio::is_ours(b)) drained_ = stream_bio::last_read_short(b);
    if (r == 1) return {std::error_code{}, n};
    drained_ = false;
    const int err = SSL_get_error(ssl_, r);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        // About to go idle. A post-handshake message (a TLS 1.3 NewSessionTicket) runs
        // OpenSSL's state machine, which sets up a 16 KiB write buffer that RELEASE_BUFFERS
        // frees only after our next write: on an idle device that is never. Free both record
        // buffers now; OpenSSL declines while a record is partly read or written.
        if (err == SSL_ERROR_WANT_READ) SSL_free_buffers(ssl_);
        need = err == SSL_ERROR_WANT_READ ? wait_for::read : wait_for::write;
        return {would_block, 0};
    }
    return {ssl_failure(r, false), 0};
}

bool stream::has_buffered_input() const {
    if (detached()) return !own_->in.empty() || own_->plain_offset < own_->plain.size();
    return ssl_ && SSL_has_pending(ssl_) == 1;
}

asio::awaitable<std::error_code> stream::async_wait_ready(wait_for need) {
    auto [ec] = co_await sock_.async_wait(need == wait_for::read ? tcp::socket::wait_read : tcp::socket::wait_write, tok);
    co_return to_std(ec);
}

asio::awaitable<std::tuple<std::error_code, std::size_t>> stream::async_read_some(std::span<std::byte> buf) {
    for (;;) {
        wait_for need = wait_for::read;
        auto [ec, n] = read_now(buf, need);
        if (ec != std::errc::operation_would_block) co_return std::tuple{ec, n};
        if (auto wec = co_await async_wait_ready(need)) co_return std::tuple{wec, std::size_t{0}};
    }
}

std::tuple<std::error_code, std::size_t> stream::write_now(std::span<const std::byte> buf, wait_for& need) {
    const auto would_block = std::make_error_code(std::errc::operation_would_block);
    if (!sock_.is_open()) return {tls_errc::not_connected, 0};
    if (buf.empty()) return {std::error_code{}, 0};
    if (detached()) return write_detached(buf, need);
    if (!ssl_) {
        boost::system::error_code ec;
        const std::size_t n = sock_.write_some(asio::buffer(buf.data(), buf.size()), ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) {
            need = wait_for::write;
            return {would_block, 0};
        }
        return {to_std(ec), n};
    }
    // Not here: sizing the record buffer to the write (SSL_set_max_send_fragment, commit 6900257,
    // ~160 of ~19,400 instructions per PUBLISH -> PUBACK): with it, the detached client streams
    // of test_tls_detached_stream stall against an OpenSSL server whose writes use it, not
    // understood before the session ended. Put it back with that test passing.
    clear_stale_ssl_errors();
    std::size_t n = 0;
    const int r = SSL_write_ex(ssl_, buf.data(), buf.size(), &n);
    if (r == 1) return {std::error_code{}, n};
    const int err = SSL_get_error(ssl_, r);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        need = err == SSL_ERROR_WANT_READ ? wait_for::read : wait_for::write;
        return {would_block, 0};
    }
    return {ssl_failure(r, false), 0};
}

asio::awaitable<std::error_code> stream::async_write(std::span<const std::byte> buf) {
    while (!buf.empty()) {
        wait_for need = wait_for::write;
        auto [ec, n] = write_now(buf, need);
        if (ec == std::errc::operation_would_block) {
            if (auto wec = co_await async_wait_ready(need)) co_return wec;
            continue;
        }
        if (ec) co_return ec;
        buf = buf.subspan(n);
    }
    co_return std::error_code{};
}

void stream::shutdown_now() noexcept {
    if (!sock_.is_open()) return;
    if (detached()) {
        seal_close_notify();
        bool blocked = false;
        (void)flush_detached(blocked);  // one attempt, as SSL_shutdown's below
    } else if (ssl_ && SSL_is_init_finished(ssl_)) {
        ERR_clear_error();
        (void)SSL_shutdown(ssl_);  // queues and tries to send close_notify; not waiting for theirs
        ERR_clear_error();
    }
    boost::system::error_code ignored;
    sock_.shutdown(tcp::socket::shutdown_send, ignored);
    sock_.close(ignored);
}

asio::awaitable<std::error_code> stream::async_shutdown(std::chrono::milliseconds timeout) {
    if (!sock_.is_open()) co_return std::error_code{};
    std::error_code result;
    if (detached()) {
        using namespace asio::experimental::awaitable_operators;
        seal_close_notify();
        auto send_close_notify = [this]() -> asio::awaitable<std::error_code> {
            for (;;) {
                bool blocked = false;
                if (auto ec = flush_detached(blocked); ec || !blocked) co_return ec;
                auto [ec] = co_await sock_.async_wait(tcp::socket::wait_write, tok);
                if (ec) co_return to_std(ec);
            }
        };
        asio::steady_timer timer(sock_.get_executor(), timeout);
        auto r = co_await (send_close_notify() || timer.async_wait(tok));
        result = r.index() == 1 ? std::error_code(tls_errc::shutdown_timeout) : std::get<0>(r);
    } else if (ssl_ && SSL_is_init_finished(ssl_)) {
        using namespace asio::experimental::awaitable_operators;
        auto send_close_notify = [this]() -> asio::awaitable<std::error_code> {
            for (;;) {
                ERR_clear_error();
                const int r = SSL_shutdown(ssl_);
                if (r >= 0) co_return std::error_code{};  // 0: ours sent, theirs not awaited
                const int err = SSL_get_error(ssl_, r);
                if (err != SSL_ERROR_WANT_WRITE && err != SSL_ERROR_WANT_READ) co_return ssl_failure(r, false);
                auto [ec] = co_await sock_.async_wait(err == SSL_ERROR_WANT_READ ? tcp::socket::wait_read : tcp::socket::wait_write, tok);
                if (ec) co_return to_std(ec);
            }
        };
        asio::steady_timer timer(sock_.get_executor(), timeout);
        auto r = co_await (send_close_notify() || timer.async_wait(tok));
        result = r.index() == 1 ? std::error_code(tls_errc::shutdown_timeout) : std::get<0>(r);
    }
    boost::system::error_code ignored;
    sock_.shutdown(tcp::socket::shutdown_send, ignored);
    sock_.close(ignored);
    co_return result;
}

std::string_view stream::sni() const {
    if (detached()) return own_->sni;
    if (!ssl_) return {};
    const char* s = SSL_get_servername(ssl_, TLSEXT_NAMETYPE_host_name);
    return s ? s : "";
}

std::string_view stream::alpn() const {
    if (detached()) return own_->alpn;
    if (!ssl_) return {};
    const unsigned char* p = nullptr;
    unsigned n = 0;
    SSL_get0_alpn_selected(ssl_, &p, &n);
    return p ? std::string_view(reinterpret_cast<const char*>(p), n) : std::string_view{};
}

std::string_view stream::protocol_version() const {
    if (detached()) return "TLSv1.3";
    return ssl_ ? SSL_get_version(ssl_) : "TCP";
}

std::string_view stream::cipher() const {
    if (detached()) return own_->records->cipher_name();
    if (!ssl_) return {};
    const char* c = SSL_get_cipher_name(ssl_);
    return c ? c : "";
}

bool stream::session_resumed() const {
    if (detached()) return own_->resumed;
    return ssl_ && SSL_session_reused(ssl_) == 1;
}

std::string stream::peer_subject() const {
    if (detached()) return own_->subject;
    if (!ssl_) return {};
    X509* cert = SSL_get0_peer_certificate(ssl_);
    if (!cert) return {};
    BIO* bio = BIO_new(BIO_s_mem());
    if (!bio) return {};
    X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    std::string out(data, n > 0 ? static_cast<std::size_t>(n) : 0);
    BIO_free(bio);
    return out;
}

}  // namespace wv::tls
