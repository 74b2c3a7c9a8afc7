#include <doctest/doctest.h>

#include "util/base64.hpp"
#include "util/hex.hpp"

using namespace wv::util;

TEST_CASE("base64: RFC 4648 section 10 vectors, both ways") {
    const std::pair<const char*, const char*> vectors[] = {
        {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, coded] : vectors) {
        CHECK(base64_encode(std::string_view(plain)) == coded);
        CHECK(base64_decode(coded) == std::string(plain));
    }
}

TEST_CASE("base64: rejects bad input") {
    CHECK_FALSE(base64_decode("Zm9v!"));
    CHECK_FALSE(base64_decode("Z"));
    CHECK_FALSE(base64_decode("Zg=x"));
    CHECK_FALSE(base64_decode("Zg==="));
    CHECK(base64_decode("Zm9v\nYmFy") == std::string("foobar"));
}

TEST_CASE("hex: round trip and errors") {
    CHECK(hex_encode(std::string_view("\x00\xff\x10", 3)) == "00ff10");
    CHECK(hex_decode("00FF10") == std::string("\x00\xff\x10", 3));
    CHECK_FALSE(hex_decode("0"));
    CHECK_FALSE(hex_decode("zz"));
}
