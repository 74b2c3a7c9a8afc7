#include "stdin_lines.hpp"

#include <poll.h>
#include <unistd.h>

#include <string>

namespace wv::wvpub {

stdin_lines::stdin_lines(std::FILE* in, std::function<void(pub_event)> sink) : fd_(::fileno(in)), sink_(std::move(sink)) {
    thread_ = std::thread([this] { read_loop(); });
}

stdin_lines::~stdin_lines() { stop(); }

void stdin_lines::stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
}

void stdin_lines::read_loop() {
    std::string pending;
    char buf[4096];
    while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        const int ready = ::poll(&p, 1, 100);
        if (ready < 0) break;
        if (ready == 0) continue;
        const auto n = ::read(fd_, buf, sizeof buf);
        if (n <= 0) break;
        pending.append(buf, static_cast<std::size_t>(n));
        std::size_t start = 0;
        for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n', start)) {
            sink_({pub_event::kind::stdin_line, pending.substr(start, nl - start)});
            start = nl + 1;
        }
        pending.erase(0, start);
    }
    if (stop_) return;
    if (!pending.empty()) sink_({pub_event::kind::stdin_line, pending});
    sink_({pub_event::kind::stdin_eof, {}});
}

}  // namespace wv::wvpub
