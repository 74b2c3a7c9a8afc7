#pragma once
// The live progress line wvsim prints on stderr once a second (unless --quiet), e.g.
//   [   12s] connected 180, connecting 20, failed 0 | sent 180/s, acked 179/s |
//            CONNACK p50 2.1ms p99 9.8ms | PUBACK p50 1.3ms p99 4.0ms
// A latency shows "-" in a second that had no sample of it (no connect, no PUBACK), so a
// quiet second never reads as "0us". Scripts parse this line (tests/bench/simulator's
// bench_wvsim.py reads "connected N," and "sent N/s"): keep those fields as they are.
#include <cstdint>
#include <string>

#include "metrics/sparse_histogram.hpp"
#include "report.hpp"

namespace wv::sim {

// "812us", "3.4ms", "1.20s"; "-" when `h` is empty.
std::string progress_latency(const metrics::sparse_histogram& h, double q);

// `s` is the second just sampled; connecting and failed (connect attempts that failed so far)
// are the fleet's live tallies.
std::string progress_line(const timeline_sample& s, std::int64_t connecting, std::uint64_t failed);

}  // namespace wv::sim
