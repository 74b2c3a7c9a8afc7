#pragma once
// A histogram kept as its non-empty buckets: 12 bytes per distinct bucket instead of the
// 26 KiB of a whole `histogram`, for series of many small ones (a report keeps one per second
// of the run per latency). The buckets are histogram's, so converting either way is lossless:
// merging two sparse histograms and reading a percentile gives exactly what merging the
// histograms they came from would.
//
// Threading: a plain value; not synchronised.
#include <cstdint>
#include <utility>
#include <vector>

#include "metrics/histogram.hpp"

namespace wv::metrics {

class sparse_histogram {
public:
    struct bucket {
        std::uint32_t index;  // histogram's bucket index
        std::uint64_t count;
        friend bool operator==(const bucket&, const bucket&) = default;
    };

    sparse_histogram() = default;
    explicit sparse_histogram(const histogram& h);

    histogram to_histogram() const;
    // Adds `other` bucket by bucket: exact.
    void merge(const sparse_histogram& other);

    std::uint64_t count() const noexcept { return count_; }
    bool empty() const noexcept { return count_ == 0; }
    std::uint64_t sum_us() const noexcept { return sum_; }
    std::uint64_t min_us() const noexcept { return count_ ? min_ : 0; }
    std::uint64_t max_us() const noexcept { return max_; }
    // Exactly histogram::percentile_us of the same data; 0 when empty.
    std::uint64_t percentile_us(double q) const noexcept;
    // Non-empty buckets in increasing index order.
    const std::vector<bucket>& buckets() const noexcept { return buckets_; }

    // What `later` recorded after `earlier` was taken from the same cumulative histogram (a
    // per-second series from a counter that only grows). Buckets, count and sum are exact;
    // min and max are the bounds of the lowest and highest bucket that grew (max clamped to
    // later's max). Buckets that shrank (a reset in between) count as empty.
    static sparse_histogram since(const histogram& later, const histogram& earlier);

    // From its parts (the JSON form). Throws std::invalid_argument on an index out of range,
    // indexes not strictly increasing, or counts that do not add up to `count`.
    static sparse_histogram from_parts(std::vector<bucket> buckets, std::uint64_t count, std::uint64_t sum_us,
                                       std::uint64_t min_us, std::uint64_t max_us);

    friend bool operator==(const sparse_histogram&, const sparse_histogram&) = default;

private:
    std::vector<bucket> buckets_;
    std::uint64_t count_ = 0;
    std::uint64_t sum_ = 0;
    std::uint64_t min_ = 0;  // meaningful only when count_ > 0
    std::uint64_t max_ = 0;
};

}  // namespace wv::metrics
