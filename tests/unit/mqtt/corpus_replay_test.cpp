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

TEST_CASE("fuzz corpus: every MQTT 5 seed satisfies the stream property at 5 and as a server") {
    using wv::mqtt::fuzz::stream_mode;
    const auto files = wv::test::read_corpus("mqtt5");
    for (const auto& f : files) {
        CHECK_MESSAGE(wv::mqtt::fuzz::check_stream(f.as_bytes(), stream_mode::as_client_v5), f.path.filename().string());
        CHECK_MESSAGE(wv::mqtt::fuzz::check_stream(f.as_bytes(), stream_mode::as_server), f.path.filename().string());
    }
    CHECK(files.size() > 30);
}
