// Replays the WebSocket fuzz corpus (tests/fuzz/corpus/websocket) through the fuzz target's
// property under the normal compiler, so findings saved there stay fixed without libFuzzer.
#include <doctest/doctest.h>

#include <ostream>

#include "layer_check.hpp"
#include "support/corpus.hpp"

TEST_CASE("the WebSocket fuzz corpus replays cleanly through both layers, at every split size") {
    const auto files = wv::test::read_corpus("websocket");
    for (const auto& f : files) {
        CAPTURE(f.path.filename());
        auto bytes = std::string(f.bytes);
        for (int split = 0; split < 16 && !bytes.empty(); ++split) {
            bytes[0] = static_cast<char>(split);
            CHECK_NOTHROW(wv::fuzz::check_layers(
                {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}));
        }
    }
    CHECK(files.size() >= 7);
}
