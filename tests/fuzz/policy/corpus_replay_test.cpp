// Replays the seed corpus through the fuzz target under the normal compiler and sanitizers.
#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

TEST_CASE("policy corpus replays cleanly") {
    const auto dir = std::filesystem::path(WV_SOURCE_DIR_PATH) / "tests/fuzz/corpus/policy";
    std::size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        std::ifstream in{e.path(), std::ios::binary};
        std::ostringstream s;
        s << in.rdbuf();
        const auto bytes = s.str();
        CAPTURE(e.path().string());
        CHECK(LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()) == 0);
        ++n;
    }
    CHECK(n >= 5);
}
