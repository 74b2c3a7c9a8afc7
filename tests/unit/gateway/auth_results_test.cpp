// Every way custom authentication can fail ends as AWS ends it for an MQTT 3.1.1 device:
// the connection closes without CONNACK, and the log names the rule that failed.
#include <doctest/doctest.h>

#include "machine_harness.hpp"

using namespace wv;
using namespace wv::test;

namespace {

std::string wv_policy() { return allow_wv_policy(); }

void expect_refused(const std::string& body, const std::string& in_log) {
    harness h;
    auto p = h.make_peer();
    p->auth_body = body;
    p->connect("d1");
    REQUIRE(p->closed);
    CHECK(p->closed->reason == gate::disconnect_reason::auth_error);
    CHECK_FALSE(p->has_connack());
    CHECK_MESSAGE(h.log_text().find(in_log) != std::string::npos, h.log_text());
    CHECK(h.stats.connects_auth_failed == 1);
}

}  // namespace

TEST_CASE("response validation: each rule refuses the connection without CONNACK") {
    nlohmann::json ok = {{"isAuthenticated", true}, {"principalId", "dev1"}, {"policyDocuments", {wv_policy()}},
                         {"disconnectAfterInSeconds", 3600}, {"refreshAfterInSeconds", 600}};
    SUBCASE("principalId with '-'") {
        auto j = ok;
        j["principalId"] = "dev-1";
        expect_refused(j.dump(), "principalId");
    }
    SUBCASE("11 policy documents") {
        auto j = ok;
        j["policyDocuments"] = std::vector<std::string>(11, wv_policy());
        expect_refused(j.dump(), "policyDocuments");
    }
    SUBCASE("a 2,049-character policy") {
        auto j = ok;
        std::string big = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"arn:aws:iot:*:*:client/)";
        const std::string tail = R"("}]})";
        big += std::string(2049 - big.size() - tail.size(), 'x') + tail;
        REQUIRE(big.size() == 2049);
        j["policyDocuments"] = {big};
        expect_refused(j.dump(), "policyDocumentSize");
    }
    SUBCASE("refreshAfterInSeconds 299") {
        auto j = ok;
        j["refreshAfterInSeconds"] = 299;
        expect_refused(j.dump(), "refreshAfterInSeconds");
    }
    SUBCASE("disconnectAfterInSeconds 86,401") {
        auto j = ok;
        j["disconnectAfterInSeconds"] = 86401;
        expect_refused(j.dump(), "disconnectAfterInSeconds");
    }
    SUBCASE("missing isAuthenticated") {
        auto j = ok;
        j.erase("isAuthenticated");
        expect_refused(j.dump(), "isAuthenticated");
    }
    SUBCASE("isAuthenticated false") {
        auto j = ok;
        j["isAuthenticated"] = false;
        expect_refused(j.dump(), "AUTHORIZATION_FAILURE");
    }
    SUBCASE("not JSON") { expect_refused("Internal Server Error", "json"); }
}

TEST_CASE("authorizer errors and timeouts refuse the connection without CONNACK") {
    for (const auto outcome : {auth::authorization_outcome::timeout, auth::authorization_outcome::backend_error,
                               auth::authorization_outcome::overloaded}) {
        harness h;
        auto p = h.make_peer();
        p->auth_body = "";
        p->connect("d1");
        auth::authorization_result r;
        r.outcome = outcome;
        r.reason = std::string("simulated ") + auth::to_string(outcome);
        p->answer_auth(r);
        CHECK(p->machine->current_state() == gate::connection_machine::state::closed);
        CHECK_FALSE(p->has_connack());
        CHECK(h.stats.authorizer_errors == 1);
        CHECK(h.log_text().find(auth::to_string(outcome)) != std::string::npos);
    }
}

TEST_CASE("user name with a second '?': refused before the authorizer is invoked") {
    harness h;
    auto p = h.make_peer();
    p->connect("d1", 60, true, std::nullopt, "dev1?x-amz-customauthorizer-name=auth?SDK=JavaV2");
    REQUIRE(p->closed);
    CHECK(p->auth_events.empty());
    CHECK_FALSE(p->has_connack());
}
