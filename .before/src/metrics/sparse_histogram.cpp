#include "metrics/sparse_histogram.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace wv::metrics {

sparse_histogram::sparse_histogram(const histogram& h)
    : count_(h.count()), sum_(h.sum_us()), min_(h.min_us()), max_(h.max_us()) {
    const auto& b = h.buckets();
    for (std::size_t i = 0; i < b.size(); ++i)
        if (b[i]) buckets_.push_back({static_cast<std::uint32_t>(i), b[i]});
}

sparse_histogram sparse_histogram::since(const histogram& later, const histogram& earlier) {
    sparse_histogram d;
    const auto& a = later.buckets();
    const auto& b = earlier.buckets();
    for (std::size_t i = 0; i < a.size(); ++i) {
        const std::uint64_t before = i < b.size() ? b[i] : 0;
        if (a[i] > before) {
            d.buckets_.push_back({static_cast<std::uint32_t>(i), a[i] - before});
            d.count_ += a[i] - before;
        }
    }
    if (d.count_ == 0) return {};
    d.sum_ = later.sum_us() > earlier.sum_us() ? later.sum_us() - earlier.sum_us() : 0;
    d.min_ = std::max(histogram::lowest_in(d.buckets_.front().index), later.min_us());
    d.max_ = std::min(histogram::highest_in(d.buckets_.back().index), later.max_us());
    if (d.max_ < d.min_) d.max_ = d.min_;
    return d;
}

histogram sparse_histogram::to_histogram() const {
    std::vector<std::pair<std::size_t, std::uint64_t>> parts;
    parts.reserve(buckets_.size());
    for (const auto& b : buckets_) parts.emplace_back(b.index, b.count);
    return histogram::from_parts(parts, count_, sum_, min_, max_);
}

void sparse_histogram::merge(const sparse_histogram& o) {
    if (o.empty()) return;
    std::vector<bucket> out;
    out.reserve(buckets_.size() + o.buckets_.size());
    auto a = buckets_.cbegin();
    auto b = o.buckets_.cbegin();
    while (a != buckets_.cend() || b != o.buckets_.cend()) {
        if (b == o.buckets_.cend() || (a != buckets_.cend() && a->index < b->index)) out.push_back(*a++);
        else if (a == buckets_.cend() || b->index < a->index) out.push_back(*b++);
        else out.push_back({a->index, (a++)->count + (b++)->count});
    }
    buckets_ = std::move(out);
    min_ = empty() ? o.min_ : std::min(min_, o.min_);
    max_ = std::max(max_, o.max_);
    count_ += o.count_;
    sum_ += o.sum_;
}

std::uint64_t sparse_histogram::percentile_us(double q) const noexcept {
    // The same walk as histogram::percentile_us, over the non-empty buckets only.
    if (count_ == 0) return 0;
    q = std::clamp(q, 0.0, 1.0);
    auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
    rank = std::clamp<std::uint64_t>(rank, 1, count_);
    if (rank == count_) return max_;
    std::uint64_t seen = 0;
    for (const auto& b : buckets_) {
        seen += b.count;
        if (seen >= rank) {
            const std::uint64_t lo = histogram::lowest_in(b.index), hi = histogram::highest_in(b.index);
            return std::clamp(lo + (hi - lo) / 2, min_, max_);
        }
    }
    return max_;
}

sparse_histogram sparse_histogram::from_parts(std::vector<bucket> buckets, std::uint64_t count, std::uint64_t sum_us,
                                              std::uint64_t min_us, std::uint64_t max_us) {
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < buckets.size(); ++i) {
        if (buckets[i].index >= histogram::bucket_count())
            throw std::invalid_argument("histogram bucket index " + std::to_string(buckets[i].index) + " out of range");
        if (i && buckets[i].index <= buckets[i - 1].index)
            throw std::invalid_argument("histogram bucket indexes must increase");
        total += buckets[i].count;
    }
    if (total != count)
        throw std::invalid_argument("histogram bucket counts add up to " + std::to_string(total) + ", not count " +
                                    std::to_string(count));
    std::erase_if(buckets, [](const bucket& b) { return b.count == 0; });
    sparse_histogram h;
    h.buckets_ = std::move(buckets);
    h.count_ = count;
    h.sum_ = sum_us;
    h.min_ = count ? min_us : 0;
    h.max_ = max_us;
    return h;
}

}  // namespace wv::metrics
