#pragma once
// --shard i/N: the i-th of N equal slices of the fleet's device index space, so N processes
// (or Kubernetes Indexed Job pods) run one fleet without overlapping identities.
#include <cstdint>
#include <string_view>

namespace wv::sim {

struct shard {
    std::uint32_t index = 0;  // 0-based
    std::uint32_t count = 1;

    // Global device indices [first, last) of this shard for a fleet of `devices`.
    std::uint32_t first(std::uint32_t devices) const noexcept;
    std::uint32_t last(std::uint32_t devices) const noexcept;
};

// Parses "i/N" with 0 <= i < N. Throws config_error.
shard parse_shard(std::string_view text);

}  // namespace wv::sim
