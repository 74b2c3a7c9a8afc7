#pragma once
// What Paho's threads (callbacks, trace) and the stdin reader tell the publisher's main loop.
// Everything funnels through one event_queue, so the -d trace comes out in arrival order and
// no Paho callback ever blocks (Paho deadlocks if one does).
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

namespace wv::wvpub {

struct pub_event {
    enum class kind {
        trace,            // a Paho protocol trace line (text)
        connected,        // CONNACK accepted (text: the client id the broker assigned, if any)
        connect_failed,   // connect token failed (code, reason)
        delivered,        // publish token complete (message_id, reason)
        delivery_failed,  // publish token failed (message_id, code, reason)
        connection_lost,  // Paho's connection_lost callback
        disconnected,     // the disconnect could not be started: finish
        stdin_line,       // one -l line (text, without its newline)
        stdin_eof,
    };
    kind what;
    std::string text;
    int code = 0;
    int reason = 0;
    int message_id = 0;
    std::chrono::steady_clock::time_point at = std::chrono::steady_clock::now();
};

// Unbounded multi-producer, single-consumer queue. push() never blocks for long.
class event_queue {
public:
    void push(pub_event e) {
        {
            std::lock_guard lock(mutex_);
            events_.push_back(std::move(e));
        }
        ready_.notify_one();
    }
    // The next event, or nullopt once `deadline` passes.
    std::optional<pub_event> pop_until(std::chrono::steady_clock::time_point deadline) {
        std::unique_lock lock(mutex_);
        if (!ready_.wait_until(lock, deadline, [&] { return !events_.empty(); })) return std::nullopt;
        auto e = std::move(events_.front());
        events_.pop_front();
        return e;
    }

private:
    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<pub_event> events_;
};

}  // namespace wv::wvpub
