#pragma once
// A log-linear latency histogram (HDR-like): values in microseconds, exact below 256 us, then
// 128 linear sub-buckets per power of two, so any recorded value is known to within 0.4%
// (bucket midpoint) and 0.8% (bucket width) over 1 us .. 1 h. Larger values are clamped to
// the top bucket (max() still reports the true largest value seen).
//
// Merging adds bucket counts, so a merge of shard histograms is exactly the histogram of the
// union: percentiles of a merged report equal those of one process that saw everything.
//
// Threading: not synchronised. Record from one thread (one histogram per thread or per
// shard) and merge on read, or use concurrent_histogram.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace wv::metrics {

class histogram {
public:
    static constexpr std::uint64_t max_trackable_us = 3'600'000'000ULL;  // 1 hour
    static constexpr unsigned sub_bucket_bits = 7;                       // 128 per octave
    static constexpr std::size_t bucket_count();

    histogram();

    void record_us(std::uint64_t value_us, std::uint64_t times = 1) noexcept;
    // Negative durations (clock skew between a timetable and now) record as 0.
    void record(std::chrono::nanoseconds d) noexcept;

    // Adds `other` bucket by bucket: exact.
    void merge(const histogram& other) noexcept;
    void reset() noexcept;

    std::uint64_t count() const noexcept { return count_; }
    std::uint64_t min_us() const noexcept { return count_ ? min_ : 0; }
    std::uint64_t max_us() const noexcept { return max_; }
    double mean_us() const noexcept { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0; }
    std::uint64_t sum_us() const noexcept { return sum_; }

    // The value at quantile q in [0, 1] (0.99 for p99): the midpoint of the bucket holding the
    // ceil(q * count)-th smallest value, clamped to [min, max]. 0 when empty.
    std::uint64_t percentile_us(double q) const noexcept;
    // How many values are at least `us`: exact below 256 us and on bucket boundaries, else
    // it counts the whole bucket holding `us` (values down to 0.8% below it).
    std::uint64_t count_at_or_above(std::uint64_t us) const noexcept;

    // Bucket layout, exposed for serialisation and tests.
    static std::size_t index_of(std::uint64_t value_us) noexcept;
    static std::uint64_t lowest_in(std::size_t index) noexcept;
    static std::uint64_t highest_in(std::size_t index) noexcept;
    const std::vector<std::uint64_t>& buckets() const noexcept { return buckets_; }

    // Restores a histogram from its parts (the JSON form). Throws std::invalid_argument on a
    // bucket index out of range or counts that do not add up to `count`.
    static histogram from_parts(const std::vector<std::pair<std::size_t, std::uint64_t>>& buckets,
                                std::uint64_t count, std::uint64_t sum_us, std::uint64_t min_us,
                                std::uint64_t max_us);

private:
    std::vector<std::uint64_t> buckets_;
    std::uint64_t count_ = 0;
    std::uint64_t sum_ = 0;
    std::uint64_t min_ = UINT64_MAX;
    std::uint64_t max_ = 0;
};

constexpr std::size_t histogram::bucket_count() {
    // Exact values below 2^(bits+1); then 128 buckets for each octave up to 2^32 (> 1 h in us).
    constexpr std::size_t exact = std::size_t{1} << (sub_bucket_bits + 1);
    constexpr std::size_t octaves = 32 - (sub_bucket_bits + 1);
    return exact + octaves * (std::size_t{1} << sub_bucket_bits);
}

}  // namespace wv::metrics
