#include <doctest/doctest.h>

#include <stdexcept>

#include "auth/token_signature.hpp"
#include "test_keys.hpp"

using namespace wv::auth;

TEST_CASE("token signatures: RSA SHA-256 over the token, any configured key") {
    const token_verifier v{{{"old", test::rsa_2048_other().public_pem}, {"new", test::rsa_2048().public_pem}}};
    CHECK(v.key_count() == 2);
    const auto sig = test::sign_token_b64(test::rsa_2048(), "device-token-1");
    CHECK(v.verify("device-token-1", sig) == signature_errc::none);
    CHECK(v.verify("device-token-2", sig) == signature_errc::mismatch);
    CHECK(v.verify("device-token-1", "") == signature_errc::missing_signature);
    CHECK(v.verify("device-token-1", "***") == signature_errc::bad_base64);
    CHECK(v.verify("device-token-1", "AAAA") == signature_errc::mismatch);

    const token_verifier only_other{{{"k", test::rsa_2048_other().public_pem}}};
    CHECK(only_other.verify("device-token-1", sig) == signature_errc::mismatch);
}

TEST_CASE("token verifier refuses short, non-RSA and garbage keys at construction") {
    CHECK_THROWS_AS(token_verifier(std::map<std::string, std::string>{{"k", test::rsa_1024().public_pem}}), std::invalid_argument);
    CHECK_THROWS_AS(token_verifier(std::map<std::string, std::string>{{"k", test::ec_p256().public_pem}}), std::invalid_argument);
    CHECK_THROWS_WITH_AS(token_verifier(std::map<std::string, std::string>{{"mykey", "nope"}}), "tokenSigningPublicKeys.mykey: not a PEM public key",
                         std::invalid_argument);
}
