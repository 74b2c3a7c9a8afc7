#include <doctest/doctest.h>

#include "gateway/decision_cache.hpp"

using wv::gate::decision_cache;
using kind = decision_cache::kind;

TEST_CASE("decision_cache: answers per action and topic, forgets on clear") {
    decision_cache c;
    CHECK_FALSE(c.find(kind::publish, "wv/d1/a"));
    c.put(kind::publish, "wv/d1/a", true);
    c.put(kind::receive, "wv/d1/a", false);
    CHECK(c.find(kind::publish, "wv/d1/a") == true);
    CHECK(c.find(kind::receive, "wv/d1/a") == false);
    CHECK_FALSE(c.find(kind::retain_publish, "wv/d1/a"));  // another action is not implied
    CHECK_FALSE(c.find(kind::publish, "wv/d1/ab"));        // nor a longer topic
    CHECK_FALSE(c.find(kind::publish, "wv/d1/"));          // nor a prefix
    c.clear();
    CHECK(c.size() == 0);
    CHECK_FALSE(c.find(kind::publish, "wv/d1/a"));
}

TEST_CASE("decision_cache: bounded; past capacity the oldest entries are replaced") {
    decision_cache c;
    for (std::size_t i = 0; i < decision_cache::capacity + 3; ++i) c.put(kind::publish, "t/" + std::to_string(i), i % 2 == 0);
    CHECK(c.size() == decision_cache::capacity);
    for (std::size_t i = 0; i < 3; ++i) CHECK_FALSE(c.find(kind::publish, "t/" + std::to_string(i)));
    for (std::size_t i = 3; i < decision_cache::capacity + 3; ++i)
        CHECK(c.find(kind::publish, "t/" + std::to_string(i)) == (i % 2 == 0));
}
