#include <doctest/doctest.h>

#include "auth/authorizer_config.hpp"
#include "test_keys.hpp"

using namespace wv::auth;

namespace {
authorizer_config unsigned_auth(std::string name) {
    return {.name = std::move(name), .signing_disabled = true, .token_key_name = "token"};
}
parsed_username user(std::string_view raw) { return parse_username(raw).value; }
}  // namespace

TEST_CASE("authorizer names and token key names follow AWS's patterns") {
    CHECK(is_valid_authorizer_name("my_auth-1=,@"));
    CHECK_FALSE(is_valid_authorizer_name(""));
    CHECK_FALSE(is_valid_authorizer_name("has space"));
    CHECK_FALSE(is_valid_authorizer_name("a/b"));
    CHECK(is_valid_authorizer_name(std::string(128, 'a')));
    CHECK_FALSE(is_valid_authorizer_name(std::string(129, 'a')));
    CHECK(is_valid_token_key_name("token_key-1"));
    CHECK_FALSE(is_valid_token_key_name("token=key"));
    CHECK_FALSE(is_valid_token_key_name(std::string(129, 't')));
}

TEST_CASE("validation: signing enabled needs a token key and >= 2048-bit RSA keys") {
    authorizer_config a{.name = "signed"};
    auto p = validate(a);
    REQUIRE(p.size() == 2);
    CHECK(p[0].find("tokenKeyName is required") != std::string::npos);
    CHECK(p[1].find("tokenSigningPublicKeys is required") != std::string::npos);

    a.token_key_name = "token";
    a.token_signing_public_keys = {{"k1", test::rsa_2048().public_pem}};
    CHECK(validate(a).empty());

    a.token_signing_public_keys = {{"small", test::rsa_1024().public_pem}};
    p = validate(a);
    REQUIRE(p.size() == 1);
    CHECK(p[0].find("1024 bits; AWS requires at least 2048") != std::string::npos);

    a.token_signing_public_keys = {{"ec", test::ec_p256().public_pem}};
    CHECK(validate(a).at(0).find("not an RSA key") != std::string::npos);
    a.token_signing_public_keys = {{"junk", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"}};
    CHECK(validate(a).at(0).find("not a PEM public key") != std::string::npos);
}

TEST_CASE("validation: duplicate names and a missing default") {
    endpoint_authorizers e{.authorizers = {unsigned_auth("a"), unsigned_auth("a")}, .default_authorizer = "zz"};
    const auto p = validate(e);
    REQUIRE(p.size() == 2);
    CHECK(p[0] == "authorizer 'a' is defined twice");
    CHECK(p[1] == "default authorizer 'zz' is not defined");
}

TEST_CASE("selection follows spec 1.2") {
    endpoint_authorizers e{.authorizers = {unsigned_auth("a"), unsigned_auth("b"), unsigned_auth("off")}};
    e.authorizers[2].status = authorizer_status::inactive;

    SUBCASE("a named authorizer is used") {
        const auto s = select_authorizer(e, user("u?x-amz-customauthorizer-name=b"));
        REQUIRE(s.ok());
        CHECK(s.authorizer->name == "b");
        CHECK_FALSE(s.used_default);
    }
    SUBCASE("no name, no default: named reason") {
        const auto s = select_authorizer(e, user("u"));
        CHECK(s.error == selection_errc::no_authorizer);
        CHECK(s.reason.find("no default authorizer") != std::string::npos);
    }
    SUBCASE("unknown name: not found, no fallback to the default") {
        e.default_authorizer = "a";
        const auto s = select_authorizer(e, user("u?x-amz-customauthorizer-name=nope"));
        CHECK(s.error == selection_errc::not_found);
        CHECK(s.reason == "no authorizer named 'nope'");
    }
    SUBCASE("inactive") {
        CHECK(select_authorizer(e, user("u?x-amz-customauthorizer-name=off")).error == selection_errc::inactive);
    }
    SUBCASE("default when no name") {
        e.default_authorizer = "a";
        const auto s = select_authorizer(e, user("u"));
        REQUIRE(s.ok());
        CHECK(s.authorizer->name == "a");
        CHECK(s.used_default);
    }
    SUBCASE("default does not apply when the device presents AWS credentials") {
        e.default_authorizer = "a";
        CHECK(select_authorizer(e, user("u"), true).error == selection_errc::credentials_present);
    }
    SUBCASE("override not allowed: the name is ignored") {
        e.default_authorizer = "a";
        e.allow_authorizer_override = false;
        const auto s = select_authorizer(e, user("u?x-amz-customauthorizer-name=b"));
        REQUIRE(s.ok());
        CHECK(s.authorizer->name == "a");
        CHECK(s.name_ignored);
    }
    SUBCASE("override allowed: the name wins over the default") {
        e.default_authorizer = "a";
        CHECK(select_authorizer(e, user("u?x-amz-customauthorizer-name=b")).authorizer->name == "b");
    }
}
