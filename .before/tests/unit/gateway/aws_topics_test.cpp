#include <doctest/doctest.h>

#include <string>

#include "gateway/aws_topics.hpp"

using namespace wv::gate;

TEST_CASE("AWS filter matching: a table") {
    struct row { const char* filter; const char* topic; bool match; };
    const row rows[] = {
        {"sensor/#", "sensor/x", true},
        {"sensor/#", "sensor/", true},
        {"sensor/#", "sensor", false},  // AWS: no parent match (MQTT says match)
        {"sensor/#", "sensor/a/b/c", true},
        {"#", "a", true},
        {"#", "$aws/x", false},
        {"+/x", "$aws/x", false},
        {"$aws/events/presence/+/d1", "$aws/events/presence/connected/d1", true},
        {"foo/+", "foo/bar/baz", false},
        {"foo/+", "foo/", true},
        {"foo/+/baz", "foo/bar/baz", true},
        {"a/b", "a/b", true},
        {"a/b", "a/b/c", false},
        {"+", "a", true},
        {"+", "a/b", false},
        {"+/+", "/", true},
    };
    for (const auto& r : rows) CHECK_MESSAGE(aws_filter_matches(r.filter, r.topic) == r.match, r.filter, " vs ", r.topic);
}

TEST_CASE("publish topics: limits and reserved names") {
    const topic_limits lim;
    CHECK(check_publish_topic("wv/1/2/3/4/5/6/7", false, lim) == topic_verdict::ok);
    CHECK(check_publish_topic("wv/1/2/3/4/5/6/7/8", false, lim) == topic_verdict::too_many_levels);
    CHECK(check_publish_topic(std::string(256, 'a'), false, lim) == topic_verdict::ok);
    CHECK(check_publish_topic(std::string(257, 'a'), false, lim) == topic_verdict::too_long);
    // Basic Ingest: the $aws/rules/<rule>/ prefix does not count.
    CHECK(check_publish_topic("$aws/rules/r/a/1/2/3/4/5/6/7", false, lim) == topic_verdict::ok);
    CHECK(check_publish_topic("$aws/things/t/shadow/update", false, lim) == topic_verdict::ok);
    CHECK(check_publish_topic("$aws/things/t/shadow/update", true, lim) == topic_verdict::reserved);
    CHECK(check_publish_topic("$aws/events/presence/connected/x", false, lim) == topic_verdict::reserved);
    CHECK(check_publish_topic("$SYS/x", false, lim) == topic_verdict::reserved);
    CHECK(check_subscribe_filter("$aws/rules/r/x", lim) == topic_verdict::reserved);
    CHECK(check_subscribe_filter("$aws/events/presence/connected/+", lim) == topic_verdict::ok);
}
