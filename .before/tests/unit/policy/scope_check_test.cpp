// Policies that name another region/account than the gateway's ARNs (issue 12 item 8).
#include <doctest/doctest.h>

#include "policy/scope_check.hpp"

using namespace wv::policy;

namespace {

std::vector<policy> docs(std::initializer_list<const char*> texts) {
    std::vector<policy> out;
    for (const auto* t : texts) out.push_back(parse_policy(t).value.value());
    return out;
}

const arn_scope gateway{"us-east-1", "123456789012"};

}  // namespace

TEST_CASE("scope check: Ayyeka's hard-coded eu-central-1 against a us-east-1 gateway") {
    const auto p = docs({R"({"Version":"2012-10-17","Statement":[
        {"Action":["iot:Connect"],"Effect":"Allow","Resource":["arn:aws:iot:eu-central-1:123456789012:client/2453AC035CBCBC9A"]},
        {"Action":["iot:Publish"],"Effect":"Allow","Resource":["arn:aws:iot:eu-central-1:123456789012:topic/wv/*"]}]})"});
    const auto m = find_scope_mismatch(p, gateway);
    REQUIRE(m);
    CHECK(m->region == "eu-central-1");
    CHECK(m->account.empty());
    CHECK(m->example_arn == "arn:aws:iot:eu-central-1:123456789012:client/2453AC035CBCBC9A");
    CHECK(describe(*m, {"region:", "account:", "the gateway config"}) ==
          "the authorizer's policies name region eu-central-1 (e.g. "
          "arn:aws:iot:eu-central-1:123456789012:client/2453AC035CBCBC9A) but region us-east-1 is used here, so their "
          "statements never match and iot:Connect is refused. Fix: set `region: eu-central-1` in the gateway config, or "
          "make the authorizer use us-east-1 (in its code or environment, e.g. region/account_id)");
    CHECK_FALSE(find_scope_mismatch(p, {"eu-central-1", "123456789012"}));
}

TEST_CASE("scope check: account, both, wildcards, other services, NotResource") {
    auto m = find_scope_mismatch(
        docs({R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iot:*","Resource":"arn:aws:iot:us-east-1:999:client/x"}})"}),
        gateway);
    REQUIRE(m);
    CHECK(m->region.empty());
    CHECK(m->account == "999");
    CHECK(describe(*m, {"--iot-region", "--account", "the flags"}).find("Fix: set `--account 999` in the flags") !=
          std::string::npos);

    m = find_scope_mismatch(
        docs({R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iot:*","Resource":"arn:aws:iot:eu-west-1:999:*"}})"}),
        gateway);
    REQUIRE(m);
    CHECK(m->region == "eu-west-1");
    CHECK(m->account == "999");
    CHECK(describe(*m, {"region:", "account:", "x"}).find("name region eu-west-1 and account 999") != std::string::npos);

    // Nothing to say: wildcards that can match, "*", empty fields, other services, NotResource.
    for (const char* resource : {R"("*")", R"("arn:aws:iot:*:*:client/x")", R"("arn:aws:iot:us-*:123456789012:client/x")",
                                 R"("arn:aws:iot:us-east-?:1234567890??:client/x")", R"("arn:aws:s3:::bucket/x")",
                                 R"("arn:aws:sns:eu-central-1:999:topic")"}) {
        const std::string doc =
            std::string(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iot:*","Resource":)") + resource + "}}";
        CHECK_MESSAGE(!find_scope_mismatch(docs({doc.c_str()}), gateway), resource);
    }
    CHECK_FALSE(find_scope_mismatch(
        docs({R"({"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"iot:*","NotResource":"arn:aws:iot:eu-central-1:1:*"}})"}),
        gateway));
    CHECK_FALSE(find_scope_mismatch({}, gateway));
}
