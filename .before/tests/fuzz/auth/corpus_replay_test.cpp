// Replays the seed corpora through the fuzz targets under the normal compiler (and the
// sanitizers with -DWV_SANITIZE=ON), so every build checks what the fuzzers start from.
#include <doctest/doctest.h>

#include "support/corpus.hpp"

int fuzz_response(const std::uint8_t* data, std::size_t size);
int fuzz_username(const std::uint8_t* data, std::size_t size);
int fuzz_credentials(const std::uint8_t* data, std::size_t size);

TEST_CASE("authorizer response corpus replays cleanly") {
    CHECK(wv::test::replay_corpus("auth/response", fuzz_response) >= 5);
}
TEST_CASE("user name corpus replays cleanly") {
    CHECK(wv::test::replay_corpus("auth/username", fuzz_username) >= 5);
}
TEST_CASE("credentials CSV corpus replays cleanly") {
    CHECK(wv::test::replay_corpus("auth/credentials", fuzz_credentials) >= 5);
}
