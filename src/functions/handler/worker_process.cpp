#include "functions/handler/worker_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

namespace wv::handler {
namespace {

// Closes every descriptor >= `from` in the child, so the gateway's sockets and the other
// workers' channels never leak into a user's function (or keep a dead worker's pipe open).
void close_from(int from) {
#ifdef SYS_close_range
    if (syscall(SYS_close_range, static_cast<unsigned>(from), ~0U, 0U) == 0) return;
#endif
    const long max = sysconf(_SC_OPEN_MAX);
    for (int fd = from; fd < (max > 0 ? max : 1024); ++fd) close(fd);
}

}  // namespace

std::unique_ptr<worker_process> worker_process::spawn(boost::asio::io_context& io, const spawn_request& req,
                                                       std::error_code& ec) {
    int chan[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, chan) != 0) {
        ec = {errno, std::generic_category()};
        return nullptr;
    }
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) {
        ec = {errno, std::generic_category()};
        close(chan[0]);
        close(chan[1]);
        return nullptr;
    }
    // Everything the child needs is built before fork: after it, only async-signal-safe calls.
    std::vector<char*> argv, envp;
    for (const auto& a : req.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const auto& e : req.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    const std::string cwd = req.cwd.string();

    const pid_t pid = fork();
    if (pid < 0) {
        ec = {errno, std::generic_category()};
        for (int fd : {chan[0], chan[1], out[0], out[1]}) close(fd);
        return nullptr;
    }
    if (pid == 0) {
        const int devnull = open("/dev/null", O_RDONLY);
        if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(out[1], 1) < 0 || dup2(out[1], 2) < 0 ||
            dup2(chan[1], 3) < 0)
            _exit(127);
        close_from(4);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        signal(SIGPIPE, SIG_DFL);
        if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(127);
        execve(argv[0], argv.data(), envp.data());
        static const char msg[] = "wv handler worker: exec failed\n";
        (void)!write(2, msg, sizeof msg - 1);
        _exit(127);
    }
    close(chan[1]);
    close(out[1]);
    std::unique_ptr<worker_process> w(new worker_process(io));
    w->pid_ = pid;
    w->channel_.assign(boost::asio::local::stream_protocol(), chan[0]);
    w->output_.assign(out[0]);
    return w;
}

std::string worker_process::kill_and_reap() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        pid_t r;
        do r = waitpid(pid_, &status, 0);
        while (r < 0 && errno == EINTR);
        if (r == pid_) {
            if (WIFEXITED(status)) ended_ = "exited with status " + std::to_string(WEXITSTATUS(status));
            else if (WIFSIGNALED(status))
                ended_ = "killed by signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) +
                         ")";
        }
        pid_ = -1;
    }
    boost::system::error_code ignored;
    channel_.close(ignored);
    output_.close(ignored);
    return ended_;
}

worker_process::~worker_process() { kill_and_reap(); }

}  // namespace wv::handler
