#pragma once
// One simulated Wavelet: its identity, its connection and its place in the timetable.
//
// A device connects in a coroutine (run_device: TCP, TLS, then CONNECT/CONNACK on its
// connection; about --max-connecting of them are in flight at once), then its session runs
// as a protocol machine on the shared client machine and connection driver (session.hpp,
// device_session.hpp): no coroutine, one pending socket wait and at most one pending timer
// wait (a parked coroutine stack cost ~5 KiB per device: heaptrack, 2,000 devices).
//
// Memory is the judge here (a fleet is 15,000 of these): a device keeps no read or packet
// buffer while idle (the driver's read buffer is per thread; bytes are kept only while the
// socket is full), an 8-entry in-flight ring, and refers to its identity instead of copying
// it; once connected its stream leaves OpenSSL and keeps only its TLS 1.3 record keys
// (tls::stream::detach_openssl, --tls-records).
//
// Threading: a device lives on one worker thread; everything here runs there.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "identity.hpp"
#include "outcome.hpp"

namespace wv::sim {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;

struct worker;
struct device_connection;

struct device {
    // `ident` must outlive the device (the fleet's identity table does).
    device(asio::any_io_executor ex, std::uint32_t local, const device_identity& ident, std::string topic,
           std::string will_topic);
    ~device();

    std::uint32_t local;  // index in this process's timetable
    const device_identity& id;
    std::string topic, will_topic;

    std::unique_ptr<device_connection> conn;  // the connection while one is open (session.hpp)
    asio::steady_timer wake;  // run_device's waits: the reconnect spacing and the CONNACK

    std::uint64_t next_report = 1;  // report_id of the next report (counts up from 1)
    std::uint64_t last_report_sent = 0;

    bool stop_requested = false;  // clean stop (end of run, Ctrl-C)
    bool reconnect_wait = false;  // between sessions, sleeping on `wake` before a reconnect
    clock::time_point last_connect{};  // when the last connect attempt ended (reconnect.hpp's spacing)
    bool done = false;
    bool ever_connected = false;
    bool first_attempt_done = false;
    bool in_session = false;      // CONNACK 0 counted: the session runs on `conn`
    bool connect_over = false;    // the connection ended before its session started
    outcome first_outcome = outcome::count_;  // of the first connect attempt
    outcome session_end = outcome::count_;    // why the session ends (the first reason wins)

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
