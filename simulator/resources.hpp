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
// Returns whole free pages inside the heap to the OS (glibc malloc_trim). A ramp leaves holes
// between long-lived connection objects where handshakes kept their buffers and temporaries;
// malloc keeps those pages resident until told.
void trim_free_heap();

}  // namespace wv::sim
