#pragma once
// A child process for tests: argv exec'd directly (no shell), stdin from a string or a pipe
// the test writes to, stdout and stderr captured to files. The destructor kills and reaps it,
// so a failing CHECK never leaves a server running.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace wv::test {

struct run_result {
    int exit_code = -1;      // exit status, or 128 + signal number
    bool timed_out = false;  // the child was killed after the timeout
    std::string out;
    std::string err;
};

class child_process {
public:
    // env entries are "NAME=value" added to (or replacing in) the test's environment.
    explicit child_process(std::vector<std::string> argv, std::vector<std::string> env = {},
                           bool pipe_stdin = false);
    ~child_process();
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    int pid() const { return pid_; }
    // Writes to the child's stdin (only with pipe_stdin); close_stdin() sends EOF.
    void write_stdin(std::string_view data);
    void close_stdin();
    // Waits for exit; nullopt if still running after `timeout`.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    bool running();
    void signal(int sig);
    // SIGTERM, then SIGKILL after `grace`; returns the exit code.
    int stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));
    std::string out() const;
    std::string err() const;

private:
    temp_dir dir_;
    int pid_ = -1;
    int stdin_fd_ = -1;
    std::optional<int> status_;
};

// Runs argv to completion with `input` on stdin; kills it after `timeout`.
run_result run(std::vector<std::string> argv, std::string input = {},
               std::chrono::milliseconds timeout = std::chrono::seconds(30), std::vector<std::string> env = {});

}  // namespace wv::test
