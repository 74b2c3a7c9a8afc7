#pragma once
// One simulated Wavelet: its identity, its connection and its place in the timetable, and the
// coroutine that runs it (connect, report on schedule, keep alive, churn, die or stop cleanly).
//
// Memory is the judge here (a fleet is 15,000 of these): a device keeps a 64-byte read buffer,
// its outgoing packet buffer (one report), and an 8-entry in-flight ring; TLS buffers are
// released by OpenSSL while idle (tls::stream), and the report encoder with its scratch space
// is per thread (worker).
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

struct device {
    device(asio::any_io_executor ex, std::uint32_t local, device_identity ident, std::string topic,
           std::string will_topic);

    std::uint32_t local;  // index in this process's timetable
    device_identity id;
    std::string wire_username, topic, will_topic;

    std::optional<tls::stream> s;
    mqtt::stream_decoder decoder;
    std::array<std::byte, 64> rbuf{};
    mqtt::byte_buffer wbuf;
    asio::steady_timer wake;  // the writer sleeps on it; cancel() wakes it (stop, acks drained)

    std::array<inflight, 8> ring{};
    std::uint8_t ring_head = 0, ring_size = 0;
    std::uint16_t next_packet_id = 1;
    std::uint64_t next_report = 1;  // report_id of the next report (counts up from 1)
    std::uint64_t last_report_sent = 0;
    clock::time_point last_write{}, ping_sent{};
    bool ping_outstanding = false;

    bool stop_requested = false;  // clean stop (end of run, Ctrl-C)
    bool done = false;
    bool ever_connected = false;
    bool session_over = false;    // the first of reader/writer to see the end sets it
    outcome first_outcome = outcome::count_;  // of the first connect attempt
    outcome session_end = outcome::count_;

    std::uint16_t take_packet_id() noexcept;
    // Records why the session ends (the first caller wins) and wakes the writer.
    void end_session(outcome o) noexcept;
};

// Runs device `d` to completion on its worker: connects (and reconnects on churn) until the
// run ends, it is killed, or a connect attempt fails. Never throws.
asio::awaitable<void> run_device(worker& w, device& d);

}  // namespace wv::sim
