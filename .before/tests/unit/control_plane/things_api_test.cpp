// The control plane's things API without sockets, over a registry seeded from a things file
// (as registry-backed authorizers use it): file parsing, ListThings filters and paging,
// DescribeThing, and AWS's error shapes.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "control_plane/api.hpp"
#include "registry/things_file.hpp"

using namespace wv::registry;
using nlohmann::json;

namespace {

std::vector<thing> sample_things() {
    return parse_things_csv("# Wavelets\n"
                                            "thingName,thingTypeName,UUID,SECRET_KEY,site\n"
                                            "wavelet-0002,wavelet,2453AC035CBCBC9B,pw2,north\n"
                                            "wavelet-0001,wavelet,2453AC035CBCBC9A,\"p,w1\",\n"
                                            "gateway-1,,GW1,,south\n",
                                            "things.csv");
}

struct fixture {
    registry reg{{.acct = {.region = "eu-central-1", .id = "111122223333"}}};
    wv::control_plane::api api{reg};
    fixture() { seed_things(reg, sample_things()); }
    wv::control_plane::http_response handle(std::string method, std::string target) const {
        return api.handle({.method = std::move(method), .target = std::move(target), .headers = {}, .body = {}});
    }
};

json get(const fixture& r, std::string_view target, unsigned want = 200) {
    const auto a = r.handle("GET", std::string(target));
    CHECK_MESSAGE(a.status == want, a.body);
    return json::parse(a.body);
}

}  // namespace

TEST_CASE("CSV: header names the columns, empty cells are absent attributes, quotes work") {
    const auto things = sample_things();
    REQUIRE(things.size() == 3);
    const thing& t = things[1];
    CHECK(t.name == "wavelet-0001");
    CHECK(t.type == "wavelet");
    CHECK(t.attributes.at("SECRET_KEY") == "p,w1");
    CHECK(t.attributes.count("site") == 0);
    CHECK(things[2].type.empty());
    CHECK_THROWS_WITH_AS(parse_things_csv("UUID,SECRET\nx,y\n", "f.csv"),
                         "f.csv:1: the header must name a thingName column (e.g. thingName,UUID,SECRET_KEY)",
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(parse_things_csv("thingName,a\nx,1,2\n", "f.csv"), "f.csv:2: 3 cells but the header has 2",
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(parse_things_csv("thingName\nx\nx\n", "f.csv"), "f.csv:3: duplicate thingName 'x'",
                         std::runtime_error);
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
    const fixture r;
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
    const fixture r;
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
    const fixture r;
    const auto j = get(r, "/things/wavelet-0001");
    CHECK(j["thingName"] == "wavelet-0001");
    CHECK(j["defaultClientId"] == "wavelet-0001");
    CHECK(j["thingId"].get<std::string>().size() == 36);
    CHECK(j["attributes"]["UUID"] == "2453AC035CBCBC9A");

    auto a = r.handle("GET", "/things/nope");
    CHECK(a.status == 404);
    CHECK(a.error_type == "ResourceNotFoundException");
    CHECK(json::parse(a.body)["message"] == "Thing nope cannot be found.");
    a = r.handle("GET", "/things?maxResults=0");
    CHECK(a.status == 400);
    CHECK(a.error_type == "InvalidRequestException");
    CHECK(r.handle("GET", "/things?nextToken=garbage!").status == 400);
    CHECK(r.handle("PUT", "/things/x").status == 405);
    CHECK(r.handle("GET", "/no-such-thing").error_type == "UnknownOperationException");
}
