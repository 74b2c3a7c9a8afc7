#pragma once
// JSON form of a histogram, lossless so that `wvsim merge` and any other consumer can merge
// shard reports exactly:
//   {"unit": "us", "count": N, "sum": S, "min": a, "max": b,
//    "p50": .., "p90": .., "p99": .., "p999": .., "mean": ..,   (convenience, ignored on read)
//    "buckets": [[index, count], ...]}                           (non-empty buckets only)
// and, for series of many small histograms (a report's per-second timeline), a compact form
// of a sparse_histogram:
//   [count, sum, min, max, [[index, count], ...]]
// Errors: the readers throw std::invalid_argument naming the bad field.
#include <nlohmann/json.hpp>

#include "metrics/histogram.hpp"
#include "metrics/sparse_histogram.hpp"

namespace wv::metrics {

nlohmann::json to_json(const histogram& h);
histogram histogram_from_json(const nlohmann::json& j);

nlohmann::json to_compact_json(const sparse_histogram& h);
sparse_histogram sparse_histogram_from_json(const nlohmann::json& j);

}  // namespace wv::metrics
