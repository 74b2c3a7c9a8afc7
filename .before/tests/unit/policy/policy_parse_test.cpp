#include <doctest/doctest.h>

#include "policy/arn.hpp"
#include "policy/policy.hpp"

using namespace wv::policy;

TEST_CASE("parse: strings or arrays, one statement object or an array") {
    auto r = parse_policy(R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iot:*","Resource":"*"}})");
    REQUIRE(r.ok());
    CHECK(r.value->substitutes_variables());
    REQUIRE(r.value->statements.size() == 1);
    CHECK(r.value->statements[0].eff == effect::allow);
    CHECK(r.value->statements[0].actions == std::vector<std::string>{"iot:*"});

    r = parse_policy(R"({"Version":"2012-10-17","Statement":[
        {"Sid":"s","Effect":"Deny","Action":["iot:Publish","iot:Receive"],
         "Resource":["arn:aws:iot:us-east-1:1:topic/a","arn:aws:iot:us-east-1:1:topic/b"],
         "Condition":{"ForAnyValue:StringEquals":{"iot:ConnectAttributes":["LastWill","PersistentConnect"]},
                      "Bool":{"aws:SecureTransport":true}}}]})");
    REQUIRE(r.ok());
    const auto& s = r.value->statements[0];
    CHECK(s.sid == "s");
    CHECK(s.eff == effect::deny);
    CHECK(s.resources.size() == 2);
    REQUIRE(s.conditions.size() == 2);
    CHECK(s.conditions[1].op == "ForAnyValue:StringEquals");
    CHECK(s.conditions[1].values == std::vector<std::string>{"LastWill", "PersistentConnect"});
    CHECK(s.conditions[0].values == std::vector<std::string>{"true"});
}

TEST_CASE("parse: no Version means 2008-10-17, where variables are literal") {
    const auto r = parse_policy(R"({"Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*"}]})");
    REQUIRE(r.ok());
    CHECK_FALSE(r.value->substitutes_variables());
}

TEST_CASE("parse: malformed documents name the place") {
    struct row {
        const char* doc;
        const char* error;
    };
    const row rows[] = {
        {"not json", "policy: not valid JSON"},
        {"[]", "policy: must be a JSON object, got array"},
        {R"({"Version":"2012-10-17"})", "Statement: missing"},
        {R"({"Version":"2012-10-17","Statement":[]})", "Statement: must not be empty"},
        {R"({"Version":"2012-10-17","Statement":"x"})", "Statement: must be an object or an array of objects"},
        {R"({"Version":"2013-01-01","Statement":[]})", "Version: \"2013-01-01\" is not 2012-10-17"},
        {R"({"Version":"2012-10-17","Statement":[],"Extra":1})", "Extra: unknown policy element"},
        {R"({"Version":"2012-10-17","Statement":[{"Action":"iot:*","Resource":"*"}]})",
         "Statement[0].Effect: missing (\"Allow\" or \"Deny\")"},
        {R"({"Version":"2012-10-17","Statement":[{"Effect":"allow","Action":"iot:*","Resource":"*"}]})",
         "Statement[0].Effect: \"allow\" is not \"Allow\" or \"Deny\" (case matters)"},
        {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]})",
         "Statement[0]: needs exactly one of Action and NotAction"},
        {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*"}]})",
         "Statement[0]: needs exactly one of Resource and NotResource"},
        {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[1],"Resource":"*"}]})",
         "Statement[0].Action[0]: must be a string, got number"},
        {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]})",
         "Statement[0].Action: must not be an empty array"},
        {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"topic/a"}]})",
         "Statement[0].Resource[0]: \"topic/a\" is not in valid ARN format"},
        {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*","Principal":"*"}]})",
         "Statement[0].Principal: unknown statement element (Principal is not used in IoT policies)"},
        {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*","Condition":{"StringMatches":{"k":"v"}}}]})",
         "Statement[0].Condition.StringMatches: unsupported condition operator"},
        {R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*","Condition":{"StringEquals":{"k":{"a":1}}}}]})",
         "Statement[0].Condition.StringEquals.k: condition values must be strings, numbers or booleans, got object"},
    };
    for (const auto& r : rows) {
        const std::string doc = r.doc;
        CAPTURE(doc);
        const auto p = parse_policy(r.doc);
        CHECK_FALSE(p.ok());
        CHECK(p.error == r.error);
    }
}

TEST_CASE("ARN helpers") {
    const arn_scope s{.region = "eu-west-1", .account = "111122223333"};
    CHECK(client_arn(s, "AKID-0") == "arn:aws:iot:eu-west-1:111122223333:client/AKID-0");
    CHECK(topic_arn(s, "$aws/things/x/shadow/get") == "arn:aws:iot:eu-west-1:111122223333:topic/$aws/things/x/shadow/get");
    CHECK(topicfilter_arn(s, "wv/+/#") == "arn:aws:iot:eu-west-1:111122223333:topicfilter/wv/+/#");
    CHECK(looks_like_arn("*"));
    CHECK(looks_like_arn("arn:aws:iot:*:*:*"));
    CHECK(looks_like_arn("arn:aws:iot:::topic/a:b"));
    CHECK_FALSE(looks_like_arn("arn:aws:iot:us-east-1:1"));
    CHECK_FALSE(looks_like_arn("arn::iot:r:a:x"));
    CHECK(is_supported_condition_operator("ForAllValues:StringNotEqualsIfExists"));
    CHECK_FALSE(is_supported_condition_operator("ForSomeValues:StringEquals"));
}
