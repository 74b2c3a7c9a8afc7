#include <doctest/doctest.h>

#include <regex>

#include "progress.hpp"

using namespace wv::sim;

TEST_CASE("progress line: a second without connects or PUBACKs shows '-', not 0us") {
    timeline_sample s;
    s.t = 3;
    s.connected = 5;
    s.sent = 5;
    wv::metrics::histogram puback;
    puback.record_us(1500);
    puback.record_us(2500);
    s.set_latency({}, wv::metrics::sparse_histogram(puback));
    const auto line = progress_line(s, 2, 1);
    CHECK(line ==
          "[    3s] connected 5, connecting 2, failed 1 | sent 5/s, acked 0/s | CONNACK p50 - p99 - | "
          "PUBACK p50 1.5ms p99 2.5ms");
    // What bench_wvsim.py reads from it.
    CHECK(std::regex_search(line, std::regex(R"(\[\s*(\d+)s\] connected (\d+),.*sent (\d+)/s)")));
    s.set_latency({}, {});
    CHECK(progress_line(s, 0, 0).ends_with("CONNACK p50 - p99 - | PUBACK p50 - p99 -"));
}

TEST_CASE("progress latency: units, and a fast second is not an empty one") {
    wv::metrics::histogram h;
    h.record_us(0);
    CHECK(progress_latency(wv::metrics::sparse_histogram(h), 0.5) == "0us");
    h.reset();
    h.record_us(812);
    CHECK(progress_latency(wv::metrics::sparse_histogram(h), 0.5) == "812us");
    h.reset();
    h.record_us(1'200'000);
    CHECK(progress_latency(wv::metrics::sparse_histogram(h), 0.5) == "1.20s");
    CHECK(progress_latency({}, 0.99) == "-");
}
