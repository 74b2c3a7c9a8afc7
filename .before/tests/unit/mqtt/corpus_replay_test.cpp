// Replays the fuzzer's seed corpus (tests/fuzz/corpus/mqtt) through the fuzz property under g++,
// so the properties hold in the normal and sanitizer builds too, not only under clang.
#include "unit/mqtt/wire.hpp"

#include "fuzz/mqtt/stream_check.hpp"
#include "support/corpus.hpp"

TEST_CASE("fuzz corpus: every seed satisfies the stream property") {
    const auto files = wv::test::read_corpus("mqtt");
    for (const auto& f : files)
        CHECK_MESSAGE(wv::mqtt::fuzz::check_stream(f.as_bytes()), f.path.filename().string());
    CHECK(files.size() > 10);
}
