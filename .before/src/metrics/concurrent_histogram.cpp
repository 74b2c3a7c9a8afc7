#include "metrics/concurrent_histogram.hpp"

#include <functional>
#include <thread>

namespace wv::metrics {

concurrent_histogram::shard& concurrent_histogram::mine() noexcept {
    thread_local const std::size_t slot = std::hash<std::thread::id>{}(std::this_thread::get_id());
    return shards_[slot % shard_count];
}

void concurrent_histogram::record(std::chrono::nanoseconds d) noexcept {
    auto& s = mine();
    std::lock_guard lock(s.m);
    s.h.record(d);
}

void concurrent_histogram::record_us(std::uint64_t v) noexcept {
    auto& s = mine();
    std::lock_guard lock(s.m);
    s.h.record_us(v);
}

histogram concurrent_histogram::snapshot() const {
    histogram out;
    for (const auto& s : shards_) {
        std::lock_guard lock(s.m);
        out.merge(s.h);
    }
    return out;
}

histogram concurrent_histogram::take() {
    histogram out;
    for (auto& s : shards_) {
        std::lock_guard lock(s.m);
        out.merge(s.h);
        s.h.reset();
    }
    return out;
}

}  // namespace wv::metrics
