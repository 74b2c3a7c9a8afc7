#include <doctest/doctest.h>

#include <cmath>

#include "timetable.hpp"

using namespace wv::sim;

TEST_CASE("reports follow the interval from a per-device phase, within the jitter") {
    const timetable tt({.devices = 100, .interval = run_time(2.0), .jitter = 0.2, .duration = run_time(60), .seed = 3});
    for (std::uint32_t d = 0; d < 100; ++d) {
        const double first = tt.report_due(d, 1)->count();
        CHECK(first >= 0);
        CHECK(first < 2.0 + 0.2);
        for (std::uint64_t k = 2; k < 20; ++k) {
            const double t = tt.report_due(d, k)->count();
            const double ideal = first + static_cast<double>(k - 1) * 2.0;
            CHECK(std::abs(t - ideal) <= 0.2 * 2.0 + 1e-9);  // two half-jitters at most
        }
    }
}

TEST_CASE("the timetable is a pure function of the seed") {
    const load_shape s{.devices = 10, .interval = run_time(1), .jitter = 0.5, .kill = 0.5, .seed = 11};
    const timetable a(s), b(s);
    auto other = s;
    other.seed = 12;
    const timetable c(other);
    int differ = 0;
    for (std::uint32_t d = 0; d < 10; ++d) {
        CHECK(a.report_due(d, 5) == b.report_due(d, 5));
        CHECK(a.kill_at(d) == b.kill_at(d));
        differ += a.report_due(d, 5) != c.report_due(d, 5);
    }
    CHECK(differ > 0);
}

TEST_CASE("fleet rate: devices / interval reports per second over the run") {
    const timetable tt({.devices = 1000, .interval = run_time(10), .jitter = 0.1, .duration = run_time(30)});
    const auto n = tt.reports_planned();
    CHECK(n >= 2900);  // 1000 devices x 3 reports, less a few phases pushed past the end
    CHECK(n <= 3050);  // a small phase and a negative jitter fit a fourth report
}

TEST_CASE("message budget, duration end and the connect ramp") {
    const timetable tt({.devices = 4, .connect_rate = 2, .interval = run_time(1), .duration = run_time(100),
                        .messages = 3});
    CHECK(tt.connect_at(0).count() == 0);
    CHECK(tt.connect_at(3).count() == doctest::Approx(1.5));
    CHECK(tt.report_due(3, 3).has_value());
    CHECK(!tt.report_due(3, 4).has_value());
    CHECK(!tt.report_due(0, 0).has_value());
    CHECK(tt.reports_planned() == 12);
    CHECK(tt.report_due(3, 1)->count() >= 1.5);  // not before its connect
    const timetable short_run({.devices = 1, .interval = run_time(1), .duration = run_time(2.5)});
    CHECK(!short_run.report_due(0, 4).has_value());
}

TEST_CASE("kill picks about the asked fraction, mid-run; churn repeats every period") {
    const timetable tt({.devices = 10'000, .duration = run_time(40), .churn = run_time(10), .kill = 0.1});
    int killed = 0;
    for (std::uint32_t d = 0; d < 10'000; ++d)
        if (auto k = tt.kill_at(d)) {
            ++killed;
            CHECK(k->count() >= 10.0);
            CHECK(k->count() <= 26.0);
        }
    CHECK(killed > 900);
    CHECK(killed < 1100);
    const auto c1 = tt.churn_after(5, run_time(0));
    REQUIRE(c1);
    CHECK(c1->count() > 0);
    CHECK(c1->count() <= 10.0);
    const auto c2 = tt.churn_after(5, *c1);
    CHECK(c2->count() == doctest::Approx(c1->count() + 10));
    const timetable no_churn({.devices = 1});
    CHECK(!no_churn.churn_after(0, run_time(3)));
    CHECK(!no_churn.kill_at(0));
}

TEST_CASE("shards draw what one process would: kills and phases follow the global index") {
    const load_shape whole{.devices = 1000, .interval = run_time(5), .jitter = 0.4, .duration = run_time(60),
                           .kill = 0.2, .seed = 9};
    const timetable all(whole);
    for (std::uint32_t first : {0u, 500u}) {
        auto part = whole;
        part.devices = 500;
        part.first_index = first;
        const timetable shard(part);
        for (std::uint32_t d = 0; d < 500; ++d) {
            CHECK(shard.kill_at(d).has_value() == all.kill_at(first + d).has_value());
            // No ramp: the whole schedule is the same, report by report.
            CHECK(shard.report_due(d, 3) == all.report_due(first + d, 3));
        }
    }
}
