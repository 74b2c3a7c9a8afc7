// The function registry: names and ARNs resolve to one started function; unknown ones are
// refused with the list of known functions.
#include <doctest/doctest.h>

#include <stdexcept>

#include "functions/function_registry.hpp"

using namespace wv;
using namespace wv::functions;

namespace {

backends::backend_spec static_fn(std::string name, std::string region = "us-east-1",
                                  std::string account = "123456789012") {
    backends::backend_spec s;
    s.name = std::move(name);
    s.kind = backends::backend_kind::static_credentials;
    s.credentials = {{.username = "u", .password = "p", .principal_id = "u"}};
    s.region = std::move(region);
    s.account = std::move(account);
    return s;
}

std::string error_of(function_registry& r, std::string_view what) {
    try {
        r.resolve(what);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("lambda ARNs: the parts AWS writes, with and without a qualifier") {
    const auto a = parse_lambda_arn("arn:aws:lambda:eu-central-1:123456789012:function:my-auth");
    REQUIRE(a);
    CHECK(a->region == "eu-central-1");
    CHECK(a->account == "123456789012");
    CHECK(a->name == "my-auth");
    CHECK(a->qualifier.empty());
    const auto q = parse_lambda_arn("arn:aws:lambda:us-east-1:1:function:f:live");
    REQUIRE(q);
    CHECK(q->name == "f");
    CHECK(q->qualifier == "live");
    CHECK(parse_lambda_arn("arn:aws-cn:lambda:cn-north-1:1:function:f"));
    for (const char* bad : {"my-auth", "arn:aws:iot:us-east-1:1:authorizer/a", "arn:aws:lambda:us-east-1:1:layer:f",
                            "arn:aws:lambda::1:function:f", "arn:aws:lambda:us-east-1:1:function:", "arn:aws:lambda:us-east-1:1:function:f:"})
        CHECK_MESSAGE(!parse_lambda_arn(bad), bad);
    CHECK(function_arn("us-east-1", "123456789012", "f") == "arn:aws:lambda:us-east-1:123456789012:function:f");
}

TEST_CASE("a name and its ARN resolve to the same started function") {
    function_registry r;
    r.add(static_fn("auth"));
    r.add(static_fn("decoder", "eu-central-1", "999"));
    const auto by_name = r.resolve("auth");
    const auto by_arn = r.resolve("arn:aws:lambda:us-east-1:123456789012:function:auth");
    const auto qualified = r.resolve("arn:aws:lambda:us-east-1:123456789012:function:auth:live");
    REQUIRE(by_name.backend);
    CHECK(by_name.backend == by_arn.backend);  // started once, shared
    CHECK(by_name.backend == qualified.backend);
    CHECK(by_name.arn == "arn:aws:lambda:us-east-1:123456789012:function:auth");
    CHECK(r.resolve("arn:aws:lambda:eu-central-1:999:function:decoder").name == "decoder");
    CHECK(r.names() == std::vector<std::string>{"auth", "decoder"});
    CHECK(r.find("nope") == nullptr);
    CHECK(r.find("decoder") != nullptr);
}

TEST_CASE("unknown names and ARNs are refused, naming the known functions") {
    function_registry r;
    CHECK(error_of(r, "auth") == "unknown function 'auth'; known: none (add it under `functions:`)");
    r.add(static_fn("auth"));
    r.add(static_fn("decoder"));
    CHECK(error_of(r, "autth") ==
          "unknown function 'autth'; known: auth (arn:aws:lambda:us-east-1:123456789012:function:auth), "
          "decoder (arn:aws:lambda:us-east-1:123456789012:function:decoder)");
    CHECK(error_of(r, "arn:aws:lambda:us-east-1:123456789012:function:other").starts_with(
        "unknown function ARN 'arn:aws:lambda:us-east-1:123456789012:function:other': no function named 'other'; "
        "known: auth ("));
    CHECK(error_of(r, "arn:aws:lambda:eu-west-1:123456789012:function:auth") ==
          "function ARN 'arn:aws:lambda:eu-west-1:123456789012:function:auth': function 'auth' is in region "
          "us-east-1, account 123456789012 (arn:aws:lambda:us-east-1:123456789012:function:auth); set its "
          "region/account to the ARN's or use its ARN");
    CHECK(error_of(r, "arn:aws:iot:us-east-1:1:thing/x").starts_with("'arn:aws:iot:us-east-1:1:thing/x' is not a Lambda function ARN"));
    CHECK_THROWS_AS(r.add(static_fn("auth")), std::invalid_argument);
}
