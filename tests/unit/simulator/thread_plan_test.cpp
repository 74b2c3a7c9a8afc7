#include <doctest/doctest.h>

#include <atomic>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "connector_pool.hpp"
#include "thread_plan.hpp"

using namespace wv::sim;

TEST_CASE("--threads 0: as few session threads as the report rate needs, connects on every core") {
    // 5,000 devices at 1 report/s on 2 cores: one session thread, one connect-only thread.
    auto p = plan_threads(0, 2, 5000, 5000);
    CHECK(p.sessions == 1);
    CHECK(p.connectors == 1);
    CHECK(p.spread_connects);
    // 15,000 reports/s still fit one session thread.
    CHECK(plan_threads(0, 2, 15000, 15000).sessions == 1);
    // 50,000 reports/s need three, but 2 cores cap it at two and leave no connect-only thread.
    p = plan_threads(0, 2, 50000, 50000);
    CHECK(p.sessions == 2);
    CHECK(p.connectors == 0);
    CHECK(p.spread_connects);
    CHECK(plan_threads(0, 8, 50000, 50000).sessions == 3);
    CHECK(plan_threads(0, 8, 50000, 50000).connectors == 5);
    // One core: one thread does everything, as before.
    p = plan_threads(0, 1, 5000, 5000);
    CHECK(p.sessions == 1);
    CHECK(p.connectors == 0);
    CHECK_FALSE(p.spread_connects);
    // Never more threads than devices; an unknown core count counts as one.
    CHECK(plan_threads(0, 8, 1, 1e6).sessions == 1);
    CHECK(plan_threads(0, 8, 1, 1e6).connectors == 0);
    CHECK(plan_threads(0, 0, 100, 100).sessions == 1);
}

TEST_CASE("--threads N: N threads that each connect and run their own devices") {
    auto p = plan_threads(2, 8, 5000, 5000);
    CHECK(p.sessions == 2);
    CHECK(p.connectors == 0);
    CHECK_FALSE(p.spread_connects);
    CHECK(plan_threads(4, 2, 3, 5000).sessions == 3);  // capped by the devices
    CHECK(plan_threads(1, 2, 5000, 1e6).sessions == 1);
}

TEST_CASE("--timer-tick 0: 0.4% of the report interval, 1 to 4 ms; an explicit tick as given") {
    using std::chrono::microseconds;
    CHECK(timer_tick_for(0, 1.0) == microseconds(4000));
    CHECK(timer_tick_for(0, 60.0) == microseconds(4000));
    CHECK(timer_tick_for(0, 0.5) == microseconds(2000));
    CHECK(timer_tick_for(0, 0.01) == microseconds(1000));
    CHECK(timer_tick_for(0.25, 1.0) == microseconds(250));
    CHECK(timer_tick_for(10, 1.0) == microseconds(10000));
}

TEST_CASE("least_busy: the next connect goes where the fewest are in flight, the worker's own thread on a tie") {
    boost::asio::io_context own, other;
    std::atomic<std::uint32_t> a{0}, b{0};
    const std::vector<connect_target> targets{{own.get_executor(), &a}, {other.get_executor(), &b}};
    CHECK(least_busy(targets) == 0);  // a tie: no move to another reactor
    a = 3;
    b = 2;
    CHECK(least_busy(targets) == 1);  // the busier session thread takes fewer handshakes
    b = 3;
    CHECK(least_busy(targets) == 0);
    CHECK(least_busy({targets.front()}) == 0);
}
