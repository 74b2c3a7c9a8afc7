#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "auth/authorizer_event.hpp"
#include "auth/authorizer_response.hpp"
#include "functions/static_backend.hpp"

using namespace wv::auth;
using nlohmann::json;

namespace {

std::string login_event(std::string user, std::string password, std::optional<std::string> client = "dev-1") {
    return make_authorizer_event_json({.server_name = "h", .username = std::move(user), .password = std::move(password),
                                       .client_id = std::move(client), .connection_id = "id"},
                                      {});
}

static_backend backend() {
    return static_backend{{
        {.username = "alice",
         .password = "s3cret",
         .client_id_pattern = "dev-*",
         .principal_id = "alice",
         .policy_documents = {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"arn:aws:iot:us-east-1:1:client/{{client_id}}"}]})"},
         .refresh_after_s = 600,
         .disconnect_after_s = 3600},
        {.username = "bob", .password = "pw", .principal_id = "bob-1", .policy_documents = {}},
    }};
}

}  // namespace

TEST_CASE("static: the right password connects, with placeholders expanded") {
    const auto reply = backend().answer(login_event("alice?x-amz-customauthorizer-name=a&SDK=x", "s3cret"));
    REQUIRE(reply.error == backend_errc::none);
    const auto v = validate_response(reply.body);
    CHECK(v.allowed);
    CHECK(v.response.refresh_after_s == 600);
    CHECK(v.response.disconnect_after_s == 3600);
    CHECK(json::parse(v.response.policy_documents.at(0))["Statement"][0]["Resource"] ==
          "arn:aws:iot:us-east-1:1:client/dev-1");
}

TEST_CASE("static: wrong password, wrong client id, unknown user all deny") {
    const auto b = backend();
    CHECK_FALSE(validate_response(b.answer(login_event("alice", "nope")).body).allowed);
    CHECK_FALSE(validate_response(b.answer(login_event("alice", "s3cret", "other")).body).allowed);
    CHECK_FALSE(validate_response(b.answer(login_event("alice", "s3cret", std::nullopt)).body).allowed);
    CHECK_FALSE(validate_response(b.answer(login_event("carol", "s3cret")).body).allowed);
    CHECK(validate_response(b.answer(login_event("carol", "x")).body).valid);  // a clean, valid deny
}

TEST_CASE("static: config mistakes are reported like a Lambda's") {
    const auto v = validate_response(backend().answer(login_event("bob", "pw")).body);
    CHECK_FALSE(v.allowed);
    CHECK(v.reason.starts_with("principalId:"));
}

TEST_CASE("static: a malformed event is a function error") {
    const auto r = backend().answer("[]");
    CHECK(r.error == backend_errc::function_error);
}

TEST_CASE("glob for client id patterns") {
    CHECK(glob_match("dev-*", "dev-1"));
    CHECK(glob_match("dev-?", "dev-1"));
    CHECK_FALSE(glob_match("dev-?", "dev-12"));
    CHECK(glob_match("*", ""));
    CHECK(glob_match("a*b*c", "axxbyyc"));
    CHECK_FALSE(glob_match("a*b*c", "axxbyy"));
}
