#include <doctest/doctest.h>

#include <regex>
#include <set>

#include <nlohmann/json.hpp>

#include "auth/authorizer_event.hpp"

using namespace wv::auth;
using nlohmann::json;

TEST_CASE("event: AWS's fields, field for field, for a full MQTT CONNECT") {
    const connect_info c{.server_name = "abc-ats.iot.us-east-1.amazonaws.com",
                         .username = "dev1?x-amz-customauthorizer-name=myauth&token=tk",
                         .password = std::string("p\0w", 3),
                         .client_id = "2453AC035CBCBC9A",
                         .connection_id = "0e1d7d4b-3d2b-4f8e-9a51-0c7e7a1d2b3c"};
    const auto ev = json::parse(make_authorizer_event_json(c, {.token = "tk", .signature_verified = true}));
    const auto expected = json::parse(R"({
      "token": "tk",
      "signatureVerified": true,
      "protocols": ["tls", "mqtt"],
      "protocolData": {
        "tls": {"serverName": "abc-ats.iot.us-east-1.amazonaws.com"},
        "mqtt": {"username": "dev1?x-amz-customauthorizer-name=myauth&token=tk",
                 "password": "cAB3",
                 "clientId": "2453AC035CBCBC9A"}
      },
      "connectionMetadata": {"id": "0e1d7d4b-3d2b-4f8e-9a51-0c7e7a1d2b3c"}
    })");
    CHECK(ev == expected);
}

TEST_CASE("event: absent fields are omitted, as AWS omits them") {
    const connect_info c{.connection_id = "id"};
    const auto ev = make_authorizer_event(c, {});
    CHECK_FALSE(ev.contains("token"));
    CHECK(ev["signatureVerified"] == false);
    CHECK_FALSE(ev["protocolData"].contains("tls"));
    CHECK(ev["protocolData"]["mqtt"] == json::object());
    const connect_info empty_id{.username = "u", .client_id = "", .connection_id = "id"};
    CHECK_FALSE(make_authorizer_event(empty_id, {})["protocolData"]["mqtt"].contains("clientId"));
}

TEST_CASE("event: a user name that is not UTF-8 does not throw") {
    const connect_info c{.username = std::string("\xff\xfe", 2), .connection_id = "id"};
    CHECK_NOTHROW(make_authorizer_event_json(c, {}));
}

TEST_CASE("connection ids are UUID v4 and distinct") {
    const std::regex uuid4{"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"};
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        const auto id = make_connection_id();
        CHECK(std::regex_match(id, uuid4));
        seen.insert(id);
    }
    CHECK(seen.size() == 200);
}
