#include "resources.hpp"

#include <malloc.h>
#include <sys/resource.h>

#include <fstream>
#include <string>

namespace wv::sim {

std::string ensure_open_files(std::uint64_t needed) {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return {};
    if (rl.rlim_cur < rl.rlim_max) {
        rlimit up = rl;
        up.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &up) == 0) rl = up;
    }
    if (rl.rlim_cur == RLIM_INFINITY || needed <= rl.rlim_cur) return {};
    return "this run needs about " + std::to_string(needed) + " open files but the limit is " +
           std::to_string(rl.rlim_cur) + " (hard limit " + std::to_string(rl.rlim_max) +
           "). Raise it (`ulimit -n " + std::to_string(needed) + "` after raising the hard limit as root, "
           "LimitNOFILE= in a systemd unit, --ulimit nofile=N:N in docker), or split the fleet with --shard i/N "
           "over several processes";
}

cpu_times process_cpu() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return {static_cast<double>(ru.ru_utime.tv_sec) + static_cast<double>(ru.ru_utime.tv_usec) / 1e6,
            static_cast<double>(ru.ru_stime.tv_sec) + static_cast<double>(ru.ru_stime.tv_usec) / 1e6};
}

std::uint64_t rss_kib() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
    return 0;
}

void trim_free_heap() { ::malloc_trim(0); }

}  // namespace wv::sim
