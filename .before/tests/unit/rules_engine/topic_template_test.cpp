#include <doctest/doctest.h>

#include <stdexcept>

#include "rules_engine/topic_template.hpp"

using wv::rules_engine::topic_template;
using wv::rules::sql_version;

namespace {

wv::rules::message msg(std::string topic, std::string payload = "{}") {
    wv::rules::message m;
    m.topic = std::move(topic);
    m.payload = std::move(payload);
    m.client_id = "AKID-0";
    m.principal = "dev1";
    m.timestamp_ms = 1621953222194;
    return m;
}

}  // namespace

TEST_CASE("template: functions, levels, payload fields, literals") {
    const auto m = msg("wv/AKID-0/1/samp/p1", R"({"site": "north", "n": 7})");
    CHECK(topic_template("decoded/${clientid()}", sql_version::v2016_03_23).expand(m) == "decoded/AKID-0");
    CHECK(topic_template("${topic()}/out", sql_version::v2016_03_23).expand(m) == "wv/AKID-0/1/samp/p1/out");
    CHECK(topic_template("x/${topic(4)}/${topic(2)}", sql_version::v2015_10_08).expand(m) == "x/samp/AKID-0");
    CHECK(topic_template("by-site/${site}/${n}", sql_version::v2016_03_23).expand(m) == "by-site/north/7");
    CHECK(topic_template("t/${timestamp()}", sql_version::v2016_03_23).expand(m) == "t/1621953222194");
    CHECK(topic_template("p/${principal()}", sql_version::v2016_03_23).expand(m) == "p/dev1");
    CHECK(topic_template("plain/topic", sql_version::v2016_03_23).is_literal());
    // Undefined substitutes nothing.
    CHECK(topic_template("a/${missing}/b", sql_version::v2016_03_23).expand(m) == "a//b");
    CHECK(topic_template("a/${topic(9)}", sql_version::v2016_03_23).expand(m) == "a/");
}

TEST_CASE("template: errors at construction") {
    CHECK_THROWS_WITH_AS(topic_template("a/${clientid()", sql_version::v2016_03_23), doctest::Contains("never closed"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(topic_template("a/${nosuch(}", sql_version::v2016_03_23), doctest::Contains("${nosuch(}"),
                         std::invalid_argument);
}
