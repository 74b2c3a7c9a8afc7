#pragma once
// A TCP connection, optionally carrying TLS, with a C++20 coroutine interface.
//
// TLS is OpenSSL driven directly on the socket (SSL_set_fd, non-blocking SSL_read/SSL_write,
// readiness from socket.async_wait), not asio::ssl::stream: that one keeps ~68 KiB of fixed
// buffers per connection, this one keeps none while idle (SSL_MODE_RELEASE_BUFFERS, plus
// SSL_free_buffers after the handshake and before every wait for input, since a TLS 1.3 session
// ticket otherwise leaves a 16 KiB write buffer on an idle client), which is what lets one
// process hold 10,000+ connections (../shared/spec/tls-connection-costs.md). Measured at 10,000
// idle TLS 1.3 connections (bench_tls_memory): ~16.4 KiB per server-side and ~21.7 KiB per
// client-side connection (RSS), of which OpenSSL's own objects are ~13.7 / ~18 KiB (its SSL
// struct alone is 7.4 KiB).
// A plain stream (no TLS) has the same interface, so plain listeners and tests share code.
//
//   wv::tls::stream s{std::move(sock), client_ctx, "localhost"};
//   if (auto ec = co_await s.async_handshake(5s)) { log(ec, s.error_detail()); co_return; }
//   auto [ec, n] = co_await s.async_read_some(buf);
//   ec = co_await s.async_write(bytes);
//
// Errors are values (std::error_code: tls_errc, or a system error such as ECONNRESET or, after
// cancellation, ECANCELED); no I/O member throws. Every socket gets TCP_NODELAY.
//
// Threading: one stream belongs to one executor; call it only from there. At most one read and
// one write may be in flight at a time (a reader and a writer coroutine may run concurrently).
// Do not move a stream while an operation is in flight. Operations honour Asio per-operation
// cancellation (e.g. awaitable operators `||`), which leaves a TLS stream unusable: close it.
#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <tuple>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "tls/tls_errc.hpp"

typedef struct ssl_st SSL;

namespace wv::tls {

namespace detail {
struct own_tls;  // a stream's own TLS 1.3 records (record_layer.hpp) and what it needs to start them
// The client contexts' key log callback (SSL_CTX_set_keylog_callback): keeps the TLS 1.3
// application traffic secrets of streams that asked (stream::keep_traffic_secrets), else nothing.
void note_traffic_secret(const SSL* ssl, const char* line);
}  // namespace detail

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class client_context;
class server_context;

enum class role { client, server };

class stream {
public:
    // A closed plain stream on `ex` (open it with socket().connect or tls::connect).
    explicit stream(const asio::any_io_executor& ex);
    // Plain TCP over a connected socket.
    explicit stream(tcp::socket sock);
    // TLS client: SNI = host (unless an IP literal), host-name check against it (unless the
    // context is insecure). The socket may still be unconnected; connect before the handshake.
    stream(tcp::socket sock, const client_context& ctx, std::string_view host);
    // TLS server over an accepted socket.
    stream(tcp::socket sock, const server_context& ctx);

    stream(stream&& other) noexcept;
    stream& operator=(stream&& other) noexcept;
    stream(const stream&) = delete;
    stream& operator=(const stream&) = delete;
    ~stream();

    bool is_tls() const { return ssl_ != nullptr || detached(); }
    bool is_open() const { return sock_.is_open(); }
    role side() const { return role_; }
    tcp::socket& socket() { return sock_; }
    asio::any_io_executor get_executor() { return sock_.get_executor(); }

    // The TLS handshake (client or server by construction), bounded by `timeout`.
    // Plain streams return success at once. On failure see error_detail().
    asio::awaitable<std::error_code> async_handshake(std::chrono::milliseconds timeout);

    // Reads what is available (at least one byte) into `buf`. tls_errc::closed on a clean close.
    // `buf` is written only synchronously, right before this returns (never while suspended),
    // so many streams on one thread may share one read buffer if each consumes what it got
    // before its next co_await: idle connections then hold no read buffer at all.
    asio::awaitable<std::tuple<std::error_code, std::size_t>> async_read_some(std::span<std::byte> buf);
    // One non-blocking read attempt that never suspends: bytes read, or
    // std::errc::operation_would_block with `need` set to what async_wait_ready() must wait
    // for. With read-ahead on (our client and server contexts), a would-block may come without a system call,
    // when the previous read(2) already emptied the socket: the wait that follows must be a
    // level-triggered readiness wait (async_wait_ready, socket().async_wait), not a guess. For loops that take a per-thread buffer only after each wake-up (executors with
    // several threads), so no buffer is tied to a suspended read.
    enum class wait_for { read, write };
    std::tuple<std::error_code, std::size_t> read_now(std::span<std::byte> buf, wait_for& need);
    asio::awaitable<std::error_code> async_wait_ready(wait_for need);

    // True when OpenSSL holds input not yet returned by a read (a partly read or still
    // undecrypted record); false for plain streams. After a read that returned less than the
    // buffer and with nothing held here, waiting for the socket at once is safe, and saves the
    // read attempt that would only say "would block" (a syscall and a record-buffer allocation).
    bool has_buffered_input() const;

    // One non-blocking write attempt that never suspends: bytes written (TLS: all of `buf` or
    // none), or std::errc::operation_would_block with `need` set. After would-block on TLS,
    // retry with the same bytes (OpenSSL's rule), once async_wait_ready(need) completes.
    std::tuple<std::error_code, std::size_t> write_now(std::span<const std::byte> buf, wait_for& need);

    // Writes all of `buf` (or fails).
    asio::awaitable<std::error_code> async_write(std::span<const std::byte> buf);

    // Graceful close: sends close_notify (TLS), shuts down the sending side and closes the
    // socket; does not wait for the peer's close_notify. Bounded by `timeout`.
    asio::awaitable<std::error_code> async_shutdown(std::chrono::milliseconds timeout);
    // One non-blocking close_notify attempt (TLS), then shutdown of the sending side and close;
    // never suspends. For callers that cannot await (a full send buffer skips close_notify).
    void shutdown_now() noexcept;
    // Closes the socket at once: the peer sees FIN without close_notify.
    void close() noexcept;
    // Closes with SO_LINGER 0: the peer sees RST (a "network failure", e.g. to fire a last will).
    void abort() noexcept;

    // Registers the socket with the reactor afresh (same descriptor, same TLS state). Asio
    // never drops EPOLLOUT from a descriptor once a write wait (the TCP connect, a handshake
    // flight) added it, and then every later read wait (EPOLL_CTL_MOD) also reports the
    // always-writable socket: one wasted wake-up per wait. Call with no operation pending.
    void renew_registration() noexcept;
    // The same, with the new registration on `ex`'s reactor: the stream belongs to `ex` from now
    // on (a connection handshaken on one thread and run on another). False if the descriptor
    // could not be registered there (the stream is then closed). Call with no operation pending.
    bool move_to(const asio::any_io_executor& ex) noexcept;

    // Sets TCP_QUICKACK (not sticky on Linux): ACK the peer's next segments at once instead of
    // delaying, so a server with Nagle on is not held ~40 ms waiting for our ACK. Call right
    // after writing a request whose answer you wait for (MQTT CONNECT).
    void quick_ack() noexcept;

    // After a successful handshake (empty / false for plain streams):
    std::string_view sni() const;            // server: the name the client asked for; client: what we sent
    std::string_view alpn() const;           // the negotiated protocol; empty: none
    std::string_view protocol_version() const;  // "TLSv1.3", "TLSv1.2"; "TCP" for plain
    std::string_view cipher() const;         // e.g. "TLS_AES_128_GCM_SHA256"
    bool session_resumed() const;
    std::string peer_subject() const;        // RFC 2253 subject of the peer certificate; empty: none

    // Leaving OpenSSL after the handshake (client, TLS 1.3). OpenSSL 3.0 keeps ~14 KiB per
    // connection that its API cannot release (the 7.8 KiB SSL struct, the handshake transcript,
    // both key shares, the session); a connected client needs only its two traffic keys.
    // keep_traffic_secrets() (before the handshake; tls::connect_options::detachable) has the
    // context's key log hand this stream its TLS 1.3 traffic secrets and counts the records
    // each way after the handshake; detach_openssl() then frees the SSL and seals and opens
    // records itself (record_layer.hpp): the same bytes on the wire, read_now/write_now/
    // shutdown as before, the accessors below answer from what was saved (native_handle()
    // becomes null). Call it with nothing queued (no write waiting to be retried). False, and
    // the stream stays on OpenSSL, when it cannot: not TLS 1.3, another cipher suite than the
    // three default ones, OpenSSL holding input, no secrets. NewSessionTickets that come after
    // it are skipped (the context caches those that came before: a server sends its tickets
    // right after the handshake); a KeyUpdate is answered as OpenSSL would.
    void keep_traffic_secrets();
    bool detach_openssl() noexcept;
    bool detached() const noexcept;

    // OpenSSL's static text for the last failure (X509 verify reason, alert name, OpenSSL
    // reason); empty when there is none.
    std::string_view error_detail() const { return detail_ ? detail_ : ""; }
    // OpenSSL's packed error code for that failure (ERR_error_string() prints it as
    // "error:0A000086:SSL routines::certificate verify failed"); 0 when OpenSSL queued none
    // (the peer hung up, or a system error).
    unsigned long openssl_error() const { return openssl_error_; }

    SSL* native_handle() const { return ssl_; }

private:
    asio::awaitable<std::error_code> drive_handshake();
    std::error_code ssl_failure(int ret, bool in_handshake);
    void prepare_socket() noexcept;
    void watch_reads() noexcept;
    void free_ssl() noexcept;
    std::tuple<std::error_code, std::size_t> read_detached(std::span<std::byte> buf, wait_for& need);
    std::tuple<std::error_code, std::size_t> write_detached(std::span<const std::byte> buf, wait_for& need);
    std::error_code flush_detached(bool& blocked);  // writes own_'s sealed bytes; blocked: the socket is full
    void seal_close_notify() noexcept;

    tcp::socket sock_;
    SSL* ssl_ = nullptr;
    const client_context* client_ctx_ = nullptr;  // for the session cache
    std::unique_ptr<detail::own_tls> own_;        // keep_traffic_secrets / detach_openssl
    const char* detail_ = nullptr;
    unsigned long openssl_error_ = 0;
    role role_ = role::client;
    bool drained_ = false;  // the last socket read was short (read-ahead only): see read_now
};

}  // namespace wv::tls
