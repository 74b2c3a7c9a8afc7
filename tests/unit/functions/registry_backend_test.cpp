#include <doctest/doctest.h>

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "auth/authorizer_event.hpp"
#include "auth/authorizer_response.hpp"
#include "functions/registry_backend.hpp"
#include "policy/arn.hpp"
#include "policy/evaluate.hpp"

using namespace wv::auth;
using nlohmann::json;

namespace {

// sha256("hunter2")
constexpr const char* csv = R"(# devices for the lab
akid,username,password,expected,policy_template
2453AC035CBCBC9A,dev1,s3cret,allow
AKID-0,dev2,sha256:F52FBD32B2B3B86FF88EF6C490628285F482AF15DDCB29541F94BCF526A3F6C7,allow,default
"AKID-9",dev3,"pa,ss""word",deny

)";

std::string event(std::string user, std::string password, std::string client) {
    return make_authorizer_event_json(
        {.server_name = "h", .username = std::move(user), .password = std::move(password), .client_id = std::move(client),
         .connection_id = "id"},
        {});
}

}  // namespace

TEST_CASE("registry CSV: header, comments, quotes, hashes") {
    const auto d = parse_registry_csv(csv, "devices.csv");
    REQUIRE(d.size() == 3);
    CHECK(d[0].akid == "2453AC035CBCBC9A");
    CHECK(d[0].password == "s3cret");
    CHECK(d[0].line == 3);
    CHECK(d[1].password_sha256 == "f52fbd32b2b3b86ff88ef6c490628285f482af15ddcb29541f94bcf526a3f6c7");
    CHECK(d[2].akid == "AKID-9");
    CHECK(d[2].password == "pa,ss\"word");
    CHECK(d[2].expected == expected_outcome::deny);
}

TEST_CASE("registry CSV: errors name file:line") {
    const std::string h = "akid,username,password,expected\n";
    CHECK_THROWS_WITH(parse_registry_csv(h + "a,b,c,allow,x\n", "f.csv"), "f.csv:2: 5 fields, but the header names 4 columns");
    CHECK_THROWS_WITH(parse_registry_csv("\n" + h + "\na,b,c,maybe\n", "f.csv"),
                      "f.csv:4: expected must be allow, deny, invalid_response or empty, not 'maybe'");
    CHECK_THROWS_WITH(parse_registry_csv(h + "a,b,sha256:zz,allow\n", "f.csv"), "f.csv:2: password hash must be sha256: followed by 64 hex digits");
    CHECK_THROWS_WITH(parse_registry_csv(h + "a,\"b,c,d\n", "f.csv"), "f.csv:2: unterminated double quote");
    CHECK_THROWS_WITH(parse_registry_csv(h + "a,u,p,allow\na,v,p,allow\n", "f.csv"),
                      "f.csv:3: akid 'a' already on line 2 (the registry finds devices by client id)");
    CHECK_THROWS_WITH(parse_registry_csv(h + ",u,p,allow\n", "f.csv"), "f.csv:2: akid (client id) is empty");
    CHECK_THROWS_WITH(load_registry_csv("/nonexistent/devices.csv"), "/nonexistent/devices.csv: cannot open the credentials file");
    // The old header-less format is refused with what to write instead.
    CHECK_THROWS_WITH(parse_registry_csv("a,u,p,allow\n", "f.csv"),
                      doctest::Contains("f.csv:1: the first line must be a header naming the columns"));
}

TEST_CASE("registry backend: a shared user name, devices told apart by client id") {
    const registry_backend b{parse_registry_csv("akid,username,password,expected\n"
                                                "A1,TestUserName,pw1,allow\n"
                                                "A2,TestUserName,pw2,allow\n"
                                                "A3,TestUserName,pw3,deny\n"
                                                "A4,TestUserName,pw4,invalid_response\n",
                                                "fleet.csv")};
    CHECK(validate_response(b.answer(event("TestUserName", "pw1", "A1")).body).allowed);
    CHECK(validate_response(b.answer(event("TestUserName?x-amz-customauthorizer-name=a", "pw2", "A2")).body).allowed);
    auto reply = b.answer(event("TestUserName", "pw1", "A2"));  // another device's password
    CHECK_FALSE(validate_response(reply.body).allowed);
    CHECK(reply.log_lines.at(0).find("wrong password") != std::string::npos);
    reply = b.answer(event("Someone", "pw1", "A1"));
    CHECK_FALSE(validate_response(reply.body).allowed);
    CHECK(reply.log_lines.at(0).find("user name is not the device's 'TestUserName'") != std::string::npos);
    reply = b.answer(event("TestUserName", "pw3", "A3"));
    const auto deny = validate_response(reply.body);
    CHECK(deny.valid);
    CHECK_FALSE(deny.allowed);
    // invalid_response rows answer null, as a crashed function does: AWS's json rule fails.
    reply = b.answer(event("TestUserName", "pw4", "A4"));
    CHECK(reply.body == "null");
    CHECK_FALSE(validate_response(reply.body).valid);
}

TEST_CASE("registry backend: allow with the Wavelet default policy, deny otherwise") {
    const registry_backend b{parse_registry_csv(csv, "devices.csv")};
    auto v = validate_response(b.answer(event("dev1?x-amz-customauthorizer-name=a", "s3cret", "2453AC035CBCBC9A")).body);
    REQUIRE(v.allowed);
    CHECK(v.response.principal_id == "2453AC035CBCBC9A");
    const auto pol = wv::policy::parse_policy(v.response.policy_documents.at(0)).value.value();
    const std::vector policies{pol};
    const wv::policy::arn_scope scope{};
    wv::policy::request_context ctx{.client_id = "2453AC035CBCBC9A"};
    CHECK(wv::policy::evaluate(policies, {"iot:Connect", wv::policy::client_arn(scope, "2453AC035CBCBC9A"), ctx}).allowed());
    CHECK(wv::policy::evaluate(policies, {"iot:Publish", wv::policy::topic_arn(scope, "wv/2453AC035CBCBC9A/1/samp/p1"), ctx}).allowed());
    CHECK_FALSE(wv::policy::evaluate(policies, {"iot:Publish", wv::policy::topic_arn(scope, "wv/OTHER/1/samp/p1"), ctx}).allowed());

    v = validate_response(b.answer(event("dev2", "hunter2", "AKID-0")).body);
    CHECK(v.allowed);
    CHECK(v.response.principal_id == "AKID0");  // '-' stripped, as AWS requires

    CHECK_FALSE(validate_response(b.answer(event("dev1", "wrong", "2453AC035CBCBC9A")).body).allowed);
    CHECK_FALSE(validate_response(b.answer(event("dev1", "s3cret", "someone-else")).body).allowed);
    CHECK_FALSE(validate_response(b.answer(event("dev3", "pa,ss\"word", "AKID-9")).body).allowed);
    const auto reply = b.answer(event("nobody", "x", "y"));
    CHECK(reply.log_lines.at(0).find("unknown client id") != std::string::npos);
}

TEST_CASE("registry backend: unknown template is a config error; custom templates expand") {
    const std::string csv_special = "akid,username,password,expected,policy_template\na,u,p,allow,special\n";
    CHECK_THROWS_AS(registry_backend(parse_registry_csv(csv_special, "f.csv")), std::invalid_argument);
    registry_options o;
    o.policy_templates["special"] =
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"arn:aws:iot:{{region}}:{{account}}:topic/{{username}}/{{unknown}}"}]})";
    o.region = "eu-west-1";
    const registry_backend b{parse_registry_csv(csv_special, "f.csv"), o};
    const auto v = validate_response(b.answer(event("u", "p", "a")).body);
    REQUIRE(v.allowed);
    CHECK(json::parse(v.response.policy_documents[0])["Statement"][0]["Resource"] ==
          "arn:aws:iot:eu-west-1:123456789012:topic/u/{{unknown}}");
}

TEST_CASE("registry CSV: wvsim's credentials file (header-named columns) loads as is") {
    const auto d = parse_registry_csv("akid,username,password,authorizer,expected\n"
                                      "A1,u1,p1,myauth,allow\n"
                                      "A2,u2,p2,myauth,deny\n"
                                      "A3,u3,p3\n"
                                      "A4,u4,p4,myauth,\n",
                                      "devices.csv");
    REQUIRE(d.size() == 4);
    CHECK(d[0].expected == expected_outcome::allow);
    CHECK(d[1].expected == expected_outcome::deny);
    CHECK(d[2].expected == expected_outcome::allow);
    CHECK(d[3].password == "p4");
    CHECK(d[3].policy_template == "default");
    // Columns may come in any order once the header starts with akid.
    const auto r = parse_registry_csv("akid,policy_template,password,username\nA,default,p,u\n", "f.csv");
    REQUIRE(r.size() == 1);
    CHECK(r[0].username == "u");
    CHECK(r[0].password == "p");
}

TEST_CASE("registry CSV: header errors") {
    CHECK_THROWS_WITH(parse_registry_csv("akid,username,colour\n", "f.csv"),
                      doctest::Contains("f.csv:1: unknown column 'colour'; known columns: akid, username, password"));
    CHECK_THROWS_WITH(parse_registry_csv("akid,username\n", "f.csv"),
                      "f.csv:1: the header has no 'password' column (required: akid or client_id, username, password)");
    // Trailing cells left out are empty (an empty password is the device's password).
    const auto d = parse_registry_csv("akid,username,password\na,u\n", "f.csv");
    CHECK(d.at(0).password.empty());
}

TEST_CASE("secrets compare by content and length") {
    CHECK(secrets_equal("", ""));
    CHECK(secrets_equal("abc", "abc"));
    CHECK_FALSE(secrets_equal("abc", "abd"));
    CHECK_FALSE(secrets_equal("abc", "abcd"));
    CHECK_FALSE(secrets_equal("", "a"));
}
