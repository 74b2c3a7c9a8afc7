#pragma once
// The one driver for a non-blocking TLS/TCP connection: it runs a protocol machine
// (protocol_machine.hpp) on a tls::stream. The gateway's connections, the client
// (src/client) and, through the client, wvsim's devices all run on it, so the loop below,
// its bugs and its system calls live in one place.
//
//   reading  read_now() into one per-thread buffer until would-block (after a short read,
//            TLS read-ahead says would-block without a system call; plain TCP parks at once),
//            feeding the machine; then one socket wait, which needs no re-arm (read_wait.hpp:
//            the socket was emptied, so the next edge is what to wait for). At most read_burst reads per wake-up, so a
//            peer that keeps sending does not starve the thread's other connections.
//   writing  what the machine appended to effects::send goes out after the input that
//            produced it, all of one read burst coalesced into one TLS record; writes are
//            non-blocking and only a full socket buffer parks the rest until writable.
//            Nothing is kept while idle (buffers above keep_write_capacity are freed).
//   timer    one steady_timer, armed for the machine's next_deadline() and re-armed lazily:
//            a deadline that moved later is found when the timer fires, so an input touches
//            the timer only when the deadline comes earlier.
//   the end  the machine asks (effects::close) or the transport ends (the machine hears
//            on_transport_closed once). Either way the driver closes the socket, waits for its
//            pending waits to finish and then posts the end handler exactly once, with why.
//            Nothing of the driver runs after that: the handler may destroy it.
// No coroutine per connection: a connected, idle connection costs one pending socket wait
// and at most one pending timer wait (bench_gateway: a coroutine per direction cost ~4 KiB
// per idle connection and ~20% more CPU per message).
//
//   wv::net::driver d{std::move(stream), machine};
//   d.start([](std::error_code why) { ... });             // posted once, at the very end
//   d.act([&](auto now, auto& fx) { machine.publish(p, now, fx); });   // the owner's inputs
//
// Who applies what: the driver applies effects::send and effects::end and asks the machine's
// queries; everything else a machine produces (sessions, logs, completions) the owner applies,
// inside the act() callback or in the machine's own callbacks.
//
// Threading: a driver belongs to its stream's executor (one io_context thread); call every
// member from there. Inputs from other threads (broker deliveries, authorizer results) are
// posted to that executor by the owner, which then calls act(). Re-entrant act() (from inside
// a machine input, e.g. a message handler that publishes) only runs the callback; the outer
// input applies the effects. The owner keeps the driver (and the machine) alive until the end
// handler has run; the driver neither moves nor copies.
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <system_error>

#include <boost/asio/steady_timer.hpp>

#include "net/protocol_machine.hpp"
#include "net/timer_wheel.hpp"
#include "tls/stream.hpp"

namespace wv::net {

struct driver_options {
    // A machine that asked close_after_flush gets this long to write its last bytes to a peer
    // that does not read; then the socket is closed anyway (on_transport_closed is not called).
    std::chrono::milliseconds flush_grace{5'000};
    // Reads per wake-up before yielding to the thread's other connections.
    int read_burst = 16;
    // A write buffer above this capacity is freed once written rather than kept for the next.
    std::size_t keep_write_capacity = 4096;
    // The thread's timer wheel (timer_wheel.hpp), which must outlive the driver: deadlines of
    // many connections in one tick share a wake-up. Null: the driver's own steady_timer.
    timer_wheel* wheel = nullptr;
};

class driver final : private timer_wheel::entry {
public:
    using end_handler = std::function<void(std::error_code why)>;

    // `s` is connected and past its TLS handshake; `m` outlives the driver.
    driver(tls::stream s, protocol_machine& m, driver_options o = {});
    ~driver();
    driver(const driver&) = delete;
    driver& operator=(const driver&) = delete;

    // Starts reading and arms the timer for m.next_deadline(). `on_end` is posted to the
    // stream's executor exactly once, when the connection is over and no wait is pending, with
    // effects::why when the machine closed, else the transport's error (tls_errc::closed for a
    // clean EOF / close_notify). Call once.
    void start(end_handler on_end);

    // Runs f(now, effects&) — the owner feeding the machine an input of its own — and applies
    // what it produced (writes, deadline, close). False, without calling f, once the connection
    // is ending (a close was requested or the transport ended) or before start().
    template <std::invocable<clock::time_point, effects&> F>
    bool act(F&& f) {
        if (!is_open()) return false;
        if (busy_) {  // inside a machine input: that input applies the effects
            std::forward<F>(f)(clock::now(), fx_);
            return true;
        }
        feed_backlog();
        busy_ = true;
        std::forward<F>(f)(clock::now(), fx_);
        busy_ = false;
        settle();
        return true;
    }

    // Started, and neither a close requested nor the transport ended.
    bool is_open() const noexcept { return started_ && !ending_; }
    // The end handler has been posted.
    bool has_ended() const noexcept { return ended_; }
    // Bytes the machine produced that the socket has not taken yet.
    std::size_t queued_bytes() const noexcept { return fx_.send.size() + (writing_.size() - write_offset_); }
    tls::stream& stream() noexcept { return stream_; }
    const tls::stream& stream() const noexcept { return stream_; }

private:
    void feed_backlog() noexcept { fx_.backlog = writing_.size() - write_offset_; }
    void read_some();                  // reads until would-block (or the burst), then waits
    void park_read(tls::stream::wait_for need);  // one wait for input
    void on_readable(const boost::system::error_code& ec);  // that wait completed
    void settle();                     // after an input: flush, close or re-arm the timer
    void flush();                      // writes what is queued, or parks until writable
    void arm_timer();                  // for the machine's deadline, if earlier than armed
    void arm_grace();                  // the flush grace of a close_after_flush
    void on_timer(const boost::system::error_code& ec);
    void on_expired() override;        // the wheel's
    void deadline_reached();           // the timer or the wheel fired for armed_at_
    void set_timer(clock::time_point at);
    bool timer_pending() const noexcept { return opts_.wheel ? is_scheduled() : timer_waits_ > 0; }
    void transport_closed(std::error_code why);  // the machine hears it once; then the end
    void close_socket(ending how);     // FIN, close_notify + FIN, or RST; the waits complete
    void finish_if_idle();             // nothing pending: post the end handler once

    tls::stream stream_;
    protocol_machine& machine_;
    driver_options opts_;
    end_handler on_end_;
    effects fx_;                       // fx_.send: queued, not yet handed to the socket
    mqtt::byte_buffer writing_;        // handed to the socket, not yet taken (TLS: retry as is)
    std::size_t write_offset_ = 0;     // plain TCP: bytes of writing_ already taken
    std::unique_ptr<boost::asio::steady_timer> timer_;  // without a wheel
    clock::time_point armed_at_ = clock::time_point::max();
    std::error_code end_why_;
    std::uint8_t timer_waits_ = 0;     // timer waits not yet completed (a re-arm aborts one)
    bool started_ = false;
    bool busy_ = false;                // a machine input is on the stack
    bool read_pending_ = false;        // a wait for input (or a burst's continuation) is pending
    bool write_parked_ = false;        // a wait for writability is pending
    bool ending_ = false;              // a close was requested or the transport ended
    bool closed_ = false;              // the socket is closed
    bool in_grace_ = false;            // the timer is the flush grace, not the machine's deadline
    bool ended_ = false;               // the end handler was posted
};

}  // namespace wv::net
