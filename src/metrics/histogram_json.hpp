#pragma once
// JSON form of a histogram, lossless so that `wvsim merge` and any other consumer can merge
// shard reports exactly:
//   {"unit": "us", "count": N, "sum": S, "min": a, "max": b,
//    "p50": .., "p90": .., "p99": .., "p999": .., "mean": ..,   (convenience, ignored on read)
//    "buckets": [[index, count], ...]}                           (non-empty buckets only)
// Errors: from_json throws std::invalid_argument naming the bad field.
#include <nlohmann/json.hpp>

#include "metrics/histogram.hpp"

namespace wv::metrics {

nlohmann::json to_json(const histogram& h);
histogram histogram_from_json(const nlohmann::json& j);

}  // namespace wv::metrics
