#pragma once
// Field-by-field comparison of a user's decoder output against the reference decoder's.
//
// Rules, chosen so that a decoder that would break a downstream consumer is caught and one
// that differs only in float printing is not:
// - Objects: every expected member must be present (missing_field) and no other member may be
//   (extra_field). Member order is irrelevant, as in JSON.
// - Numbers: two integers must be equal; when either is a float they match within a relative
//   tolerance |a - b| <= tol * max(|a|, |b|) (libprotobuf and Python print floats with
//   different digit counts; both denote the same float32).
// - A string never matches a number, nor a bool a number (type_mismatch): "1621953222194" and
//   1621953222194 differ, since protobuf's JSON mapping makes 64-bit integers strings and
//   consumers rely on it.
// - Arrays of different lengths are one count_mismatch (the sample count); arrays of equal
//   length holding the same elements in another order are one order_mismatch; otherwise
//   elements are compared index by index.
// Pure and thread-safe; never throws on any pair of JSON values; recursion is bounded by the
// depth of the inputs (the engine's inputs come from a JSON parser with its own depth limit).
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace wv::rules_engine {

enum class mismatch_kind {
    missing_field,
    extra_field,
    type_mismatch,
    value_mismatch,
    count_mismatch,
    order_mismatch,
};
inline constexpr std::size_t mismatch_kind_count = 6;
const char* to_string(mismatch_kind k) noexcept;

struct mismatch {
    mismatch_kind kind;
    std::string path;      // JSON pointer, e.g. "/data_samples/samples/3/timestamp"
    std::string expected;  // short JSON text ("" when absent)
    std::string actual;
};

struct compare_options {
    double float_tolerance = 1e-6;
    std::size_t max_reported = 64;  // mismatches kept in the result; counting goes on past it
};

struct compare_result {
    std::vector<mismatch> mismatches;                   // the first max_reported
    std::size_t total = 0;                              // all mismatches found
    std::array<std::size_t, mismatch_kind_count> by_kind{};  // counts, indexed by mismatch_kind
    bool equal() const noexcept { return total == 0; }
};

// Compares `actual` against `expected`; `base_path` prefixes every reported path.
void compare_json(const nlohmann::json& expected, const nlohmann::json& actual, const compare_options& opt,
                  compare_result& out, const std::string& base_path = "");

compare_result compare_json(const nlohmann::json& expected, const nlohmann::json& actual,
                            const compare_options& opt = {});

}  // namespace wv::rules_engine
