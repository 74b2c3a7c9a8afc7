#include "metrics/histogram_json.hpp"

#include <stdexcept>

namespace wv::metrics {

nlohmann::json to_json(const histogram& h) {
    nlohmann::json buckets = nlohmann::json::array();
    const auto& b = h.buckets();
    for (std::size_t i = 0; i < b.size(); ++i)
        if (b[i]) buckets.push_back({i, b[i]});
    return {{"unit", "us"},
            {"count", h.count()},
            {"sum", h.sum_us()},
            {"min", h.min_us()},
            {"max", h.max_us()},
            {"mean", h.mean_us()},
            {"p50", h.percentile_us(0.50)},
            {"p90", h.percentile_us(0.90)},
            {"p99", h.percentile_us(0.99)},
            {"p999", h.percentile_us(0.999)},
            {"buckets", std::move(buckets)}};
}

namespace {
// nlohmann stores small literals as signed: accept any non-negative integer.
bool is_count(const nlohmann::json& j) {
    return j.is_number_unsigned() || (j.is_number_integer() && j.get<std::int64_t>() >= 0);
}

std::uint64_t field(const nlohmann::json& j, const char* name) {
    const auto it = j.find(name);
    if (it == j.end() || !is_count(*it))
        throw std::invalid_argument(std::string("histogram: \"") + name + "\" missing or not an unsigned integer");
    return it->get<std::uint64_t>();
}
}  // namespace

histogram histogram_from_json(const nlohmann::json& j) {
    if (!j.is_object()) throw std::invalid_argument("histogram: not a JSON object");
    if (j.contains("unit") && j["unit"] != "us") throw std::invalid_argument("histogram: unit must be \"us\"");
    const auto it = j.find("buckets");
    if (it == j.end() || !it->is_array()) throw std::invalid_argument("histogram: \"buckets\" missing or not an array");
    std::vector<std::pair<std::size_t, std::uint64_t>> parts;
    parts.reserve(it->size());
    for (const auto& e : *it) {
        if (!e.is_array() || e.size() != 2 || !is_count(e[0]) || !is_count(e[1]))
            throw std::invalid_argument("histogram: each bucket must be [index, count]");
        parts.emplace_back(e[0].get<std::size_t>(), e[1].get<std::uint64_t>());
    }
    return histogram::from_parts(parts, field(j, "count"), field(j, "sum"), field(j, "min"), field(j, "max"));
}

nlohmann::json to_compact_json(const sparse_histogram& h) {
    nlohmann::json buckets = nlohmann::json::array();
    for (const auto& b : h.buckets()) buckets.push_back({b.index, b.count});
    return {h.count(), h.sum_us(), h.min_us(), h.max_us(), std::move(buckets)};
}

sparse_histogram sparse_histogram_from_json(const nlohmann::json& j) {
    if (!j.is_array() || j.size() != 5 || !is_count(j[0]) || !is_count(j[1]) || !is_count(j[2]) || !is_count(j[3]) ||
        !j[4].is_array())
        throw std::invalid_argument("histogram: expected [count, sum, min, max, [[index, count], ...]]");
    std::vector<sparse_histogram::bucket> parts;
    parts.reserve(j[4].size());
    for (const auto& e : j[4]) {
        if (!e.is_array() || e.size() != 2 || !is_count(e[0]) || !is_count(e[1]) ||
            e[0].get<std::uint64_t>() > UINT32_MAX)
            throw std::invalid_argument("histogram: each bucket must be [index, count]");
        parts.push_back({e[0].get<std::uint32_t>(), e[1].get<std::uint64_t>()});
    }
    return sparse_histogram::from_parts(std::move(parts), j[0].get<std::uint64_t>(), j[1].get<std::uint64_t>(),
                                        j[2].get<std::uint64_t>(), j[3].get<std::uint64_t>());
}

}  // namespace wv::metrics
