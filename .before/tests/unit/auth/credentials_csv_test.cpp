// The one credentials CSV (config/credentials.md): header-named columns in any order,
// akid/client_id as one column, shared user names, file:line errors.
#include <doctest/doctest.h>

#include <stdexcept>

#include "auth/credentials_csv.hpp"

using namespace wv::auth;

TEST_CASE("credentials CSV: columns by header in any order; akid and client_id are one column") {
    const auto t = parse_credentials_csv("# Ayyeka's fleet shares one user name\n"
                                         "expected,password,username,client_id,authorizer\n"
                                         "allow,TestPassword,TestUserName,2453AC035CBCBC9A,wavelet\n"
                                         "\n"
                                         "deny,wrong,TestUserName,2453AC035CBCBC9B,wavelet\n"
                                         "invalid_response,\"pa,ss\"\"w\",TestUserName,2453AC035CBCBC9C\n",
                                         "f.csv");
    CHECK(t.columns == std::vector<std::string>{"expected", "password", "username", "akid", "authorizer"});
    REQUIRE(t.rows.size() == 3);
    CHECK(t.rows[0].line == 3);
    CHECK(t.rows[0].akid == "2453AC035CBCBC9A");
    CHECK(t.rows[0].username == "TestUserName");
    CHECK(t.rows[1].username == "TestUserName");  // shared user names are fine
    CHECK(t.rows[0].password == "TestPassword");
    CHECK(t.rows[0].authorizer == "wavelet");
    CHECK(t.rows[0].expected == expected_outcome::allow);
    CHECK(t.rows[1].expected == expected_outcome::deny);
    CHECK(t.rows[2].expected == expected_outcome::invalid_response);
    CHECK(t.rows[2].password == "pa,ss\"w");
    CHECK(t.rows[2].authorizer.empty());  // trailing cell left out
    CHECK(t.has("authorizer"));
    CHECK_FALSE(t.has("publish"));

    for (const char* spelling : {"akid", "AKID", "client_id", "clientId"}) {
        const auto u = parse_credentials_csv(std::string(spelling) + ",username,password\nA1,u,p\n", "f.csv");
        CHECK(u.rows.at(0).akid == "A1");
    }
}

TEST_CASE("credentials CSV: a spreadsheet's byte order mark and CRLF line ends") {
    const auto t = parse_credentials_csv("\xEF\xBB\xBF" "akid,username,password\r\nA1,u,p\r\n", "excel.csv");
    CHECK(t.columns.at(0) == "akid");
    REQUIRE(t.rows.size() == 1);
    CHECK(t.rows[0].password == "p");
}

TEST_CASE("credentials CSV: every optional column is read") {
    const auto t = parse_credentials_csv(
        "akid,username,password,authorizer,expected,policy_template,server_name,publish,subscribe\n"
        "A1,u,p,auth,,tpl,host.example,a/b;!c,d/#\n",
        "f.csv");
    const auto& r = t.rows.at(0);
    CHECK(r.expected == expected_outcome::none);
    CHECK(r.policy_template == "tpl");
    CHECK(r.server_name == "host.example");
    CHECK(r.publish == "a/b;!c");
    CHECK(r.subscribe == "d/#");
}

TEST_CASE("credentials CSV: errors name file:line and what to do") {
    const std::string known =
        "known columns: akid, username, password, authorizer, expected, policy_template, server_name, publish, subscribe "
        "(client_id = akid)";
    // A header-less file (the old registry format): the first line must name the columns.
    CHECK_THROWS_WITH_AS(parse_credentials_csv("A1,u,p,allow\n", "f.csv"),
                         ("f.csv:1: the first line must be a header naming the columns, e.g. "
                          "akid,username,password,authorizer,expected; " + known).c_str(),
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(parse_credentials_csv("akid,username,password,colour\n", "f.csv"),
                         ("f.csv:1: unknown column 'colour'; " + known).c_str(), std::runtime_error);
    CHECK_THROWS_WITH_AS(parse_credentials_csv("akid,username,password,client_id\n", "f.csv"),
                         "f.csv:1: column 'client_id' given twice (akid and client_id are the same column)", std::runtime_error);
    CHECK_THROWS_WITH_AS(parse_credentials_csv("akid,password\n", "f.csv"),
                         "f.csv:1: the header has no 'username' column (required: akid or client_id, username, password)",
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(parse_credentials_csv("username,password\n", "f.csv"),
                         "f.csv:1: the header has no 'akid' column (required: akid or client_id, username, password)",
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(parse_credentials_csv("akid,username,password\n\nA,u,p,x\n", "f.csv"),
                         "f.csv:3: 4 fields, but the header names 3 columns", std::runtime_error);
    CHECK_THROWS_WITH_AS(parse_credentials_csv("akid,username,password,expected\nA,u,p,maybe\n", "f.csv"),
                         "f.csv:2: expected must be allow, deny, invalid_response or empty, not 'maybe'", std::runtime_error);
    CHECK_THROWS_WITH_AS(parse_credentials_csv("akid,username,password\n,u,p\n", "f.csv"), "f.csv:2: akid (client id) is empty",
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(parse_credentials_csv("akid,username,password\nA,,p\n", "f.csv"), "f.csv:2: username is empty",
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(parse_credentials_csv("akid,username,password\nA,\"u,p\n", "f.csv"),
                         "f.csv:2: unterminated double quote", std::runtime_error);
    CHECK_THROWS_WITH_AS(parse_credentials_csv("# nothing\n\n", "f.csv"), "f.csv: empty credentials file (no header, no devices)",
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(load_credentials_csv("/nonexistent/devices.csv"),
                         "/nonexistent/devices.csv: cannot open the credentials file", std::runtime_error);
}

TEST_CASE("credentials CSV: the shipped example files read") {
    const std::string dir = std::string(WV_SOURCE_DIR_PATH) + "/config/authorizers/";
    const auto fleet = load_credentials_csv(dir + "simple_fleet.csv");
    REQUIRE(fleet.rows.size() == 3);
    CHECK(fleet.rows[0].username == fleet.rows[2].username);
    const auto devices = load_credentials_csv(dir + "devices.csv");
    CHECK(devices.rows.size() >= 5);
    CHECK(devices.has("publish"));
}
