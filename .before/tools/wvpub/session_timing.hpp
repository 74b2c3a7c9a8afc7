#pragma once
// --timing: where the time of one session went. "CONNECT sent" marks the end of TCP + TLS (the
// CONNECT is written right after the handshake); CONNACK and the acknowledgements follow.
#include <chrono>
#include <cstdio>
#include <optional>
#include <vector>

namespace wv::wvpub {

struct session_timing {
    using clock = std::chrono::steady_clock;
    clock::time_point start = clock::now();
    std::optional<clock::time_point> tcp_connected, tls_done, connect_sent, connack;
    std::vector<std::chrono::microseconds> ack_times;  // publish call to PUBACK/PUBCOMP (QoS 0: written)

    // Prints a small table to `out` (stderr: stdout carries the -d trace).
    void print(std::FILE* out, bool tls) const;
};

}  // namespace wv::wvpub
