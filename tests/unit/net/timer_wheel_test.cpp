// wv::net::timer_wheel on a real io_context: deadlines in one tick share a wake-up, none fires
// early, cancel and re-schedule, a deadline more than one turn away waits for its turn.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "net/timer_wheel.hpp"

namespace {

using namespace std::chrono_literals;
using wv::net::clock;

struct probe_entry final : wv::net::timer_wheel::entry {
    std::string name;
    std::vector<std::string>* log = nullptr;
    clock::time_point due{};
    clock::duration late{};
    void on_expired() override {
        late = clock::now() - due;
        log->push_back(name);
    }
    void schedule(wv::net::timer_wheel& w, clock::time_point at) {
        due = at;
        w.schedule(*this, at);
    }
    using entry::is_scheduled;
};

}  // namespace

TEST_CASE("deadlines in the same tick fire in one wake-up, in order of their ticks, never early") {
    boost::asio::io_context io;
    wv::net::timer_wheel wheel(io.get_executor(), 5ms);
    std::vector<std::string> log;
    probe_entry a, b, c, d;
    for (auto* e : {&a, &b, &c, &d}) e->log = &log;
    a.name = "a", b.name = "b", c.name = "c", d.name = "d";
    const auto t0 = clock::now() + 50ms;
    c.schedule(wheel, t0 + 40ms);
    a.schedule(wheel, t0);
    b.schedule(wheel, t0 + 1ms);  // the same 5 ms tick as a, or the next one
    d.schedule(wheel, t0 + 500ms);
    CHECK(wheel.size() == 4);
    wheel.cancel(d);  // cancelled: never fires
    CHECK(!d.is_scheduled());
    CHECK(wheel.size() == 3);
    io.run_for(2s);
    CHECK(log == std::vector<std::string>{"a", "b", "c"});
    for (auto* e : {&a, &b, &c}) CHECK(e->late >= 0ns);
    CHECK(wheel.size() == 0);
    CHECK(wheel.wakeups() <= 3);  // a and b together (or in consecutive ticks), then c
}

TEST_CASE("1,000 deadlines spread over 100 ms take far fewer wake-ups than deadlines") {
    boost::asio::io_context io;
    wv::net::timer_wheel wheel(io.get_executor(), 1ms);
    std::vector<std::string> log;
    std::vector<probe_entry> entries(1000);
    const auto t0 = clock::now() + 20ms;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        entries[i].log = &log;
        entries[i].schedule(wheel, t0 + std::chrono::microseconds(i * 100));
    }
    io.run_for(3s);
    CHECK(log.size() == 1000);
    CHECK(wheel.wakeups() <= 101);
    for (auto& e : entries) CHECK(e.late >= 0ns);
}

TEST_CASE("re-scheduling earlier or later; a deadline more than one turn away waits for its turn") {
    boost::asio::io_context io;
    wv::net::timer_wheel wheel(io.get_executor(), 1ms, 16);  // one turn: 16 ms
    std::vector<std::string> log;
    probe_entry a, b;
    a.log = b.log = &log;
    a.name = "a", b.name = "b";
    a.schedule(wheel, clock::now() + 500ms);
    a.schedule(wheel, clock::now() + 10ms);  // earlier: fires at 10 ms
    b.schedule(wheel, clock::now() + 5ms);
    b.schedule(wheel, clock::now() + 60ms);  // later: almost four turns
    io.run_for(2s);
    CHECK(log == std::vector<std::string>{"a", "b"});
    CHECK(a.late >= 0ns);
    CHECK(b.late >= 0ns);
    CHECK(a.late < 400ms);
}

TEST_CASE("an entry that schedules itself again from on_expired fires again") {
    struct repeat final : wv::net::timer_wheel::entry {
        wv::net::timer_wheel* w = nullptr;
        int fired = 0;
        void on_expired() override {
            if (++fired < 5) w->schedule(*this, clock::now());  // due now: the next tick
        }
    };
    boost::asio::io_context io;
    wv::net::timer_wheel wheel(io.get_executor(), 1ms);
    repeat r;
    r.w = &wheel;
    wheel.schedule(r, clock::now());
    io.run_for(1s);
    CHECK(r.fired == 5);
}
