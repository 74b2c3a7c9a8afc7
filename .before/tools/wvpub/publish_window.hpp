#pragma once
// Counts what a session has published and had acknowledged, and holds -l lines until they may
// go: libmosquitto queues -l lines without bound and keeps at most -M (max_inflight) of them
// unacknowledged. Both publishers (native_publisher, Paho's in publisher.cpp) use it.
#include <deque>
#include <optional>
#include <string>

namespace wv::wvpub {

class publish_window {
public:
    explicit publish_window(int max_inflight) : max_inflight_(max_inflight) {}

    void add_line(std::string line) { backlog_.push_back(std::move(line)); }
    void end_of_input() { input_done_ = true; }
    void on_sent() { ++sent_; }
    void on_completed() { ++completed_; }
    int completed() const { return completed_; }

    // The next -l line the window lets out now, if any (call on_sent() once it is published).
    std::optional<std::string> next_line() {
        if (backlog_.empty() || sent_ - completed_ >= max_inflight_) return std::nullopt;
        auto line = std::move(backlog_.front());
        backlog_.pop_front();
        return line;
    }
    // The input has ended and every line is out and acknowledged: time to disconnect.
    bool lines_done() const { return input_done_ && backlog_.empty() && completed_ >= sent_; }

private:
    int max_inflight_;
    std::deque<std::string> backlog_;
    bool input_done_ = false;
    int sent_ = 0, completed_ = 0;
};

}  // namespace wv::wvpub
