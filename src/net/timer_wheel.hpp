#pragma once
// A timer wheel for the connections of one thread: one steady_timer for all of them, so that
// connections whose deadlines fall in the same tick (1 ms by default) are woken by one wake-up
// and one timerfd re-arm instead of one each (wvsim: 5,000 devices at 1 report/s put ~5
// reports in every millisecond). A deadline fires at or after its time, at most one tick late,
// never early.
//
// Entries are intrusive (no allocation per schedule): a driver is an entry. A hashed wheel of
// `slots` ticks; a deadline further out than one turn waits in its slot for its turn (checked
// when the slot comes round), so far deadlines (keep-alive, the end of a run) cost a look per
// turn. Scheduling, re-scheduling and cancelling are O(1).
//
//   wv::net::timer_wheel wheel{io.get_executor()};           // one per thread, outlives its entries
//   wv::net::driver d{std::move(stream), machine, {.wheel = &wheel}};
//
// Threading: a wheel and its entries belong to one executor (one io_context thread).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "net/protocol_machine.hpp"

namespace wv::net {

class timer_wheel {
public:
    class entry {
    public:
        bool is_scheduled() const noexcept { return wheel_ != nullptr; }

    protected:
        entry() = default;
        ~entry() = default;  // the owner cancels first (driver does)
        entry(const entry&) = delete;
        entry& operator=(const entry&) = delete;
        // The deadline has come; the entry is no longer scheduled. May schedule again.
        virtual void on_expired() = 0;

    private:
        friend class timer_wheel;
        entry* prev_ = nullptr;
        entry* next_ = nullptr;
        timer_wheel* wheel_ = nullptr;
        std::int64_t tick_ = 0;
    };

    explicit timer_wheel(const boost::asio::any_io_executor& ex, std::chrono::microseconds tick = std::chrono::milliseconds(1),
                         std::size_t slots = 4096);
    ~timer_wheel();
    timer_wheel(const timer_wheel&) = delete;
    timer_wheel& operator=(const timer_wheel&) = delete;

    // Fires e.on_expired() at or after `at` (replacing an earlier schedule of e).
    void schedule(entry& e, clock::time_point at);
    void cancel(entry& e) noexcept;
    std::size_t size() const noexcept { return size_; }
    // Wake-ups so far (tests and benchmarks).
    std::uint64_t wakeups() const noexcept { return wakeups_; }

private:
    // The head of one slot's circular list.
    struct sentinel final : entry {
        void on_expired() override {}
    };

    std::int64_t tick_of(clock::time_point t) const noexcept;  // rounded up
    clock::time_point time_of(std::int64_t tick) const noexcept { return epoch_ + tick * tick_; }
    static void link(entry& head, entry& e) noexcept;
    static void unlink(entry& e) noexcept;
    void arm(std::int64_t tick);
    void arm_next();
    void on_timer(const boost::system::error_code& ec);

    boost::asio::steady_timer timer_;
    clock::time_point epoch_;
    clock::duration tick_;
    std::vector<sentinel> slots_;
    std::int64_t done_ = 0;                                     // every tick up to here has fired
    std::int64_t armed_ = INT64_MAX;                            // the tick the timer waits for
    std::size_t size_ = 0;
    std::uint64_t wakeups_ = 0;
    bool sweeping_ = false;                                     // on_timer is firing entries
};

}  // namespace wv::net
