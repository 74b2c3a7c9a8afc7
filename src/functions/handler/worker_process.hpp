#pragma once
// One child process for the handler pool: argv exec'd directly, a socketpair at the child's
// fd 3 for the JSON-lines protocol, and the child's stdout+stderr on a pipe we read (so stray
// output from C extensions or subprocesses can never corrupt the protocol). The child's stdin
// is /dev/null and every other descriptor of ours is closed in the child.
//
// Threading: use from the io_context's thread only.
#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

namespace wv::handler {

struct spawn_request {
    std::vector<std::string> argv;  // argv[0] is the program path
    std::vector<std::string> env;   // the child's whole environment, NAME=value
    std::filesystem::path cwd;      // empty: inherit
};

class worker_process {
public:
    // Forks and execs. On failure returns nullptr and sets `ec`; an exec failure in the child
    // shows up as an immediate EOF on channel() and exit status 127.
    static std::unique_ptr<worker_process> spawn(boost::asio::io_context& io, const spawn_request& req,
                                                 std::error_code& ec);
    ~worker_process();  // kills and reaps the child if still there
    worker_process(const worker_process&) = delete;
    worker_process& operator=(const worker_process&) = delete;

    boost::asio::local::stream_protocol::socket& channel() { return channel_; }
    boost::asio::posix::stream_descriptor& output() { return output_; }
    pid_t pid() const { return pid_; }

    // SIGKILL, close our ends, reap. Idempotent. Returns how the child ended, e.g.
    // "exited with status 1" or "killed by signal 9 (Killed)".
    std::string kill_and_reap();

private:
    explicit worker_process(boost::asio::io_context& io) : channel_(io), output_(io) {}
    boost::asio::local::stream_protocol::socket channel_;
    boost::asio::posix::stream_descriptor output_;
    pid_t pid_ = -1;
    std::string ended_;
};

}  // namespace wv::handler
