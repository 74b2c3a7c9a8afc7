#pragma once
// A histogram many threads record into: a fixed set of shards, each behind its own mutex,
// picked by the calling thread, merged on read. Uncontended locks cost a few ns, which is
// well below the cost of anything worth timing here.
//
// Threading: record() and snapshot() may be called from any thread, concurrently.
#include <array>
#include <chrono>
#include <mutex>

#include "metrics/histogram.hpp"

namespace wv::metrics {

class concurrent_histogram {
public:
    void record(std::chrono::nanoseconds d) noexcept;
    void record_us(std::uint64_t v) noexcept;
    // The merge of every shard: an exact picture at the moment each shard was read.
    histogram snapshot() const;
    // Returns the merge and empties every shard (for per-interval series).
    histogram take();

private:
    static constexpr std::size_t shard_count = 8;
    struct alignas(64) shard {
        mutable std::mutex m;
        histogram h;
    };
    shard& mine() noexcept;
    std::array<shard, shard_count> shards_;
};

}  // namespace wv::metrics
