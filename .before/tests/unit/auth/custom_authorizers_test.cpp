#include <doctest/doctest.h>

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "auth/custom_authorizers.hpp"
#include "test_keys.hpp"

using namespace wv::auth;
using nlohmann::json;

namespace {

custom_authorizers make() {
    endpoint_authorizers e;
    e.authorizers.push_back({.name = "plain", .signing_disabled = true, .token_key_name = "token"});
    e.authorizers.push_back({.name = "signed",
                             .token_key_name = "tok",
                             .token_signing_public_keys = {{"k", test::rsa_2048().public_pem}}});
    return custom_authorizers{e};
}

connect_info conn(std::string username) {
    return {.server_name = "x-ats.iot.us-east-1.amazonaws.com", .username = std::move(username),
            .password = "pw", .client_id = "c1", .connection_id = make_connection_id()};
}

}  // namespace

TEST_CASE("prepare: signing disabled still extracts the token (AWS SA sample)") {
    const auto ca = make();
    const auto p = ca.prepare(conn("u?x-amz-customauthorizer-name=plain&token=abc"));
    REQUIRE(p.ok());
    CHECK(p.authorizer->name == "plain");
    const auto ev = json::parse(p.event_json);
    CHECK(ev["token"] == "abc");
    CHECK(ev["signatureVerified"] == false);
    CHECK(ev["protocolData"]["mqtt"]["username"] == "u?x-amz-customauthorizer-name=plain&token=abc");
}

TEST_CASE("prepare: signing enabled verifies before invoking") {
    const auto ca = make();
    const auto sig = test::sign_token_b64(test::rsa_2048(), "tk 1");
    std::string encoded;
    for (char c : sig) {
        if (c == '+') encoded += "%2B";
        else if (c == '/') encoded += "%2F";
        else if (c == '=') encoded += "%3D";
        else encoded += c;
    }
    const auto ok = ca.prepare(conn("u?x-amz-customauthorizer-name=signed&tok=tk%201&x-amz-customauthorizer-signature=" + encoded));
    REQUIRE(ok.ok());
    CHECK(ok.signature_verified);
    CHECK(json::parse(ok.event_json)["signatureVerified"] == true);
    CHECK(json::parse(ok.event_json)["token"] == "tk 1");

    const auto raw_sig = ca.prepare(conn("u?x-amz-customauthorizer-name=signed&tok=tk%201&x-amz-customauthorizer-signature=" + sig));
    CHECK(raw_sig.ok());

    const auto wrong = ca.prepare(conn("u?x-amz-customauthorizer-name=signed&tok=other&x-amz-customauthorizer-signature=" + encoded));
    CHECK(wrong.error == prepare_errc::bad_signature);
    CHECK(wrong.event_json.empty());
    CHECK(wrong.reason.find("not invoked") != std::string::npos);

    CHECK(ca.prepare(conn("u?x-amz-customauthorizer-name=signed&tok=x")).error == prepare_errc::missing_signature);
    CHECK(ca.prepare(conn("u?x-amz-customauthorizer-name=signed&x-amz-customauthorizer-signature=" + encoded)).error ==
          prepare_errc::missing_token);
}

TEST_CASE("prepare: refusals before invocation") {
    const auto ca = make();
    CHECK(ca.prepare(conn("u?x-amz-customauthorizer-name=plain?SDK=x")).error == prepare_errc::username_malformed);
    CHECK(ca.prepare(conn("u")).error == prepare_errc::no_authorizer);
    CHECK(ca.prepare(conn("u?x-amz-customauthorizer-name=zz")).error == prepare_errc::authorizer_not_found);
    connect_info no_user{.connection_id = "id"};
    CHECK(ca.prepare(no_user).error == prepare_errc::no_authorizer);
}

TEST_CASE("prepare: the endpoint default serves devices that send no user name") {
    endpoint_authorizers e;
    e.authorizers.push_back({.name = "d", .signing_disabled = true});
    e.default_authorizer.emplace("d");  // not `= "d"`: GCC 12 gives a false -Wrestrict
    const custom_authorizers ca{e};
    connect_info c{.client_id = "c", .connection_id = "id"};
    const auto p = ca.prepare(c);
    REQUIRE(p.ok());
    CHECK_FALSE(json::parse(p.event_json).contains("token"));
}

TEST_CASE("construction lists every configuration problem") {
    endpoint_authorizers e;
    e.authorizers.push_back({.name = "bad name"});
    CHECK_THROWS_AS(custom_authorizers{e}, std::invalid_argument);
}
