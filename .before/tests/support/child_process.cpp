#include "support/child_process.hpp"

#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace wv::test {
namespace {

int decode_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

}  // namespace

child_process::child_process(std::vector<std::string> argv, std::vector<std::string> env, bool pipe_stdin) {
    if (argv.empty()) throw std::invalid_argument("child_process: empty argv");
    int in_pipe[2] = {-1, -1};
    if (pipe_stdin && ::pipe2(in_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    const auto out_path = (dir_ / "stdout").string();
    const auto err_path = (dir_ / "stderr").string();

    std::vector<std::string> envs;
    for (char** e = environ; *e; ++e) {
        std::string entry = *e;
        const auto name = entry.substr(0, entry.find('='));
        bool replaced = false;
        for (const auto& add : env)
            if (add.substr(0, add.find('=')) == name) replaced = true;
        if (!replaced) envs.push_back(std::move(entry));
    }
    for (const auto& add : env) envs.push_back(add);
    std::vector<char*> cargv, cenv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    for (auto& e : envs) cenv.push_back(e.data());
    cenv.push_back(nullptr);

    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int in = pipe_stdin ? in_pipe[0] : ::open("/dev/null", O_RDONLY);
        ::dup2(in, 0);
        ::dup2(out, 1);
        ::dup2(err, 2);
        ::setpgid(0, 0);
        ::execve(cargv[0], cargv.data(), cenv.data());
        // execve with a bare name does not search PATH: try execvpe for convenience.
        ::execvpe(cargv[0], cargv.data(), cenv.data());
        std::fprintf(stderr, "exec %s: %s\n", cargv[0], std::strerror(errno));
        ::_exit(127);
    }
    if (pipe_stdin) {
        ::close(in_pipe[0]);
        stdin_fd_ = in_pipe[1];
    }
}

child_process::~child_process() {
    if (stdin_fd_ >= 0) ::close(stdin_fd_);
    if (pid_ > 0 && !status_) stop(std::chrono::milliseconds(500));
}

void child_process::write_stdin(std::string_view data) {
    while (!data.empty() && stdin_fd_ >= 0) {
        const auto n = ::write(stdin_fd_, data.data(), data.size());
        if (n <= 0) break;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

void child_process::close_stdin() {
    if (stdin_fd_ >= 0) ::close(stdin_fd_);
    stdin_fd_ = -1;
}

std::optional<int> child_process::wait(std::chrono::milliseconds timeout) {
    if (status_) return status_;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int status = 0;
        const int r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            status_ = decode_status(status);
            return status_;
        }
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

bool child_process::running() { return !wait(std::chrono::milliseconds(0)); }

void child_process::signal(int sig) {
    if (pid_ > 0 && !status_) ::kill(pid_, sig);
}

int child_process::stop(std::chrono::milliseconds grace) {
    if (status_) return *status_;
    signal(SIGTERM);
    if (auto s = wait(grace)) return *s;
    ::kill(-pid_, SIGKILL);  // its process group: a shell's children too
    ::kill(pid_, SIGKILL);
    return wait(std::chrono::seconds(10)).value_or(-1);
}

std::string child_process::out() const { return read_file(dir_ / "stdout"); }
std::string child_process::err() const { return read_file(dir_ / "stderr"); }

run_result run(std::vector<std::string> argv, std::string input, std::chrono::milliseconds timeout,
               std::vector<std::string> env) {
    child_process p(std::move(argv), std::move(env), true);
    p.write_stdin(input);
    p.close_stdin();
    run_result r;
    if (auto code = p.wait(timeout)) {
        r.exit_code = *code;
    } else {
        r.timed_out = true;
        r.exit_code = p.stop(std::chrono::milliseconds(200));
    }
    r.out = p.out();
    r.err = p.err();
    return r;
}

}  // namespace wv::test
