#pragma once
// One simulated Wavelet: its identity, its connection and its place in the timetable.
//
// A device connects in a coroutine (run_device: TCP, TLS, CONNECT/CONNACK; about --max-connecting
// of them are in flight at once), then runs its session as a small state machine driven by two
// callbacks, socket readable and timer expired (session.hpp). A connected device is idle almost
// all the time, and a parked coroutine stack (the device's frames, the reader || writer group,
// the frames of each pending wait) cost ~5 KiB per device (heaptrack, 2,000 devices); the state
// machine keeps one pending socket wait and one pending timer wait instead.
//
// Memory is the judge here (a fleet is 15,000 of these): a device keeps no read or packet
// buffer while idle (the worker's are shared; bytes are copied into `blocked` only when a write
// would block), an 8-entry in-flight ring, and refers to its identity instead of copying it;
// TLS buffers are released by OpenSSL while idle (tls::stream).
//
// Threading: a device lives on one worker thread; everything here runs there.
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "identity.hpp"
#include "mqtt/byte_buffer.hpp"
#include "mqtt/stream_decoder.hpp"
#include "outcome.hpp"
#include "tls/stream.hpp"

namespace wv::sim {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;

struct worker;

// A QoS 1 publish waiting for its PUBACK. `due` is the timetable's time (zero for ReportEnd).
struct inflight {
    std::uint16_t packet_id = 0;
    clock::time_point due, sent;
};

// What a write that would block carries, so its bookkeeping runs once the bytes are out.
enum class write_kind : std::uint8_t { report, ping, goodbye };

struct device {
    // `ident` must outlive the device (the fleet's identity table does).
    device(asio::any_io_executor ex, std::uint32_t local, const device_identity& ident, std::string topic,
           std::string will_topic);

    std::uint32_t local;  // index in this process's timetable
    const device_identity& id;
    std::string topic, will_topic;

    std::optional<tls::stream> s;
    mqtt::stream_decoder decoder;
    asio::steady_timer wake;  // the session's next deadline (report, ping, ack timeout, stop)

    std::array<inflight, 8> ring{};
    std::uint8_t ring_head = 0, ring_size = 0;
    std::uint16_t next_packet_id = 1;
    std::uint64_t next_report = 1;  // report_id of the next report (counts up from 1)
    std::uint64_t last_report_sent = 0;
    clock::time_point last_write{}, ping_sent{};
    bool ping_outstanding = false;

    bool stop_requested = false;  // clean stop (end of run, Ctrl-C)
    bool reconnect_wait = false;  // between sessions, sleeping on `wake` before a reconnect
    clock::time_point last_connect{};  // when the last connect attempt ended (reconnect.hpp's spacing)
    bool done = false;
    bool ever_connected = false;
    bool first_attempt_done = false;
    outcome first_outcome = outcome::count_;  // of the first connect attempt
    outcome session_end = outcome::count_;    // why the session ends (the first reason wins)

    // Session state machine (session.cpp).
    bool in_session = false;
    bool session_over = false;  // no more I/O: waiting for pending callbacks, then finish
    bool finishing = false;     // finish_session posted
    bool stopping = false;      // a clean stop waits for acks before ReportEnd + DISCONNECT
    bool read_armed = false, write_armed = false;
    std::uint8_t timer_waits = 0;  // timer waits not yet completed (a re-arm aborts the previous)
    clock::time_point stop_deadline{};
    std::optional<clock::time_point> kill_at, churn_at;
    mqtt::byte_buffer blocked;  // a write that would block, kept for OpenSSL's retry rule
    write_kind blocked_kind = write_kind::report;
    std::uint64_t blocked_report = 0;
    clock::duration blocked_lag{};

    std::uint16_t take_packet_id() noexcept;
    // Records why the session ends (the first caller wins).
    void record_end(outcome o) noexcept {
        if (session_end == outcome::count_) session_end = o;
    }
};

// Starts device `d` on its worker: connects, then runs the session (and reconnects on churn)
// until the run ends, it is killed, or a connect attempt fails for good (a first connect at
// once; a reconnect once its retries run past the end: reconnect.hpp); then marks it done.
// Never throws.
asio::awaitable<void> run_device(worker& w, device& d);

// A clean stop was asked for (worker::request_stop): a device in session starts it now.
void poke(worker& w, device& d);

}  // namespace wv::sim
