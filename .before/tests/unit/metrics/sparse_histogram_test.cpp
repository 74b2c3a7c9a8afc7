#include <doctest/doctest.h>

#include <random>

#include "metrics/histogram_json.hpp"
#include "metrics/sparse_histogram.hpp"

using wv::metrics::histogram;
using wv::metrics::sparse_histogram;

TEST_CASE("sparse histogram: same percentiles as the histogram it came from, and back again losslessly") {
    std::mt19937_64 rng(7);
    std::lognormal_distribution<double> lat(7.0, 1.5);  // around 1 ms, long tail
    for (int round = 0; round < 20; ++round) {
        histogram h;
        const int n = 1 + round * 37;
        for (int i = 0; i < n; ++i) h.record_us(static_cast<std::uint64_t>(lat(rng)));
        const sparse_histogram s(h);
        CHECK(s.count() == h.count());
        CHECK(s.buckets().size() <= h.count());  // one entry per distinct bucket at most
        for (double q : {0.0, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0}) CHECK(s.percentile_us(q) == h.percentile_us(q));
        const auto back = s.to_histogram();
        CHECK(back.buckets() == h.buckets());
        CHECK(back.min_us() == h.min_us());
        CHECK(back.max_us() == h.max_us());
        CHECK(back.sum_us() == h.sum_us());
    }
}

TEST_CASE("sparse histogram: merge equals the merge of the histograms") {
    histogram a, b;
    for (std::uint64_t v = 0; v < 3000; v += 7) a.record_us(v * v % 100'000);
    for (std::uint64_t v = 0; v < 500; v += 3) b.record_us(v + 40'000);
    sparse_histogram sa(a);
    sa.merge(sparse_histogram(b));
    a.merge(b);
    CHECK(sa.to_histogram().buckets() == a.buckets());
    CHECK(sa.min_us() == a.min_us());
    CHECK(sa.max_us() == a.max_us());
    for (double q : {0.5, 0.9, 0.99}) CHECK(sa.percentile_us(q) == a.percentile_us(q));
    sparse_histogram empty;
    empty.merge(sparse_histogram(b));  // an empty one takes the other's min
    CHECK(empty.min_us() == b.min_us());
    empty.merge({});
    CHECK(empty.count() == b.count());
}

TEST_CASE("sparse histogram: compact JSON form, byte for byte, and its errors") {
    histogram h;
    h.record_us(100, 30);
    h.record_us(300);
    const sparse_histogram s(h);
    const auto j = wv::metrics::to_compact_json(s);
    // [count, sum, min, max, [[index, count], ...]]
    CHECK(j.dump() == "[31,3300,100,300,[[100,30],[" + std::to_string(histogram::index_of(300)) + ",1]]]");
    CHECK(wv::metrics::sparse_histogram_from_json(j) == s);
    CHECK(wv::metrics::to_compact_json(sparse_histogram{}).dump() == "[0,0,0,0,[]]");
    using wv::metrics::sparse_histogram_from_json;
    CHECK_THROWS_WITH_AS(sparse_histogram_from_json(nlohmann::json::parse("[1,2,3]")), doctest::Contains("expected [count"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(sparse_histogram_from_json(nlohmann::json::parse("[2,0,0,0,[[5,1]]]")),
                         doctest::Contains("add up to 1, not count 2"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(sparse_histogram_from_json(nlohmann::json::parse("[2,0,0,0,[[5,1],[5,1]]]")),
                         doctest::Contains("must increase"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(sparse_histogram_from_json(nlohmann::json::parse("[1,0,0,0,[[99999,1]]]")),
                         doctest::Contains("out of range"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(sparse_histogram_from_json(nlohmann::json::parse("[1,0,0,0,[[-1,1]]]")),
                         doctest::Contains("[index, count]"), std::invalid_argument);
}

TEST_CASE("since: what a growing histogram recorded between two snapshots") {
    wv::metrics::histogram before;
    before.record_us(100, 5);
    before.record_us(5000, 2);
    auto later = before;
    later.record_us(900, 3);
    later.record_us(5000, 1);
    const auto d = wv::metrics::sparse_histogram::since(later, before);
    CHECK(d.count() == 4);
    CHECK(d.sum_us() == 3 * 900 + 5000);
    CHECK(d.percentile_us(0.5) == doctest::Approx(900).epsilon(0.01));
    CHECK(d.max_us() <= 5000);
    CHECK(d.min_us() >= 896);
    wv::metrics::histogram only_new;
    only_new.record_us(900, 3);
    only_new.record_us(5000, 1);
    CHECK(d.buckets() == wv::metrics::sparse_histogram(only_new).buckets());
    CHECK(wv::metrics::sparse_histogram::since(later, later).empty());
    CHECK(wv::metrics::sparse_histogram::since(later, {}).count() == later.count());
}
