#include "net/timer_wheel.hpp"

#include <algorithm>

#include <boost/asio/error.hpp>

namespace wv::net {

timer_wheel::timer_wheel(const boost::asio::any_io_executor& ex, std::chrono::microseconds tick, std::size_t slots)
    : timer_(ex), epoch_(clock::now()), tick_(std::max<clock::duration>(tick, std::chrono::microseconds(1))),
      slots_(std::max<std::size_t>(slots, 2)) {
    for (auto& s : slots_) s.prev_ = s.next_ = &s;
}

timer_wheel::~timer_wheel() {
    // Entries still scheduled are simply forgotten (their owners are going away with the thread).
    for (auto& s : slots_)
        while (s.next_ != &s) {
            entry* e = s.next_;
            unlink(*e);
            e->wheel_ = nullptr;
        }
}

std::int64_t timer_wheel::tick_of(clock::time_point t) const noexcept {
    const auto d = t - epoch_;
    if (d <= clock::duration::zero()) return 0;
    return (d.count() + tick_.count() - 1) / tick_.count();
}

void timer_wheel::link(entry& head, entry& e) noexcept {
    e.next_ = &head;
    e.prev_ = head.prev_;
    head.prev_->next_ = &e;
    head.prev_ = &e;
}

void timer_wheel::unlink(entry& e) noexcept {
    e.prev_->next_ = e.next_;
    e.next_->prev_ = e.prev_;
    e.prev_ = e.next_ = nullptr;
}

void timer_wheel::schedule(entry& e, clock::time_point at) {
    cancel(e);
    // A tick already fired (a deadline that is due now) fires with the next one.
    const auto tick = std::max(tick_of(at), done_ + 1);
    e.tick_ = tick;
    e.wheel_ = this;
    link(slots_[static_cast<std::size_t>(tick) % slots_.size()], e);
    ++size_;
    if (!sweeping_ && tick < armed_) arm(tick);  // a sweep arms once, at its end
}

void timer_wheel::cancel(entry& e) noexcept {
    if (e.wheel_ != this) return;
    unlink(e);
    e.wheel_ = nullptr;
    --size_;
    // The timer stays armed: a wake-up that finds nothing is cheaper than re-arming here.
}

void timer_wheel::arm(std::int64_t tick) {
    armed_ = tick;
    timer_.expires_at(time_of(tick));  // aborts the pending wait, if any
    timer_.async_wait([this](const boost::system::error_code& ec) { on_timer(ec); });
}

void timer_wheel::arm_next() {
    armed_ = INT64_MAX;
    if (size_ == 0) return;
    // The first slot with anything in it; its entries may belong to a later turn, which costs
    // one wake-up per turn.
    const auto n = static_cast<std::int64_t>(slots_.size());
    for (std::int64_t t = done_ + 1; t <= done_ + n; ++t) {
        auto& s = slots_[static_cast<std::size_t>(t % n)];
        if (s.next_ != &s) return arm(t);
    }
}

void timer_wheel::on_timer(const boost::system::error_code& ec) {
    if (ec == boost::asio::error::operation_aborted) return;  // re-armed: a newer wait is pending
    ++wakeups_;
    armed_ = INT64_MAX;
    const auto now_tick = (clock::now() - epoch_).count() / tick_.count();
    const auto n = static_cast<std::int64_t>(slots_.size());
    // Each slot once at most: after a long stall, one pass over the wheel finds everything due.
    const auto first = std::max(done_ + 1, now_tick - n + 1);
    sentinel due;
    due.prev_ = due.next_ = &due;
    sweeping_ = true;
    for (std::int64_t t = first; t <= now_tick; ++t) {
        done_ = t;
        auto& s = slots_[static_cast<std::size_t>(t % n)];
        // Move this slot's entries out first (the whole list at once: touching each entry here
        // would cost a cache miss per connection): callbacks may schedule into it again.
        if (s.next_ != &s) {
            due.next_ = s.next_;
            due.prev_ = s.prev_;
            due.next_->prev_ = &due;
            due.prev_->next_ = &due;
            s.next_ = s.prev_ = &s;
        }
        while (due.next_ != &due) {
            entry* e = due.next_;
            unlink(*e);
            if (e->tick_ > now_tick) {  // a later turn
                link(s, *e);
                continue;
            }
            e->wheel_ = nullptr;
            --size_;
            e->on_expired();
        }
    }
    done_ = std::max(done_, now_tick);
    sweeping_ = false;
    arm_next();
}

}  // namespace wv::net
