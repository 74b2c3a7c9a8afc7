// Finding a decoder's output in what the call logged (decoders that log their result and
// return nothing): the lines are the shapes the runners and Lambda's log tail produce.
#include <doctest/doctest.h>

#include <stdexcept>

#include "rules_engine/logged_output.hpp"

using namespace wv::rules_engine;
using njson = nlohmann::json;

TEST_CASE("logged output: the last JSON object, whatever precedes it on its line") {
    const auto event = njson::parse(R"({"client_id":"AK1","topic":"wv/AK1/1/samp/p1","data":"CAE="})");
    const std::vector<std::string> lines{
        R"({"client_id":"AK1","topic":"wv/AK1/1/samp/p1","data":"CAE="})",          // the event, logged first
        R"({"first":1})",
        "[INFO]\t2026-12-06T10:00:00.123Z\tb0a1-req\tAK1:Lambda Output:{\"data_samples\":{\"reportId\":\"1\"}}",
        "done",
        "END RequestId: b0a1-req",
    };
    const auto got = last_logged_json_object(lines, event);
    REQUIRE(got);
    CHECK(got->line == 2);
    CHECK(got->value == njson::parse(R"({"data_samples":{"reportId":"1"}})"));
}

TEST_CASE("logged output: the call's own event is never taken for its output") {
    const auto event = njson::parse(R"({"client_id":"AK1","topic":"wv/AK1/1/reportend/p1"})");
    CHECK_FALSE(last_logged_json_object({"START", R"(event: {"topic":"wv/AK1/1/reportend/p1","client_id":"AK1"})",
                                         "ignoring topic"},
                                        event));
    // Without an event to skip, that same line is an object.
    CHECK(last_logged_json_object({R"(event: {"a":1})"}, njson())->value == njson::parse(R"({"a":1})"));
}

TEST_CASE("logged output: braces that are not JSON, and lines without any") {
    CHECK_FALSE(last_logged_json_object({}, njson()));
    CHECK_FALSE(last_logged_json_object({"no braces", "a {b} c", "{'python': 'repr'}", "}{"}, njson()));
    // A prefix with a brace of its own: the next '{' is tried.
    const auto got = last_logged_json_object({"[{client}] out={\"x\":[1,2]} trailing"}, njson());
    REQUIRE(got);
    CHECK(got->value == njson::parse(R"({"x":[1,2]})"));
    // Arrays and scalars are not objects: the earlier object wins.
    const auto earlier = last_logged_json_object({R"({"o":1})", "[1,2]", "42"}, njson());
    REQUIRE(earlier);
    CHECK(earlier->line == 0);
}

TEST_CASE("logged output: the JSON after a marker on the last line holding it") {
    const std::vector<std::string> lines{"AK1:Lambda Output:{\"n\":1}", "AK1:Lambda Output:  {\"n\":2}  ",
                                         R"({"later":"object"})"};
    const auto got = logged_json_after_marker(lines, "Lambda Output:");
    REQUIRE(got);
    CHECK(got->line == 1);
    CHECK(got->value == njson::parse(R"({"n":2})"));
    CHECK_FALSE(logged_json_after_marker(lines, "Decoded:"));
    CHECK(logged_json_after_marker({"Lambda Output:null"}, "Lambda Output:")->value.is_null());
    CHECK_THROWS_AS(logged_json_after_marker({"Lambda Output:{'a': 1}"}, "Lambda Output:"), std::invalid_argument);
}

TEST_CASE("logged output: a python dict printed with print() gets a hint") {
    CHECK(no_logged_json_hint({"x", "AK1:Lambda Output:{'data_samples': {}}"}).find("json.dumps") != std::string::npos);
    CHECK(no_logged_json_hint({"nothing here"}).empty());
}
