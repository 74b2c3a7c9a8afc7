// Replays the seed corpus through the fuzz target under the normal compiler and sanitizers.
#include <doctest/doctest.h>

#include "support/corpus.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

TEST_CASE("rule SQL corpus replays cleanly") {
    CHECK(wv::test::replay_corpus("rules", LLVMFuzzerTestOneInput) >= 5);
}
