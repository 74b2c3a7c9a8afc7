#include "session_timing.hpp"

#include <algorithm>

namespace wv::wvpub {
namespace {

double ms(std::chrono::steady_clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

void session_timing::print(std::FILE* out, bool tls) const {
    // Times are when the client saw each step (under Paho: when its threads reported it, so
    // they include Paho's own scheduling).
    std::fprintf(out, "timing (ms since the connection was started):\n");
    if (tls && tcp_connected) std::fprintf(out, "  tcp connected   %9.3f  (DNS + TCP)\n", ms(*tcp_connected - start));
    if (tls && tls_done)
        std::fprintf(out, "  tls handshake   %9.3f  (+%.3f)\n", ms(*tls_done - start),
                     ms(*tls_done - tcp_connected.value_or(start)));
    if (connect_sent) std::fprintf(out, "  CONNECT sent    %9.3f  (%s)\n", ms(*connect_sent - start), tls ? "DNS + TCP + TLS" : "DNS + TCP");
    if (connack)
        std::fprintf(out, "  CONNACK         %9.3f  (+%.3f after CONNECT)\n", ms(*connack - start),
                     ms(*connack - connect_sent.value_or(start)));
    if (!ack_times.empty()) {
        auto sorted = ack_times;
        std::sort(sorted.begin(), sorted.end());
        const auto median = sorted[sorted.size() / 2];
        std::fprintf(out, "  acks: %zu, min %.3f, median %.3f, max %.3f (publish to PUBACK/PUBCOMP)\n", sorted.size(),
                     ms(sorted.front()), ms(median), ms(sorted.back()));
    }
}

}  // namespace wv::wvpub
