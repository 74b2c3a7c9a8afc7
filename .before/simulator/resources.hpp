#pragma once
// The process's own resources: the open-file limit a fleet needs, CPU time and memory.
#include <cstdint>
#include <string>

namespace wv::sim {

// Raises RLIMIT_NOFILE's soft limit to the hard limit. Returns an empty string when `needed`
// files fit, else a message saying how many are needed and how to raise the limit.
std::string ensure_open_files(std::uint64_t needed);

struct cpu_times {
    double user_s = 0, system_s = 0;
};
cpu_times process_cpu();
std::uint64_t rss_kib();  // current resident set size (VmRSS)

}  // namespace wv::sim
