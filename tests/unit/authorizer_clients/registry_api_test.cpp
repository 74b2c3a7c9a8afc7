// The local things registry's API without sockets: file parsing, ListThings filters and
// paging, DescribeThing, and AWS's error shapes.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "authorizer_clients/registry_server/registry_api.hpp"

using namespace wv::registry;
using nlohmann::json;

namespace {

things_registry sample() {
    return things_registry(parse_things_csv("# Wavelets\n"
                                            "thingName,thingTypeName,UUID,SECRET_KEY,site\n"
                                            "wavelet-0002,wavelet,2453AC035CBCBC9B,pw2,north\n"
                                            "wavelet-0001,wavelet,2453AC035CBCBC9A,\"p,w1\",\n"
                                            "gateway-1,,GW1,,south\n",
                                            "things.csv"));
}

json get(const things_registry& r, std::string_view target, unsigned want = 200) {
    const auto a = handle_request("GET", target, r, {.region = "eu-central-1", .account_id = "111122223333"});
    CHECK_MESSAGE(a.status == want, a.body);
    return json::parse(a.body);
}

}  // namespace

TEST_CASE("CSV: header names the columns, empty cells are absent attributes, quotes work") {
    const auto r = sample();
    REQUIRE(r.size() == 3);
    const thing* t = r.find("wavelet-0001");
    REQUIRE(t);
    CHECK(t->type == "wavelet");
    CHECK(t->attributes.at("SECRET_KEY") == "p,w1");
    CHECK(t->attributes.count("site") == 0);
    CHECK(r.find("gateway-1")->type.empty());
    CHECK_THROWS_WITH_AS(parse_things_csv("UUID,SECRET\nx,y\n", "f.csv"),
                         "f.csv:1: the header must name a thingName column (e.g. thingName,UUID,SECRET_KEY)",
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(parse_things_csv("thingName,a\nx,1,2\n", "f.csv"), "f.csv:2: 3 cells but the header has 2",
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(parse_things_csv("thingName\nx\nx\n", "f.csv"), "f.csv:3: duplicate thingName 'x'",
                         std::runtime_error);
    CHECK_THROWS_AS(things_registry({thing{"x"}, thing{"x"}}), std::invalid_argument);
}

TEST_CASE("YAML: things with attributes; errors carry the line") {
    const auto things = parse_things_yaml("things:\n"
                                          "  - thingName: a\n"
                                          "    thingTypeName: wavelet\n"
                                          "    attributes: {UUID: A1, SECRET_KEY: s}\n"
                                          "  - thingName: b\n",
                                          "t.yaml");
    REQUIRE(things.size() == 2);
    CHECK(things[0].attributes.at("UUID") == "A1");
    CHECK_THROWS_WITH_AS(parse_things_yaml("things:\n  - thingTypeName: x\n", "t.yaml"), "t.yaml:2: missing thingName",
                         std::runtime_error);
}

TEST_CASE("ListThings: by attribute, as Ayyeka's registry authorizer asks") {
    const auto r = sample();
    const auto j = get(r, "/things?maxResults=1&attributeName=UUID&attributeValue=2453AC035CBCBC9B");
    REQUIRE(j["things"].size() == 1);
    CHECK(j["things"][0] == json{{"thingName", "wavelet-0002"},
                                 {"thingTypeName", "wavelet"},
                                 {"thingArn", "arn:aws:iot:eu-central-1:111122223333:thing/wavelet-0002"},
                                 {"attributes", {{"UUID", "2453AC035CBCBC9B"}, {"SECRET_KEY", "pw2"}, {"site", "north"}}},
                                 {"version", 1}});
    CHECK_FALSE(j.contains("nextToken"));
    CHECK(get(r, "/things?attributeName=UUID&attributeValue=NOPE")["things"].empty());
}

TEST_CASE("ListThings: type filter, prefix match, percent-decoding, paging with nextToken") {
    const auto r = sample();
    CHECK(get(r, "/things?thingTypeName=wavelet")["things"].size() == 2);
    CHECK(get(r, "/things?attributeName=UUID&attributeValue=2453&usePrefixAttributeValue=true")["things"].size() == 2);
    CHECK(get(r, "/things?attributeName=SECRET_KEY&attributeValue=p%2Cw1")["things"].size() == 1);
    auto page = get(r, "/things?maxResults=2");
    REQUIRE(page["things"].size() == 2);
    CHECK(page["things"][0]["thingName"] == "gateway-1");  // name order
    REQUIRE(page.contains("nextToken"));
    page = get(r, "/things?maxResults=2&nextToken=" + page["nextToken"].get<std::string>());
    REQUIRE(page["things"].size() == 1);
    CHECK(page["things"][0]["thingName"] == "wavelet-0002");
    CHECK_FALSE(page.contains("nextToken"));
}

TEST_CASE("DescribeThing and errors in AWS's shapes") {
    const auto r = sample();
    const auto j = get(r, "/things/wavelet-0001");
    CHECK(j["thingName"] == "wavelet-0001");
    CHECK(j["defaultClientId"] == "wavelet-0001");
    CHECK(j["thingId"].get<std::string>().size() == 36);
    CHECK(j["attributes"]["UUID"] == "2453AC035CBCBC9A");

    auto a = handle_request("GET", "/things/nope", r, {});
    CHECK(a.status == 404);
    CHECK(a.error_type == "ResourceNotFoundException");
    CHECK(json::parse(a.body)["message"] == "Thing nope cannot be found.");
    a = handle_request("GET", "/things?maxResults=0", r, {});
    CHECK(a.status == 400);
    CHECK(a.error_type == "InvalidRequestException");
    CHECK(handle_request("GET", "/things?nextToken=garbage", r, {}).status == 400);
    CHECK(handle_request("DELETE", "/things/x", r, {}).status == 405);
    CHECK(handle_request("GET", "/policies", r, {}).status == 404);
}

TEST_CASE("percent_decode") {
    CHECK(percent_decode("a%20b+c", true) == "a b c");
    CHECK(percent_decode("a%20b+c", false) == "a b+c");
    CHECK(percent_decode("bad%2", false) == "bad%2");
    CHECK(percent_decode("%zz%41", false) == "%zzA");
}
