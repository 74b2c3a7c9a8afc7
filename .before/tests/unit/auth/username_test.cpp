#include <doctest/doctest.h>

#include "auth/username.hpp"

using namespace wv::auth;

TEST_CASE("user name: Ayyeka's shape, plain user before '?'") {
    const auto r = parse_username("dev1?x-amz-customauthorizer-name=myauth");
    REQUIRE(r.ok());
    CHECK(r.value.base == "dev1");
    CHECK(r.value.has_query);
    CHECK(r.value.authorizer_name() == "myauth");
    CHECK_FALSE(r.value.signature());
}

TEST_CASE("user name: every parameter, any order, SDK keys pass through") {
    const auto r = parse_username(
        "u?SDK=CPPv2&x-amz-customauthorizer-signature=ab%2Bc%2F%3D&token=t%201&x-amz-customauthorizer-name=a&Version=1.2");
    REQUIRE(r.ok());
    CHECK(r.value.base == "u");
    CHECK(r.value.signature() == "ab+c/=");
    CHECK(r.value.token("token") == "t 1");
    CHECK(r.value.authorizer_name() == "a");
    CHECK(r.value.find("SDK") == "CPPv2");
    CHECK(r.value.find("Version") == "1.2");
    REQUIRE(r.value.parameters.size() == 5);
    CHECK(r.value.parameters[0].key == "SDK");
}

TEST_CASE("user name: aws-crt-cpp's login has an empty base") {
    const auto r = parse_username("?SDK=CPPv2&Version=1.0");
    REQUIRE(r.ok());
    CHECK(r.value.base.empty());
    CHECK(r.value.find("SDK") == "CPPv2");
}

TEST_CASE("user name: a raw '+' in a signature stays '+' (base64 survives unencoded)") {
    const auto r = parse_username("u?x-amz-customauthorizer-signature=a+b/c==");
    REQUIRE(r.ok());
    CHECK(r.value.signature() == "a+b/c==");
}

TEST_CASE("user name: no query, empty query, bare keys and empty pairs") {
    CHECK(parse_username("plain").value.base == "plain");
    CHECK_FALSE(parse_username("plain").value.has_query);
    const auto e = parse_username("u?");
    REQUIRE(e.ok());
    CHECK(e.value.has_query);
    CHECK(e.value.parameters.empty());
    const auto b = parse_username("u?flag&&k=");
    REQUIRE(b.ok());
    REQUIRE(b.value.parameters.size() == 2);
    CHECK(b.value.find("flag") == "");
    CHECK(b.value.find("k") == "");
    CHECK_FALSE(b.value.token(""));
    CHECK(parse_username("").ok());
}

TEST_CASE("user name: first value wins for a repeated key") {
    CHECK(parse_username("u?token=1&token=2").value.token("token") == "1");
}

TEST_CASE("user name: a second '?' is a parse failure (Java SDK bug, rejected by AWS)") {
    const std::string raw = "u?x-amz-customauthorizer-signature=abc?SDK=JavaV2&Version=0.15";
    const auto r = parse_username(raw);
    CHECK(r.error == username_errc::second_question_mark);
    CHECK(r.error_position == raw.find('?', 2));
}

TEST_CASE("user name: malformed percent escapes name their offset") {
    for (const auto* raw : {"u?k=%", "u?k=%4", "u?k=%zz", "u?%g1=v"}) {
        const auto r = parse_username(raw);
        CHECK_MESSAGE(r.error == username_errc::bad_percent_encoding, raw);
        CHECK(std::string_view(raw).substr(r.error_position, 1) == "%");
    }
    CHECK(url_decode("%41%62+") == "Ab+");
    CHECK_FALSE(url_decode("%4"));
}
