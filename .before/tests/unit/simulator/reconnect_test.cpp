#include <doctest/doctest.h>

#include <stdexcept>

#include "reconnect.hpp"

using namespace wv::sim;
using std::chrono::milliseconds;

TEST_CASE("--retry-backoff: 'off' or INITIAL,MAX seconds") {
    const auto b = parse_retry_backoff("0.5,10");
    CHECK(b.enabled);
    CHECK(b.initial == milliseconds(500));
    CHECK(b.max == milliseconds(10'000));
    CHECK_FALSE(parse_retry_backoff("off").enabled);
    CHECK(parse_retry_backoff("2").max == milliseconds(2000));  // one value: a constant delay
    for (const char* bad : {"", "x", "1,", ",2", "0,1", "-1,2", "5,1", "1,2,3", "1s,2"})
        CHECK_THROWS_AS(parse_retry_backoff(bad), std::invalid_argument);
}

TEST_CASE("retry delays double up to the cap, with equal jitter, the same for the same seed") {
    const retry_backoff b{.enabled = true, .initial = milliseconds(1000), .max = milliseconds(8000)};
    const milliseconds full[] = {milliseconds(1000), milliseconds(2000), milliseconds(4000), milliseconds(8000),
                                 milliseconds(8000), milliseconds(8000)};
    bool varies = false;
    for (std::uint32_t attempt = 0; attempt < 6; ++attempt)
        for (std::uint32_t dev = 0; dev < 50; ++dev) {
            const auto d = retry_delay(b, 7, dev, attempt);
            CHECK(d >= full[attempt] / 2);
            CHECK(d <= full[attempt]);
            CHECK(d == retry_delay(b, 7, dev, attempt));
            varies |= d != retry_delay(b, 7, 0, attempt);
        }
    CHECK(varies);  // devices that failed together do not retry in lock-step
    CHECK(retry_delay(b, 7, 3, 1000) <= b.max);  // no overflow far out
}
