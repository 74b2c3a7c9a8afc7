#include <doctest/doctest.h>

#include <thread>

#include "policy/arn.hpp"
#include "policy/evaluate.hpp"
#include "policy/policy_set_cache.hpp"

using namespace wv::policy;

namespace {

const std::string own_topics =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Publish",)"
    R"("Resource":"arn:aws:iot:*:*:topic/wv/${iot:ClientId}/*"}]})";
const std::string connect_any =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"*"}]})";

decision publish_as(const policy_set& set, const std::string& client_id, const std::string& topic) {
    request r;
    r.action = "iot:Publish";
    r.resource = topic_arn({"us-east-1", "123456789012"}, topic);
    r.context.client_id = client_id;
    return evaluate(set, r).result;
}

}  // namespace

TEST_CASE("policy_set_cache: identical documents share one parsed set; variables resolve per request") {
    policy_set_cache cache;
    const std::vector docs{own_topics, connect_any};
    const auto a = cache.intern(docs);
    const auto b = cache.intern(docs);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a.value == b.value);  // one parsed copy
    CHECK(a.value->size() == 2);
    // ${iot:ClientId} is resolved at evaluation time, so the shared set serves every device.
    CHECK(publish_as(*a.value, "d1", "wv/d1/x") == decision::allow);
    CHECK(publish_as(*a.value, "d2", "wv/d2/x") == decision::allow);
    CHECK(publish_as(*a.value, "d2", "wv/d1/x") == decision::implicit_deny);
}

TEST_CASE("policy_set_cache: different text, order or split of documents gives different sets") {
    policy_set_cache cache;
    const auto ab = cache.intern(std::vector{own_topics, connect_any});
    const auto ba = cache.intern(std::vector{connect_any, own_topics});
    const auto a = cache.intern(std::vector{own_topics});
    // Length prefixes: "x" + "yz" and "xy" + "z" must not collide.
    const auto split1 = cache.intern(std::vector{own_topics.substr(0, 10), own_topics.substr(10)});
    CHECK(ab.value != ba.value);
    CHECK(ab.value != a.value);
    CHECK_FALSE(split1.ok());  // neither half is a policy
    CHECK(split1.error.starts_with("document 0: "));
}

TEST_CASE("policy_set_cache: a set lives while used; expired entries are swept") {
    policy_set_cache cache;
    {
        const auto r = cache.intern(std::vector{own_topics});
        CHECK(r.value.use_count() == 1);  // the cache holds it weakly
        CHECK(cache.intern(std::vector{own_topics}).value == r.value);
    }
    CHECK(cache.intern(std::vector{own_topics}).value.use_count() == 1);  // parsed afresh, re-registered
    // Many distinct sets, none kept: the table stays small.
    for (int i = 0; i < 1000; ++i) {
        const auto doc = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect",)"
                         R"("Resource":"arn:aws:iot:*:*:client/d)" + std::to_string(i) + R"("}]})";
        REQUIRE(cache.intern(std::vector{doc}).ok());
    }
    CHECK(cache.size() <= 64);
}

TEST_CASE("policy_set_cache: already parsed policies are taken on a miss; a bad document is an error") {
    policy_set_cache cache;
    auto parsed = parse_policy(std::string_view(connect_any));
    REQUIRE(parsed.ok());
    policy_set given{*parsed.value};
    given[0].statements[0].sid = "marker";  // proves the given copy was used, not a fresh parse
    const auto r = cache.intern(std::vector{connect_any}, &given);
    REQUIRE(r.ok());
    CHECK(r.value->at(0).statements[0].sid == "marker");

    const auto bad = cache.intern(std::vector{std::string(R"({"Statement":[]})"), connect_any});
    CHECK_FALSE(bad.ok());
    CHECK(bad.error.starts_with("document 0: "));
}

TEST_CASE("policy_set_cache: beyond max_sets new sets are correct but unshared") {
    policy_set_cache cache(1);
    const auto keep = cache.intern(std::vector{own_topics});
    const auto x = cache.intern(std::vector{connect_any});
    const auto y = cache.intern(std::vector{connect_any});
    REQUIRE(x.ok());
    REQUIRE(y.ok());
    CHECK(x.value != y.value);
    CHECK(cache.size() == 1);
    CHECK(cache.intern(std::vector{own_topics}).value == keep.value);
}

TEST_CASE("policy_set_cache: concurrent interning of the same documents converges on one set") {
    policy_set_cache cache;
    std::vector<shared_policy_set> got(8);
    std::vector<std::thread> ts;
    for (std::size_t i = 0; i < got.size(); ++i)
        ts.emplace_back([&, i] { got[i] = cache.intern(std::vector{own_topics, connect_any}).value; });
    for (auto& t : ts) t.join();
    for (const auto& g : got) CHECK(g == got[0]);
}
