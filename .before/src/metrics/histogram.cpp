#include "metrics/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <string>

namespace wv::metrics {

namespace {
constexpr unsigned bits = histogram::sub_bucket_bits;
constexpr std::uint64_t exact_limit = std::uint64_t{1} << (bits + 1);  // 256
constexpr std::uint64_t half = std::uint64_t{1} << bits;                 // 128
}  // namespace

histogram::histogram() : buckets_(bucket_count(), 0) {}

std::size_t histogram::index_of(std::uint64_t v) noexcept {
    v = std::min(v, max_trackable_us);
    if (v < exact_limit) return static_cast<std::size_t>(v);
    // shift makes the mantissa fall in [128, 256): 7 significant bits after the leading one.
    const unsigned shift = static_cast<unsigned>(std::bit_width(v)) - (bits + 1);
    const std::uint64_t mantissa = v >> shift;
    return static_cast<std::size_t>(exact_limit + (shift - 1) * half + (mantissa - half));
}

std::uint64_t histogram::lowest_in(std::size_t i) noexcept {
    if (i < exact_limit) return i;
    const std::size_t k = i - exact_limit;
    const std::uint64_t shift = k / half + 1;
    const std::uint64_t mantissa = half + k % half;
    return mantissa << shift;
}

std::uint64_t histogram::highest_in(std::size_t i) noexcept {
    if (i < exact_limit) return i;
    const std::size_t k = i - exact_limit;
    const std::uint64_t shift = k / half + 1;
    return lowest_in(i) + (std::uint64_t{1} << shift) - 1;
}

void histogram::record_us(std::uint64_t v, std::uint64_t times) noexcept {
    if (times == 0) return;
    buckets_[index_of(v)] += times;
    count_ += times;
    sum_ += v * times;
    min_ = std::min(min_, v);
    max_ = std::max(max_, v);
}

void histogram::record(std::chrono::nanoseconds d) noexcept {
    const auto ns = d.count();
    record_us(ns <= 0 ? 0 : static_cast<std::uint64_t>(ns + 500) / 1000);
}

void histogram::merge(const histogram& o) noexcept {
    for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += o.buckets_[i];
    count_ += o.count_;
    sum_ += o.sum_;
    min_ = std::min(min_, o.min_);
    max_ = std::max(max_, o.max_);
}

void histogram::reset() noexcept {
    std::fill(buckets_.begin(), buckets_.end(), 0);
    count_ = sum_ = max_ = 0;
    min_ = UINT64_MAX;
}

std::uint64_t histogram::percentile_us(double q) const noexcept {
    if (count_ == 0) return 0;
    q = std::clamp(q, 0.0, 1.0);
    auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
    rank = std::clamp<std::uint64_t>(rank, 1, count_);
    if (rank == count_) return max_;  // the largest value is known exactly
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
        seen += buckets_[i];
        if (seen >= rank) {
            const std::uint64_t mid = lowest_in(i) + (highest_in(i) - lowest_in(i)) / 2;
            return std::clamp(mid, min_us(), max_);
        }
    }
    return max_;
}

std::uint64_t histogram::count_at_or_above(std::uint64_t us) const noexcept {
    std::uint64_t n = 0;
    for (std::size_t i = index_of(us); i < buckets_.size(); ++i) n += buckets_[i];
    return n;
}

histogram histogram::from_parts(const std::vector<std::pair<std::size_t, std::uint64_t>>& buckets,
                                std::uint64_t count, std::uint64_t sum_us, std::uint64_t min_us,
                                std::uint64_t max_us) {
    histogram h;
    std::uint64_t total = 0;
    for (const auto& [i, n] : buckets) {
        if (i >= h.buckets_.size())
            throw std::invalid_argument("histogram bucket index " + std::to_string(i) + " out of range");
        h.buckets_[i] += n;
        total += n;
    }
    if (total != count)
        throw std::invalid_argument("histogram bucket counts add up to " + std::to_string(total) +
                                    ", not count " + std::to_string(count));
    h.count_ = count;
    h.sum_ = sum_us;
    h.min_ = count ? min_us : UINT64_MAX;
    h.max_ = max_us;
    return h;
}

}  // namespace wv::metrics
