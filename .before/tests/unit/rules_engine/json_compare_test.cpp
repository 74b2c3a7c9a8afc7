#include <doctest/doctest.h>

#include "rules_engine/json_compare.hpp"

using wv::rules_engine::compare_json;
using wv::rules_engine::mismatch_kind;
using nlohmann::json;

namespace {

// The single mismatch of a comparison expected to find exactly one.
wv::rules_engine::mismatch only(const json& e, const json& a, double tol = 1e-6) {
    const auto r = compare_json(e, a, {.float_tolerance = tol});
    REQUIRE(r.total == 1);
    REQUIRE(r.mismatches.size() == 1);
    return r.mismatches[0];
}

}  // namespace

TEST_CASE("compare: equal documents, member order irrelevant") {
    const auto e = json::parse(R"({"a": 1, "b": {"c": "x", "d": [1, 2.5, true, null]}})");
    const auto a = json::parse(R"({"b": {"d": [1, 2.5, true, null], "c": "x"}, "a": 1})");
    CHECK(compare_json(e, a).equal());
}

TEST_CASE("compare: floats within a relative tolerance, integers exactly") {
    // libprotobuf (9 digits) and python (shortest) print the same float32 differently.
    CHECK(compare_json(json(0.123456701), json(0.1234567)).equal());
    CHECK(compare_json(json(1e30), json(1.0000001e30)).equal());
    auto m = only(json(1.0), json(1.001));
    CHECK(m.kind == mismatch_kind::value_mismatch);
    CHECK(m.path == "/");
    CHECK(only(json(3), json(4)).kind == mismatch_kind::value_mismatch);
    // An integer printed as 3.0 is the same number.
    CHECK(compare_json(json(3), json(3.0)).equal());
    // Zero tolerance: only identical values match.
    CHECK(only(json(0.1234567), json(0.123456701), 0).kind == mismatch_kind::value_mismatch);
    // Unsigned vs signed integers compare by value.
    CHECK(compare_json(json(std::uint64_t{5}), json(std::int64_t{5})).equal());
    CHECK_FALSE(compare_json(json(std::uint64_t{18446744073709551615ULL}), json(std::int64_t{-1})).equal());
}

TEST_CASE("compare: strings and numbers never match") {
    const auto m = only(json::parse(R"({"timestamp": "1621953222194"})"), json::parse(R"({"timestamp": 1621953222194})"));
    CHECK(m.kind == mismatch_kind::type_mismatch);
    CHECK(m.path == "/timestamp");
    CHECK(m.expected == "\"1621953222194\"");
    CHECK(m.actual == "1621953222194");
    CHECK(only(json(true), json(1)).kind == mismatch_kind::type_mismatch);
    CHECK(only(json(nullptr), json(0)).kind == mismatch_kind::type_mismatch);
}

TEST_CASE("compare: missing and extra fields, with escaped pointers") {
    auto m = only(json::parse(R"({"a/b": {"x~y": 1}})"), json::parse(R"({"a/b": {}})"));
    CHECK(m.kind == mismatch_kind::missing_field);
    CHECK(m.path == "/a~1b/x~0y");
    m = only(json::parse(R"({"a": 1})"), json::parse(R"({"a": 1, "b": 2})"));
    CHECK(m.kind == mismatch_kind::extra_field);
    CHECK(m.path == "/b");
}

TEST_CASE("compare: sample count, order, and element differences") {
    const auto e = json::parse(R"({"samples": [{"v": 1}, {"v": 2}, {"v": 3}]})");
    auto m = only(e, json::parse(R"({"samples": [{"v": 1}, {"v": 2}]})"));
    CHECK(m.kind == mismatch_kind::count_mismatch);
    CHECK(m.path == "/samples");
    CHECK(m.expected == "3");
    CHECK(m.actual == "2");
    m = only(e, json::parse(R"({"samples": [{"v": 3}, {"v": 1}, {"v": 2}]})"));
    CHECK(m.kind == mismatch_kind::order_mismatch);
    const auto r = compare_json(e, json::parse(R"({"samples": [{"v": 1}, {"v": 5}, {"w": 3}]})"));
    CHECK(r.total == 3);
    CHECK(r.by_kind[static_cast<std::size_t>(mismatch_kind::value_mismatch)] == 1);
    CHECK(r.by_kind[static_cast<std::size_t>(mismatch_kind::missing_field)] == 1);
    CHECK(r.by_kind[static_cast<std::size_t>(mismatch_kind::extra_field)] == 1);
    CHECK(r.mismatches[0].path == "/samples/1/v");
}

TEST_CASE("compare: max_reported bounds the list, not the counts") {
    json e = json::array(), a = json::array();
    for (int i = 0; i < 100; ++i) {
        e.push_back(i);
        a.push_back(i + 1000);
    }
    const auto r = compare_json(e, a, {.float_tolerance = 0, .max_reported = 5});
    CHECK(r.total == 100);
    CHECK(r.mismatches.size() == 5);
}
