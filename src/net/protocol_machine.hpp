#pragma once
// The interface between a Sans-I/O protocol machine and the one connection driver (driver.hpp)
// that runs it on a socket (style.md 4b, after async_mqtt's protocol layer and its events).
//
// A machine takes bytes and time in and hands effects out; it never does I/O and never reads a
// clock, so it is tested with byte strings on virtual time. The driver is the only code that
// touches the socket and the timer:
//
//   input                       the machine                     the driver then
//   ---------------------------------------------------------------------------------------------
//   bytes read (until would-block)  on_bytes(in, now, fx)       writes fx.send, coalesced
//   the deadline has come           on_deadline(now, fx)        re-arms for next_deadline()
//   the owner's input (driver::act) the owner calls the machine  the same
//   the transport ended by itself   on_transport_closed(why, now)  reports the end once
//
// Effects (`effects`): bytes to send (appended in wire order straight into the driver's
// outbound queue: encode into fx.send, no copy), and at most one close request with its
// reason. Queries the driver asks after every input: next_deadline() (when on_deadline() is
// due; nullopt: none), wants_input() (false pauses reading: back-pressure, or a client that
// holds frames after CONNACK until its owner is ready) and wants_quick_ack().
//
// Role-specific effects (the gateway's attach/route/detach a session, log and rules events,
// authorizer calls; the client's completions and received messages) are not the driver's
// business: the owner that adapts its machine to this interface applies them.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <system_error>

#include "mqtt/byte_buffer.hpp"

namespace wv::net {

using clock = std::chrono::steady_clock;

// How the machine wants the connection to end.
enum class ending : std::uint8_t {
    none,
    close_after_flush,     // write what is queued (bounded by driver_options::flush_grace), then FIN
    shutdown_after_flush,  // the same, then TLS close_notify before the FIN (the client's DISCONNECT)
    close_now,             // FIN at once; queued bytes are dropped (a dead peer, a protocol error)
    reset,                 // RST at once (SO_LINGER 0), queued bytes dropped: a "network failure"
                           // to the peer (the broker publishes the will)
};

// What one input produced. The driver owns one, passes it to every input and applies it after.
struct effects {
    // Bytes to write, in wire order. Append (encoders do); never clear or reorder what is here:
    // it may already hold earlier, unwritten packets.
    mqtt::byte_buffer send;
    // Bytes of earlier inputs that the socket has not taken yet and that are no longer in
    // `send` (set by the driver before every input): send.size() + backlog is everything
    // queued, for a machine that bounds its queue.
    std::size_t backlog = 0;
    ending end = ending::none;
    std::error_code why;  // the reason the driver reports at the end (driver::start's handler)

    // Ends the connection; the first request wins (a later, different one is ignored).
    void close(ending how, std::error_code reason) noexcept {
        if (end != ending::none || how == ending::none) return;
        end = how;
        why = reason;
    }
    bool closing() const noexcept { return end != ending::none; }
};

class protocol_machine {
public:
    // Bytes from the peer, in order, as the transport delivered them (any split). `in` views
    // the driver's per-thread read buffer: copy what must outlive the call.
    virtual void on_bytes(std::span<const std::byte> in, clock::time_point now, effects& fx) = 0;
    // Called once now >= next_deadline(). A deadline that moved later meanwhile is not called
    // early: the driver re-arms instead (keep-alive moves at every packet; the timer does not).
    virtual void on_deadline(clock::time_point now, effects& fx) = 0;
    // The transport ended without the machine asking (EOF, reset, read or write error, or the
    // flush grace ran out). Called at most once, never after the machine asked to close; no
    // more inputs follow, and nothing can be sent.
    virtual void on_transport_closed(std::error_code why, clock::time_point now) = 0;

    // When on_deadline() must run next; nullopt: nothing is due. Asked after every input.
    virtual std::optional<clock::time_point> next_deadline() const = 0;
    // False: the driver stops reading (bytes stay in the socket; TCP pushes back on the peer)
    // until an input makes it true again.
    virtual bool wants_input() const { return true; }
    // True while the machine waits for an answer from a server that may hold it behind Nagle
    // (a CONNECT waiting for CONNACK): the driver sets TCP_QUICKACK before every wait for
    // input, as quick-ack is not sticky on Linux (~40 ms per connect otherwise).
    virtual bool wants_quick_ack() const { return false; }

protected:
    ~protocol_machine() = default;  // the owner owns the machine; the driver only refers to it
};

}  // namespace wv::net
