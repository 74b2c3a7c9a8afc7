// The one verdict wvauthz invoke, test and bench share (issue 12 items 1 and 4).
#include <doctest/doctest.h>

#include "auth/connect_verdict.hpp"

using namespace wv::auth;

namespace {

// An authorization_result as authorizer_service builds it from a reply body.
authorization_result from_body(std::string body) {
    authorization_result r;
    r.verdict = validate_response(body);
    r.reply.body = std::move(body);
    r.outcome = !r.verdict.valid ? authorization_outcome::invalid_response
                : r.verdict.allowed ? authorization_outcome::allowed
                                    : authorization_outcome::denied;
    r.reason = r.verdict.reason;
    return r;
}

// Ayyeka's simple sample: isAuthenticated is always true; the effect carries the answer.
std::string ayyeka(const char* effect, const char* region = "eu-central-1") {
    const std::string prefix = std::string("arn:aws:iot:") + region + ":123456789012";
    return std::string(R"({"isAuthenticated":true,"principalId":"2453AC035CBCBC9A","policyDocuments":[{"Version":"2012-10-17","Statement":[)") +
           R"({"Action":["iot:Connect"],"Effect":")" + effect + R"(","Resource":[")" + prefix + R"(:client/2453AC035CBCBC9A"]},)" +
           R"({"Action":["iot:Publish"],"Effect":")" + effect + R"(","Resource":[")" + prefix + R"(:topic/wv/*"]}]}],)" +
           R"("disconnectAfterInSeconds":3600,"refreshAfterInSeconds":300})";
}

const wv::policy::arn_scope eu{"eu-central-1", "123456789012"};

}  // namespace

TEST_CASE("verdict: Allow statements connect; Deny statements are denied_by_policy, not allowed") {
    auto v = judge_connect(from_body(ayyeka("Allow")), eu, "2453AC035CBCBC9A");
    CHECK(v.outcome == connect_outcome::allowed);
    CHECK(v.connects());
    CHECK(v.policies.size() == 1);
    CHECK_FALSE(v.scope_mismatch);

    v = judge_connect(from_body(ayyeka("Deny")), eu, "2453AC035CBCBC9A");
    CHECK(v.outcome == connect_outcome::denied_by_policy);
    CHECK_FALSE(v.connects());
    CHECK(is_valid_refusal(v.outcome));
    CHECK(std::string(to_string(v.outcome)) == "denied_by_policy");
    CHECK(v.reason.find("iot:Connect on arn:aws:iot:eu-central-1:123456789012:client/2453AC035CBCBC9A") == 0);
    CHECK(v.connect.result == wv::policy::decision::explicit_deny);

    // Another client id than the one the policy names: no statement allows it.
    v = judge_connect(from_body(ayyeka("Allow")), eu, "OTHER");
    CHECK(v.outcome == connect_outcome::denied_by_policy);
    CHECK(v.connect.result == wv::policy::decision::implicit_deny);
}

TEST_CASE("verdict: isAuthenticated false is denied; null and garbage are invalid_response") {
    auto v = judge_connect(from_body(R"({"isAuthenticated":false,"principalId":"x","policyDocuments":[]})"), eu, "c");
    CHECK(v.outcome == connect_outcome::denied);
    CHECK(is_valid_refusal(v.outcome));
    CHECK(v.connect.reason == "not evaluated: the authorizer did not allow");

    for (const char* body : {"null", "", "{}", R"({"isAuthenticated":true,"principalId":"has-dash","policyDocuments":[]})"}) {
        v = judge_connect(from_body(body), eu, "c");
        CHECK_MESSAGE(v.outcome == connect_outcome::invalid_response, body);
        CHECK_FALSE(is_valid_refusal(v.outcome));
        CHECK_FALSE(v.connects());
    }
}

TEST_CASE("verdict: backend errors and timeouts keep their kind and say why") {
    authorization_result r;
    r.outcome = authorization_outcome::backend_error;
    r.reply.error = backend_errc::function_error;
    r.reply.detail = "RuntimeError: boom";
    auto v = judge_connect(r, eu, "c");
    CHECK(v.outcome == connect_outcome::backend_error);
    CHECK(v.reason == "function_error: RuntimeError: boom");
    r = {};
    r.outcome = authorization_outcome::timeout;
    CHECK(judge_connect(r, eu, "c").outcome == connect_outcome::timeout);
    r.outcome = authorization_outcome::overloaded;
    CHECK(judge_connect(r, eu, "c").outcome == connect_outcome::overloaded);
}

TEST_CASE("verdict: a region mismatch is named even when the answer says Allow") {
    const wv::policy::arn_scope us{"us-east-1", "123456789012"};
    const auto v = judge_connect(from_body(ayyeka("Allow")), us, "2453AC035CBCBC9A");
    CHECK(v.outcome == connect_outcome::denied_by_policy);
    REQUIRE(v.scope_mismatch);
    CHECK(v.scope_mismatch->region == "eu-central-1");
    CHECK(v.scope_mismatch->ours.region == "us-east-1");
}
