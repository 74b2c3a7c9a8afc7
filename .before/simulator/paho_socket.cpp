#include "paho_socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <charconv>
#include <mutex>
#include <unordered_map>

#include <MQTTAsync.h>

namespace wv::sim::paho_socket {

namespace {
std::mutex m;
std::unordered_map<std::string, int> fds;  // client id -> socket of its last CONNECT

void on_trace(enum MQTTASYNC_TRACE_LEVELS, char* message) {
    if (!message) return;
    if (auto c = parse_trace_line(message)) {
        std::lock_guard lock(m);
        fds[c->client_id] = c->fd;
    }
}
}  // namespace

std::optional<connect_line> parse_trace_line(std::string_view line) {
    const auto arrow = line.find(" -> CONNECT ");
    if (arrow == std::string_view::npos) return std::nullopt;
    const auto head = line.substr(0, arrow);         // "<date> <time> <fd> <client id>"
    const auto id_at = head.rfind(' ');
    if (id_at == std::string_view::npos || id_at == 0 || id_at + 1 == head.size()) return std::nullopt;
    const auto fd_at = head.rfind(' ', id_at - 1);
    const auto fd_text = head.substr(fd_at == std::string_view::npos ? 0 : fd_at + 1,
                                     id_at - (fd_at == std::string_view::npos ? 0 : fd_at + 1));
    int fd = -1;
    const auto [end, ec] = std::from_chars(fd_text.data(), fd_text.data() + fd_text.size(), fd);
    if (ec != std::errc{} || end != fd_text.data() + fd_text.size() || fd < 0) return std::nullopt;
    return connect_line{fd, std::string(head.substr(id_at + 1))};
}

void enable() {
    static std::once_flag once;
    std::call_once(once, [] {
        MQTTAsync_setTraceCallback(on_trace);
        MQTTAsync_setTraceLevel(MQTTASYNC_TRACE_PROTOCOL);
    });
}

std::optional<int> find(const std::string& client_id, const boost::asio::ip::tcp::endpoint& peer) {
    int fd = -1;
    {
        std::lock_guard lock(m);
        const auto it = fds.find(client_id);
        if (it == fds.end()) return std::nullopt;
        fd = it->second;
    }
    // Check before touching it: a TCP socket whose peer is the endpoint.
    int type = 0;
    socklen_t len = sizeof type;
    if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM) return std::nullopt;
    sockaddr_storage ss{};
    len = sizeof ss;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return std::nullopt;
    if (ss.ss_family == AF_INET) {
        const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
        if (!peer.address().is_v4() || ntohs(a->sin_port) != peer.port() ||
            ntohl(a->sin_addr.s_addr) != peer.address().to_v4().to_uint())
            return std::nullopt;
    } else if (ss.ss_family == AF_INET6) {
        const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
        if (ntohs(a->sin6_port) != peer.port()) return std::nullopt;
    } else {
        return std::nullopt;
    }
    return fd;
}

bool drop(int fd) { return ::shutdown(fd, SHUT_RDWR) == 0; }

}  // namespace wv::sim::paho_socket
