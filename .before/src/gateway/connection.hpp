#pragma once
// The I/O side of one device connection: a tls::stream around a connection_machine (style.md
// 4). The machine decides; this file only moves bytes, arms the timer and calls the authorizer
// service.
//
// Shape: a coroutine for the TLS handshake (bounded, short-lived), then plain completion
// handlers, no coroutine: a connected device costs one pending socket wait and one timer, not
// three coroutine frames and their parallel-group state (measured with bench_gateway: a
// coroutine per direction cost ~4 KiB per idle connection and ~20% more CPU per message).
//   reading   read_now() until would-block, feeding the machine; then one socket wait
//   writing   packets the machine sends are written at once (non-blocking), all of one
//             input burst coalesced into one TLS record; only a full socket buffer parks the
//             rest until the socket is writable. No write buffer is kept while idle.
//   timer     one steady_timer, armed for the machine's next deadline and re-armed lazily
//             (a keep-alive deadline that moved later is found when the timer fires)
// Pending handlers hold the connection (shared_ptr); when the machine has closed, nothing is
// re-armed and the last handler to finish releases it.
//
// Threading: a connection lives on the executor of its socket (one io_context thread).
// deliver() and kick() are called by the broker from any thread: they only post. The outbound
// queue is bounded (limits_config::max_outbox_bytes): a message that would exceed it is
// dropped and counted, so a slow subscriber never grows memory without bound.
#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "gateway/connection_machine.hpp"
#include "tls/stream.hpp"

namespace wv::gate {

// Looks up the service for an authorizer name (nullptr: unknown).
using authorizer_lookup = std::function<auth::authorizer_service*(const std::string& name)>;

class connection final : public subscriber, public std::enable_shared_from_this<connection> {
public:
    connection(tls::stream stream, machine_env env, authorizer_lookup authorizers, std::string listener,
               listener_kind kind);
    ~connection() override;

    // Runs the TLS handshake and starts the connection; it then lives on in its handlers until
    // it closes. Never throws for I/O reasons. Static so that the coroutine frame owns `self`
    // from the first instruction.
    static boost::asio::awaitable<void> run(std::shared_ptr<connection> self);

    bool deliver(message_ptr m, std::uint8_t qos, bool retained) override;
    void kick(disconnect_reason why) override;

private:
    boost::asio::awaitable<void> serve();
    bool start_machine();
    void read_some();                      // reads until would-block, then waits for input
    void process();                        // carries out the machine's actions, then flushes
    void flush();                          // writes what is queued, or parks until writable
    void arm_timer();                      // for the machine's next deadline, if earlier than armed
    void on_timer(const boost::system::error_code& ec);
    void finish_if_done();                 // closed and flushed (or out of grace): close the socket

    tls::stream stream_;
    machine_env env_;
    authorizer_lookup authorizers_;
    std::string listener_;
    listener_kind kind_;
    std::unique_ptr<connection_machine> machine_;
    mqtt::byte_buffer out_;                // queued, not yet handed to TLS
    mqtt::byte_buffer writing_;            // handed to TLS, not yet accepted (the socket was full)
    boost::asio::steady_timer timer_;      // the machine's next deadline, or the flush grace
    clock::time_point armed_at_ = clock::time_point::max();
    bool timer_pending_ = false;
    bool read_pending_ = false;            // a wait for input is in flight
    bool write_blocked_ = false;           // a wait for writability is in flight
    bool closing_ = false;                 // the machine closed: flush, then close the socket
    bool in_grace_ = false;                // the flush grace timer is armed
    std::atomic<std::size_t> queued_bytes_{0};
};

}  // namespace wv::gate
