#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <thread>
#include <vector>

#include "metrics/concurrent_histogram.hpp"
#include "metrics/histogram.hpp"
#include "metrics/histogram_json.hpp"

using wv::metrics::histogram;

namespace {
// The reference: the ceil(q*n)-th smallest value, as percentile_us defines it.
std::uint64_t reference(std::vector<std::uint64_t> v, double q) {
    std::sort(v.begin(), v.end());
    auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
    rank = std::clamp<std::size_t>(rank, 1, v.size());
    return v[rank - 1];
}
}  // namespace

TEST_CASE("bucket layout: exact below 256, contiguous and 0.8% wide above") {
    for (std::uint64_t v = 0; v < 256; ++v) CHECK(histogram::index_of(v) == v);
    CHECK(histogram::index_of(256) == 256);
    CHECK(histogram::index_of(511) == 383);
    CHECK(histogram::index_of(512) == 384);
    CHECK(histogram::index_of(histogram::max_trackable_us) < histogram::bucket_count());
    CHECK(histogram::index_of(UINT64_MAX) == histogram::index_of(histogram::max_trackable_us));
    const auto top = histogram::index_of(histogram::max_trackable_us);
    for (std::size_t i = 0; i < top; ++i) {
        CHECK_MESSAGE(histogram::highest_in(i) + 1 == histogram::lowest_in(i + 1), i);
        CHECK(histogram::index_of(histogram::lowest_in(i)) == i);
        CHECK(histogram::index_of(histogram::highest_in(i)) == i);
        const auto lo = static_cast<double>(histogram::lowest_in(i));
        const auto width = static_cast<double>(histogram::highest_in(i) - histogram::lowest_in(i) + 1);
        if (i >= 256) CHECK(width / lo <= 1.0 / 128 + 1e-12);
    }
}

TEST_CASE("percentiles within 1% of a sorted reference over 1 us .. 1 h") {
    std::mt19937_64 rng(42);
    // Log-uniform values: every octave from 1 us to about an hour gets its share.
    std::uniform_real_distribution<double> exp10(0.0, std::log10(3.6e9));
    std::vector<std::uint64_t> values;
    histogram h;
    for (int i = 0; i < 100'000; ++i) {
        const auto v = static_cast<std::uint64_t>(std::pow(10.0, exp10(rng)));
        values.push_back(v);
        h.record_us(v);
    }
    for (double q : {0.0, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999, 1.0}) {
        const auto want = static_cast<double>(reference(values, q));
        const auto got = static_cast<double>(h.percentile_us(q));
        CHECK_MESSAGE(std::abs(got - want) <= want * 0.01 + 0.5, "q=" << q << " want " << want << " got " << got);
    }
    CHECK(h.count() == values.size());
    CHECK(h.max_us() == *std::max_element(values.begin(), values.end()));
    CHECK(h.min_us() == *std::min_element(values.begin(), values.end()));
    CHECK(h.percentile_us(1.0) == h.max_us());
}

TEST_CASE("small exact values and the empty histogram") {
    histogram h;
    CHECK(h.percentile_us(0.5) == 0);
    CHECK(h.mean_us() == 0.0);
    for (std::uint64_t v = 1; v <= 100; ++v) h.record_us(v);
    CHECK(h.percentile_us(0.5) == 50);
    CHECK(h.percentile_us(0.99) == 99);
    CHECK(h.percentile_us(1.0) == 100);
    CHECK(h.mean_us() == doctest::Approx(50.5));
    h.record(std::chrono::nanoseconds(-5));  // clock skew records as zero, not as a huge value
    CHECK(h.min_us() == 0);
    h.record(std::chrono::microseconds(7));
    CHECK(h.count() == 102);
}

TEST_CASE("merge is exact: shards merged equal one histogram of everything") {
    std::mt19937_64 rng(7);
    std::lognormal_distribution<double> d(8.0, 2.0);
    histogram all, a, b, c;
    for (int i = 0; i < 30'000; ++i) {
        const auto v = static_cast<std::uint64_t>(d(rng));
        all.record_us(v);
        (i % 3 == 0 ? a : i % 3 == 1 ? b : c).record_us(v);
    }
    histogram m;
    m.merge(a);
    m.merge(b);
    m.merge(c);
    CHECK(m.buckets() == all.buckets());
    CHECK(m.count() == all.count());
    CHECK(m.sum_us() == all.sum_us());
    CHECK(m.min_us() == all.min_us());
    CHECK(m.max_us() == all.max_us());
    for (double q : {0.5, 0.9, 0.99, 0.999}) CHECK(m.percentile_us(q) == all.percentile_us(q));
}

TEST_CASE("JSON round trip is lossless, and merging JSON shards is exact") {
    histogram a, b;
    for (std::uint64_t v = 1; v < 50'000; v += 37) a.record_us(v * 3);
    for (std::uint64_t v = 1; v < 9'000; v += 11) b.record_us(v * 101);
    const auto ja = wv::metrics::to_json(a);
    const auto back = wv::metrics::histogram_from_json(nlohmann::json::parse(ja.dump()));
    CHECK(back.buckets() == a.buckets());
    CHECK(back.count() == a.count());
    CHECK(back.sum_us() == a.sum_us());
    CHECK(back.min_us() == a.min_us());
    CHECK(back.max_us() == a.max_us());
    CHECK(ja["p99"] == a.percentile_us(0.99));

    auto m = wv::metrics::histogram_from_json(ja);
    m.merge(wv::metrics::histogram_from_json(wv::metrics::to_json(b)));
    histogram direct = a;
    direct.merge(b);
    CHECK(m.buckets() == direct.buckets());
    CHECK(m.percentile_us(0.999) == direct.percentile_us(0.999));

    const auto empty = wv::metrics::histogram_from_json(wv::metrics::to_json(histogram{}));
    CHECK(empty.count() == 0);
}

TEST_CASE("bad JSON gets a clear error") {
    using nlohmann::json;
    CHECK_THROWS_WITH_AS(wv::metrics::histogram_from_json(json::array()), "histogram: not a JSON object",
                         std::invalid_argument);
    CHECK_THROWS_AS(wv::metrics::histogram_from_json(json{{"count", 1}}), std::invalid_argument);
    const json out_of_range{{"count", 1}, {"sum", 1}, {"min", 1}, {"max", 1}, {"buckets", json::array({json::array({999999, 1})})}};
    CHECK_THROWS_WITH_AS(wv::metrics::histogram_from_json(out_of_range), "histogram bucket index 999999 out of range",
                         std::invalid_argument);
    const json wrong_total{{"count", 5}, {"sum", 1}, {"min", 1}, {"max", 1}, {"buckets", json::array({json::array({1, 1})})}};
    CHECK_THROWS_AS(wv::metrics::histogram_from_json(wrong_total), std::invalid_argument);
    const json bad_bucket{{"count", 1}, {"sum", 1}, {"min", 1}, {"max", 1}, {"buckets", json::array({"x"})}};
    CHECK_THROWS_AS(wv::metrics::histogram_from_json(bad_bucket), std::invalid_argument);
}

TEST_CASE("concurrent_histogram: records from many threads merge to the exact total") {
    wv::metrics::concurrent_histogram ch;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&ch, t] {
            for (int i = 0; i < 10'000; ++i) ch.record_us(static_cast<std::uint64_t>(t * 1000 + i % 1000));
        });
    for (auto& t : threads) t.join();
    const auto s = ch.snapshot();
    CHECK(s.count() == 40'000);
    CHECK(s.max_us() == 3999);
    const auto taken = ch.take();
    CHECK(taken.count() == 40'000);
    CHECK(ch.snapshot().count() == 0);
}

TEST_CASE("count_at_or_above: exact on bucket boundaries, the holding bucket otherwise") {
    histogram h;
    CHECK(h.count_at_or_above(0) == 0);
    for (std::uint64_t v : {5, 255, 256, 999'424, 1'000'000, 1'010'000, 3'000'000}) h.record_us(v);
    CHECK(h.count_at_or_above(0) == 7);
    CHECK(h.count_at_or_above(6) == 6);
    CHECK(h.count_at_or_above(256) == 5);
    // 1 s sits in the bucket that starts at 999,424 us (8,192 us wide at that size).
    CHECK(histogram::lowest_in(histogram::index_of(1'000'000)) == 999'424);
    CHECK(h.count_at_or_above(1'000'000) == 4);
    CHECK(h.count_at_or_above(1'010'000) == 2);
    CHECK(h.count_at_or_above(histogram::max_trackable_us) == 0);
}
