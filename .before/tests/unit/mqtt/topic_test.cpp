#include "unit/mqtt/wire.hpp"

#include <string>
#include <vector>

#include "fuzz/mqtt/topic_reference.hpp"

using namespace wv::mqtt;

TEST_CASE("topic_matches: Paho's test_topic_matcher.cpp corner cases") {
    const struct {
        const char* filter;
        const char* name;
        bool match;
    } table[] = {
        {"foo/bar", "foo/bar", true},
        {"foo/+", "foo/bar", true},
        {"foo/+/baz", "foo/bar/baz", true},
        {"foo/+/#", "foo/bar/baz", true},
        {"A/B/+/#", "A/B/B/C", true},
        {"#", "foo/bar/baz", true},
        {"#", "/foo/bar", true},
        {"/#", "/foo/bar", true},
        {"$SYS/bar", "$SYS/bar", true},
        {"foo/#", "foo/$bar", true},
        {"foo/+/baz", "foo/$bar/baz", true},
        {"test/6/#", "test/3", false},
        {"foo/bar", "foo", false},
        {"foo/+", "foo/bar/baz", false},
        {"foo/+/baz", "foo/bar/bar", false},
        {"foo/+/#", "fo2/bar/baz", false},
        {"/#", "foo/bar", false},
        {"#", "$SYS/bar", false},
        {"$BOB/bar", "$SYS/bar", false},
        {"+/bar", "$SYS/bar", false},
    };
    for (const auto& row : table) {
        CAPTURE(row.filter);
        CAPTURE(row.name);
        CHECK(topic_matches(row.filter, row.name) == row.match);
    }
}

TEST_CASE("topic_matches: the spec's examples (4.7.1) and edge levels") {
    const struct {
        const char* filter;
        const char* name;
        bool match;
    } table[] = {
        {"sport/tennis/player1/#", "sport/tennis/player1", true},   // '#' includes the parent
        {"sport/tennis/player1/#", "sport/tennis/player1/ranking", true},
        {"sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true},
        {"sport/#", "sport", true},
        {"sport/tennis/#", "sport/tennis", true},
        {"sport/tennis/#", "sport/tennisx", false},
        {"sport/tennis/+", "sport/tennis/player1", true},
        {"sport/tennis/+", "sport/tennis/player1/ranking", false},
        {"sport/+", "sport", false},
        {"sport/+", "sport/", true},                                // '+' matches an empty level
        {"+/+", "/finance", true},
        {"/+", "/finance", true},
        {"+", "/finance", false},
        {"+", "finance", true},
        {"+/#", "a", true},
        {"a/+/#", "a", false},                                      // '+' needs a level
        {"a/+/#", "a/b", true},
        {"a//b", "a//b", true},
        {"a/+/b", "a//b", true},
        {"a/b", "a/b/", false},
        {"a/b/", "a/b", false},
        {"a/b/#", "a/b/", true},
        {"#", "$SYS", false},                                       // [MQTT-4.7.2-1]
        {"+/monitor/Clients", "$SYS/monitor/Clients", false},
        {"$SYS/#", "$SYS/monitor/Clients", true},
        {"$SYS/monitor/+", "$SYS/monitor/Clients", true},
        {"$aws/things/+/shadow/update", "$aws/things/d1/shadow/update", true},
        {"ACCOUNTS", "Accounts", false},                            // case-sensitive (4.7.3)
        {"a", "a ", false},
    };
    for (const auto& row : table) {
        CAPTURE(row.filter);
        CAPTURE(row.name);
        CHECK(topic_matches(row.filter, row.name) == row.match);
    }
}

TEST_CASE("validate_topic_filter: wildcards must be whole levels, '#' last") {
    const struct {
        const char* filter;
        std::error_code e;
    } table[] = {
        {"#", {}},
        {"+", {}},
        {"sport/tennis/#", {}},
        {"+/tennis/#", {}},
        {"sport/+/player1", {}},
        {"/", {}},
        {"//", {}},
        {"+/+", {}},
        {"$SYS/#", {}},
        {"", mqtt_errc::empty_topic_filter},
        {"sport/tennis#", mqtt_errc::misplaced_multi_level_wildcard},
        {"sport/tennis/#/ranking", mqtt_errc::misplaced_multi_level_wildcard},
        {"#/", mqtt_errc::misplaced_multi_level_wildcard},
        {"##", mqtt_errc::misplaced_multi_level_wildcard},
        {"a/#b", mqtt_errc::misplaced_multi_level_wildcard},
        {"sport+", mqtt_errc::misplaced_single_level_wildcard},
        {"sport/+x", mqtt_errc::misplaced_single_level_wildcard},
        {"x+/y", mqtt_errc::misplaced_single_level_wildcard},
        {"++", mqtt_errc::misplaced_single_level_wildcard},
        {"+#", mqtt_errc::misplaced_single_level_wildcard},
    };
    for (const auto& row : table) {
        CAPTURE(row.filter);
        CHECK(validate_topic_filter(row.filter) == row.e);
    }
}

TEST_CASE("validate_topic_name: non-empty, no wildcards") {
    CHECK_FALSE(validate_topic_name("a"));
    CHECK_FALSE(validate_topic_name("/"));
    CHECK_FALSE(validate_topic_name("$SYS/x"));
    CHECK(validate_topic_name("") == mqtt_errc::empty_topic_name);
    CHECK(validate_topic_name("a/+") == mqtt_errc::wildcard_in_topic_name);
    CHECK(validate_topic_name("a/#") == mqtt_errc::wildcard_in_topic_name);
    CHECK(validate_topic_name("a+b") == mqtt_errc::wildcard_in_topic_name);
    CHECK(is_wildcard("a/+/b"));
    CHECK(is_wildcard("#"));
    CHECK_FALSE(is_wildcard("a/b"));
}

TEST_CASE("topic_matches: agrees with a naive level-by-level matcher on every short filter and name") {
    // Every filter of up to 5 characters over {a, b, /, +, #, $} and every name of up to 4
    // characters over {a, b, /, $}: 1,711 valid filters x 340 names, 580,000 pairs.
    const auto all_strings = [](std::string_view alphabet, std::size_t max_len) {
        std::vector<std::string> out{""};
        for (std::size_t begin = 0, len = 1; len <= max_len; ++len) {
            const std::size_t end = out.size();
            for (std::size_t i = begin; i < end; ++i)
                for (const char c : alphabet) out.push_back(out[i] + c);
            begin = end;
        }
        return out;
    };
    std::vector<std::string> filters;
    for (auto& f : all_strings("ab/+#$", 5))
        if (!validate_topic_filter(f)) filters.push_back(std::move(f));
    std::vector<std::string> names;
    for (auto& n : all_strings("ab/$", 4))
        if (!validate_topic_name(n)) names.push_back(std::move(n));
    std::size_t mismatches = 0;
    std::size_t matches = 0;
    for (const auto& f : filters)
        for (const auto& n : names) {
            const bool got = topic_matches(f, n);
            matches += got;
            if (got != wv::mqtt::fuzz::reference_matches(f, n) && ++mismatches <= 10)
                FAIL_CHECK("filter \"" << f << "\" name \"" << n << "\": topic_matches says " << got);
        }
    CHECK(mismatches == 0);
    CHECK(matches > 2000);  // the table exercises matching, not just rejection
    MESSAGE(filters.size() << " filters x " << names.size() << " names, " << matches << " matches");
}
