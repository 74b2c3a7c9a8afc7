#pragma once
// -l: reads the input one line at a time on its own thread and hands each line to `sink`
// (without its '\n'; a final line without one is sent too, as mosquitto_pub does), then
// stdin_eof. `sink` runs on that thread: it must only queue or post the event.
// Polls with a short timeout so stop() returns promptly even while the input is idle.
#include <atomic>
#include <cstdio>
#include <functional>
#include <thread>

#include "pub_event.hpp"

namespace wv::wvpub {

class stdin_lines {
public:
    stdin_lines(std::FILE* in, std::function<void(pub_event)> sink);
    ~stdin_lines();
    stdin_lines(const stdin_lines&) = delete;
    stdin_lines& operator=(const stdin_lines&) = delete;
    void stop();

private:
    void read_loop();
    int fd_;
    std::function<void(pub_event)> sink_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace wv::wvpub
