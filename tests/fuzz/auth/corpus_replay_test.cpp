// Replays the seed corpora through the fuzz targets under the normal compiler (and the
// sanitizers with -DWV_SANITIZE=ON), so every build checks what the fuzzers start from.
#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

int fuzz_response(const std::uint8_t* data, std::size_t size);
int fuzz_username(const std::uint8_t* data, std::size_t size);

namespace {

std::size_t replay(const char* corpus, int (*target)(const std::uint8_t*, std::size_t)) {
    const auto dir = std::filesystem::path(WV_SOURCE_DIR_PATH) / "tests/fuzz/corpus" / corpus;
    std::size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        std::ifstream in{e.path(), std::ios::binary};
        std::ostringstream s;
        s << in.rdbuf();
        const auto bytes = s.str();
        CAPTURE(e.path().string());
        CHECK(target(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()) == 0);
        ++n;
    }
    return n;
}

}  // namespace

TEST_CASE("authorizer response corpus replays cleanly") { CHECK(replay("auth/response", fuzz_response) >= 5); }
TEST_CASE("user name corpus replays cleanly") { CHECK(replay("auth/username", fuzz_username) >= 5); }
