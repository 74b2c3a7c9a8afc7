#pragma once
// The wall clock that stamps each report, in Unix milliseconds (what a Wavelet puts in its reports).
#include <chrono>
#include <cstdint>

namespace wv::sim {

inline std::uint64_t unix_ms() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

}  // namespace wv::sim
