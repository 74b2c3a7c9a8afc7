#pragma once
// RSA keys generated once per test run, and token signing as a device does it
// (`openssl dgst -sha256 -sign key.pem | base64`).
#include <string>

namespace wv::auth::test {

struct key_pair {
    std::string public_pem;
    std::string private_pem;
};

const key_pair& rsa_2048();
const key_pair& rsa_2048_other();
const key_pair& rsa_1024();
const key_pair& ec_p256();

std::string sign_token_b64(const key_pair& k, const std::string& token);

}  // namespace wv::auth::test
