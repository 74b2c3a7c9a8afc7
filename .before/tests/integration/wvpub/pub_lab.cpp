#include "pub_lab.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include <sstream>
#include <stdexcept>

namespace wv::test {

pub_lab::pub_lab(std::map<std::string, std::string> users) {
    ca = tls::make_test_ca(dir / "ca");
    other_ca = tls::make_test_ca(dir / "other", {.ca_name = "someone else's CA"}).ca_cert;
    mosquitto_options o;
    o.cert_file = ca.server_cert;
    o.key_file = ca.server_key;
    for (const auto& [user, password] : users) {
        // Everything allowed except denied/#, so one case can show a refused publish.
        o.acl_lines.insert(o.acl_lines.end(), {"user " + user, "topic readwrite #", "topic deny denied/#"});
    }
    o.users = std::move(users);
    broker = std::make_unique<mosquitto_broker>(o);
}

std::string paho_leak_suppression() {
    return std::string("LSAN_OPTIONS=print_suppressions=0:suppressions=") + WV_SOURCE_DIR_PATH +
           "/tests/integration/wvpub/lsan.supp";
}

recorder::recorder(const pub_lab& lab, const std::string& filter, std::size_t count) {
    static std::atomic<int> next{0};
    const std::string id = "recorder-" + std::to_string(::getpid()) + "-" + std::to_string(next++);
    proc_ = std::make_unique<child_process>(std::vector<std::string>{
        WV_MOSQUITTO_SUB, "-h", "127.0.0.1", "-p", lab.port(), "--cafile", lab.ca.ca_cert.string(), "-u", "alice",
        "-P", "secret", "-i", id, "-q", "2", "-R", "-C", std::to_string(count), "-W", "10", "-t", filter, "-F",
        "MSG %t q%q r%r %x"});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (lab.broker->log().find("Sending SUBACK to " + id) == std::string::npos) {
        if (std::chrono::steady_clock::now() > deadline || !proc_->running())
            throw std::runtime_error("mosquitto_sub did not subscribe: " + proc_->err() + "\n" + lab.broker->log());
        std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling a log file, not waiting for a server
    }
}

std::vector<std::string> recorder::wait_for(std::size_t, std::chrono::milliseconds timeout) {
    proc_->wait(timeout);
    std::vector<std::string> lines;
    std::istringstream in(proc_->out());
    for (std::string line; std::getline(in, line);)
        if (line.rfind("MSG ", 0) == 0) lines.push_back(line);
    return lines;
}

silent_server::silent_server() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 16) != 0)
        throw std::runtime_error("silent_server: cannot listen");
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) > 0) {
                const int c = ::accept(fd_, nullptr, nullptr);
                if (c >= 0) clients_.push_back(c);
            }
        }
    });
}

silent_server::~silent_server() {
    stop_ = true;
    thread_.join();
    for (int c : clients_) ::close(c);
    ::close(fd_);
}

}  // namespace wv::test
