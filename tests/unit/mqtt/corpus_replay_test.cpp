// Replays the fuzzer's seed corpus (tests/fuzz/corpus/mqtt) through the fuzz property under g++,
// so the properties hold in the normal and sanitizer builds too, not only under clang.
#include "unit/mqtt/wire.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "fuzz/mqtt/stream_check.hpp"

TEST_CASE("fuzz corpus: every seed satisfies the stream property") {
    const std::filesystem::path dir{WV_MQTT_CORPUS_DIR};
    REQUIRE(std::filesystem::is_directory(dir));
    std::size_t n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (!entry.is_regular_file()) continue;
        std::ifstream in(entry.path(), std::ios::binary);
        const std::vector<char> data{std::istreambuf_iterator<char>(in), {}};
        CHECK_MESSAGE(wv::mqtt::fuzz::check_stream(std::as_bytes(std::span{data})),
                      entry.path().filename().string());
        ++n;
    }
    CHECK(n > 10);
}
