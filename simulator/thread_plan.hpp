#pragma once
// How many threads the MQTT engine runs and what each does (`--threads`).
//
// A steady session costs little per report but a wake-up per event; a second session thread
// halves the events each wake-up batches (5,000 devices at 1 report/s: ~1.6x the CPU per report
// of one thread, bench_wvsim.py). A TLS handshake is CPU-bound (ECDH, the server's signature and
// certificate chain), so the ramp wants every core. With --threads 0 (auto) the engine therefore
// runs as few session threads as the report rate needs, and connects (TCP + TLS) on a thread per
// core: the session threads themselves plus connector threads (connector_pool.hpp); a connected
// stream moves to its device's session thread. An explicit --threads N runs N threads that each
// connect and run their own devices, as before.
#include <chrono>
#include <cstdint>

namespace wv::sim {

// Reports per second one session thread is planned for (about half a core here: bench_wvsim.py
// measured 20-30 us of CPU per report on one thread at 5,000 devices).
inline constexpr double reports_per_session_thread = 20'000;

struct thread_plan {
    unsigned sessions = 1;    // worker threads (each owns its devices' sessions)
    unsigned connectors = 0;  // extra threads that only connect; 0 with spread_connects false
    bool spread_connects = false;  // devices connect on sessions + connectors threads, round robin
};

// requested: --threads (0: auto); cores: hardware threads (0 taken as 1); reports_per_s: the
// fleet's planned report rate.
thread_plan plan_threads(unsigned requested, unsigned cores, std::uint32_t devices, double reports_per_s);

// The session threads' timer tick (--timer-tick 0: auto): deadlines in one tick share a wake-up,
// and a report goes out up to one tick after it is due. Auto: 0.4% of a device's report
// interval, between 1 and 4 ms (1 s interval: 4 ms, ~9% less CPU per report than 1 ms at 5,000
// devices: 0.16 instead of 0.28 context switches per report).
std::chrono::microseconds timer_tick_for(double requested_ms, double interval_s);

}  // namespace wv::sim
