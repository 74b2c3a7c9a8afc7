#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "auth/authorizer_response.hpp"

using namespace wv::auth;
using nlohmann::json;

namespace {

const json allow_all = json::parse(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*"}]})");

json good_reply() {
    return {{"isAuthenticated", true},
            {"principalId", "dev1"},
            {"policyDocuments", json::array({allow_all})},
            {"disconnectAfterInSeconds", 3600},
            {"refreshAfterInSeconds", 300}};
}

rule_check rule(const response_verdict& v, std::string_view name) {
    for (const auto& c : v.checks)
        if (c.rule == name) return c;
    FAIL_CHECK("no rule " << name);
    return {};
}

// A valid policy whose compact JSON is exactly `chars` characters long (padding in the Sid).
json policy_of_size(std::size_t chars) {
    json p = json::parse(R"({"Version":"2012-10-17","Statement":[{"Sid":"","Effect":"Allow","Action":"iot:*","Resource":"*"}]})");
    const auto base = p.dump().size();
    p["Statement"][0]["Sid"] = std::string(chars - base, 'x');
    REQUIRE(p.dump().size() == chars);
    return p;
}

}  // namespace

TEST_CASE("a good reply passes every rule, in the documented order") {
    const auto v = validate_response(good_reply().dump());
    CHECK(v.allowed);
    CHECK(v.valid);
    CHECK(v.reason == "authenticated as dev1");
    const std::vector<std::string> order{"json", "isAuthenticated", "principalId", "policyDocuments",
                                         "policyDocumentSize", "policyDocumentJson", "policyDocumentSyntax",
                                         "disconnectAfterInSeconds", "refreshAfterInSeconds"};
    REQUIRE(v.checks.size() == order.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        CHECK(v.checks[i].rule == order[i]);
        CHECK(v.checks[i].status == rule_status::pass);
    }
    CHECK(v.response.principal_id == "dev1");
    CHECK(v.response.disconnect_after_s == 3600);
    CHECK(v.response.refresh_after_s == 300);
    REQUIRE(v.response.policy_documents.size() == 1);
    CHECK(json::parse(v.response.policy_documents[0]) == allow_all);
    REQUIRE(v.response.policies.size() == 1);  // parsed once, for the gateway
    CHECK(v.response.policies[0].statements.at(0).actions.at(0) == "iot:*");
}

TEST_CASE("non-JSON and non-object replies deny with the json rule") {
    for (const char* body : {"", "not json", "{\"isAuthenticated\":true", "[]", "true", "null"}) {
        CAPTURE(body);
        const auto v = validate_response(body);
        CHECK_FALSE(v.allowed);
        CHECK_FALSE(v.valid);
        CHECK(rule(v, "json").status == rule_status::fail);
        CHECK(rule(v, "principalId").status == rule_status::skipped);
        CHECK(v.reason.starts_with("json: "));
    }
}

TEST_CASE("isAuthenticated is required and must be a boolean") {
    auto r = good_reply();
    r.erase("isAuthenticated");
    auto v = validate_response(r.dump());
    CHECK_FALSE(v.allowed);
    CHECK(v.reason == "isAuthenticated: missing; it is required (true or false)");
    r["isAuthenticated"] = "true";
    v = validate_response(r.dump());
    CHECK_FALSE(v.allowed);
    CHECK(rule(v, "isAuthenticated").status == rule_status::fail);
    CHECK(rule(v, "isAuthenticated").detail.find("string") != std::string::npos);
}

TEST_CASE("isAuthenticated false is a valid deny; the other rules are skipped") {
    const auto v = validate_response(
        R"({"isAuthenticated":false,"principalId":"x-y","policyDocuments":[],"disconnectAfterInSeconds":0,"refreshAfterInSeconds":0})");
    CHECK_FALSE(v.allowed);
    CHECK(v.valid);
    CHECK(v.reason == "the authorizer returned isAuthenticated false");
    CHECK(rule(v, "refreshAfterInSeconds").status == rule_status::skipped);
    CHECK(rule(v, "principalId").status == rule_status::skipped);
}

TEST_CASE("principalId: [a-zA-Z0-9]{1,128}; a client id with '-' is explained") {
    auto r = good_reply();
    r["principalId"] = "AKID-0";
    auto v = validate_response(r.dump());
    CHECK_FALSE(v.allowed);
    const auto c = rule(v, "principalId");
    CHECK(c.status == rule_status::fail);
    CHECK(c.detail.find("'-' at offset 4") != std::string::npos);
    CHECK(c.detail.find("client id") != std::string::npos);
    CHECK(v.reason.starts_with("principalId: "));

    r["principalId"] = std::string(128, 'a');
    CHECK(validate_response(r.dump()).allowed);
    r["principalId"] = std::string(129, 'a');
    CHECK(rule(validate_response(r.dump()), "principalId").detail == "is 129 characters; at most 128");
    r["principalId"] = "";
    CHECK_FALSE(validate_response(r.dump()).allowed);
    r["principalId"] = 42;
    CHECK_FALSE(validate_response(r.dump()).allowed);
    r["principalId"] = "caf\xc3\xa9";
    CHECK_FALSE(validate_response(r.dump()).allowed);
    r.erase("principalId");
    CHECK(rule(validate_response(r.dump()), "principalId").status == rule_status::fail);
}

TEST_CASE("policyDocuments: at most 10") {
    auto r = good_reply();
    r["policyDocuments"] = json::array();
    for (int i = 0; i < 10; ++i) r["policyDocuments"].push_back(allow_all);
    CHECK(validate_response(r.dump()).allowed);
    r["policyDocuments"].push_back(allow_all);
    const auto v = validate_response(r.dump());
    CHECK_FALSE(v.allowed);
    CHECK(v.reason == "policyDocuments: 11 documents; AWS allows at most 10 (merge statements)");
    r["policyDocuments"] = "not an array";
    CHECK(rule(validate_response(r.dump()), "policyDocuments").status == rule_status::fail);
    r.erase("policyDocuments");
    CHECK(rule(validate_response(r.dump()), "policyDocuments").status == rule_status::fail);
}

TEST_CASE("policyDocuments: each at most 2,048 characters, as an object or a string") {
    auto r = good_reply();
    r["policyDocuments"] = json::array({policy_of_size(2048)});
    CHECK(validate_response(r.dump()).allowed);
    r["policyDocuments"] = json::array({policy_of_size(2049)});
    auto v = validate_response(r.dump());
    CHECK_FALSE(v.allowed);
    CHECK(v.reason == "policyDocumentSize: policyDocuments[0] is 2049 characters; at most 2048");

    r["policyDocuments"] = json::array({policy_of_size(2048).dump()});
    CHECK(validate_response(r.dump()).allowed);
    r["policyDocuments"] = json::array({allow_all, policy_of_size(2049).dump()});
    v = validate_response(r.dump());
    CHECK(v.reason == "policyDocumentSize: policyDocuments[1] is 2049 characters; at most 2048");

    // Objects count without whitespace: pretty-printing a 2,048-character policy changes nothing.
    CHECK(policy_document_chars(policy_of_size(2048)) == 2048);
    // Strings count code points as written, so whitespace counts.
    CHECK(policy_document_chars(json(policy_of_size(2040).dump(2))) > 2040);
    CHECK(policy_document_chars(json("\xc3\xa9\xc3\xa9")) == 2);
}

TEST_CASE("policyDocuments: strings are parsed as JSON; other types and bad policies fail") {
    auto r = good_reply();
    r["policyDocuments"] = json::array({allow_all.dump()});
    auto v = validate_response(r.dump());
    CHECK(v.allowed);
    CHECK(json::parse(v.response.policy_documents.at(0)) == allow_all);

    r["policyDocuments"] = json::array({"{not json"});
    CHECK(validate_response(r.dump()).reason ==
          "policyDocumentJson: policyDocuments[0] is a string that does not hold a JSON object");
    r["policyDocuments"] = json::array({17});
    CHECK(rule(validate_response(r.dump()), "policyDocumentJson").status == rule_status::fail);
    r["policyDocuments"] = json::array({json::parse(
        R"({"Version":"2012-10-17","Statement":[{"Effect":"allow","Action":"iot:*","Resource":"*"}]})")});
    v = validate_response(r.dump());
    CHECK_FALSE(v.allowed);
    CHECK(v.reason.starts_with("policyDocumentSyntax: policyDocuments[0]: Statement[0].Effect"));
    // AWS's own example of a malformed resource (a stringified array inside the array).
    r["policyDocuments"] = json::array({json::parse(
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*","Resource":["[\"arn:aws:iot:us-east-1:1:topic/a\"]"]}]})")});
    CHECK(validate_response(r.dump()).reason.find("is not in valid ARN format") != std::string::npos);
}

TEST_CASE("TTLs: 300..86,400, integers, defaults when absent") {
    auto r = good_reply();
    for (const char* key : {"refreshAfterInSeconds", "disconnectAfterInSeconds"}) {
        CAPTURE(key);
        auto x = r;
        x[key] = 299;
        auto v = validate_response(x.dump());
        CHECK_FALSE(v.allowed);
        CHECK(v.reason == std::string(key) + ": 299 is outside 300..86400");
        x[key] = 86401;
        CHECK_FALSE(validate_response(x.dump()).allowed);
        x[key] = 300;
        CHECK(validate_response(x.dump()).allowed);
        x[key] = 86400;
        CHECK(validate_response(x.dump()).allowed);
        x[key] = 600.0;
        CHECK(validate_response(x.dump()).allowed);
        x[key] = 600.5;
        CHECK_FALSE(validate_response(x.dump()).allowed);
        x[key] = "600";
        CHECK_FALSE(validate_response(x.dump()).allowed);
        x[key] = -1;
        CHECK_FALSE(validate_response(x.dump()).allowed);
        x[key] = 18446744073709551615ull;
        CHECK_FALSE(validate_response(x.dump()).allowed);
        x[key] = 1e300;
        CHECK_FALSE(validate_response(x.dump()).allowed);
    }
    r.erase("refreshAfterInSeconds");
    r.erase("disconnectAfterInSeconds");
    const auto v = validate_response(r.dump());
    CHECK(v.allowed);
    CHECK(v.response.refresh_after_s == default_refresh_after_s);
    CHECK(v.response.disconnect_after_s == default_disconnect_after_s);
    CHECK(v.response.refresh_defaulted);
}

TEST_CASE("context is passed through") {
    auto r = good_reply();
    r["context"] = {{"k", "v"}};
    CHECK(validate_response(r.dump()).response.context == json{{"k", "v"}});
}
