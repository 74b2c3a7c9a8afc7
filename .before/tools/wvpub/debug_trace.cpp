#include "debug_trace.hpp"

#include <MQTTAsync.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <atomic>
#include <charconv>
#include <cstdlib>
#include <string_view>

namespace wv::wvpub {
namespace {

std::atomic<std::shared_ptr<event_queue>> trace_queue;

// Paho logs its whole cipher list and every TLS state change at protocol level while it sets
// up the connection, holding its mutex: ~80 lines, each a wake-up of the main thread, on the
// connect path. The publisher uses none of them, so they are dropped here unless
// WVPUB_PAHO_DEBUG asks for everything.
bool wanted(std::string_view line) {
    static const bool everything = std::getenv("WVPUB_PAHO_DEBUG") != nullptr;
    return everything || !(line.starts_with("SSL cipher available") || line.starts_with("SSL state "));
}

// Paho logs "<socket>  -> CONNECT ..." right after writing the CONNECT, on the thread that
// wrote it. Asking that socket for TCP_QUICKACK there (as wv::client::connection does after its
// CONNECT) makes the kernel acknowledge the server's TLS 1.3 session tickets at once: a server
// with Nagle on (mosquitto) otherwise holds the CONNACK ~40 ms for our delayed ACK.
void quick_ack_after_connect(std::string_view line) {
    // "20261206 102452.315 3  -> CONNECT version 5 clean: 0 (0)": the socket is the number
    // before the arrow.
    auto at = line.find(" -> CONNECT ");
    if (at == std::string_view::npos) return;
    while (at > 0 && line[at - 1] == ' ') --at;
    auto start = at;
    while (start > 0 && line[start - 1] >= '0' && line[start - 1] <= '9') --start;
    int fd = 0;
    const auto [end, ec] = std::from_chars(line.data() + start, line.data() + at, fd);
    if (ec != std::errc{} || end != line.data() + at || fd <= 0) return;
    const int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &on, sizeof on);
}

void on_paho_trace(enum MQTTASYNC_TRACE_LEVELS level, char* message) {
    if (level != MQTTASYNC_TRACE_PROTOCOL || message == nullptr || !wanted(message)) return;
    quick_ack_after_connect(message);
    if (auto q = trace_queue.load()) q->push({pub_event::kind::trace, message});
}

// The integer after `key` in `line`, e.g. number_after("msgid: 3 ...", "msgid: ") == 3.
std::optional<int> number_after(std::string_view line, std::string_view key) {
    const auto at = line.find(key);
    if (at == std::string_view::npos) return std::nullopt;
    const std::string rest(line.substr(at + key.size()));
    return std::atoi(rest.c_str());
}

}  // namespace

void install_paho_trace(std::shared_ptr<event_queue> queue) {
    trace_queue.store(std::move(queue));
    MQTTAsync_setTraceCallback(&on_paho_trace);
    MQTTAsync_setTraceLevel(MQTTASYNC_TRACE_PROTOCOL);
}

void uninstall_paho_trace() {
    MQTTAsync_setTraceCallback(nullptr);
    trace_queue.store(nullptr);
}

std::string debug_client_name(const std::string& id) { return id.empty() ? "(null)" : id; }

std::optional<std::string> map_paho_trace(std::string_view line, const std::string& client) {
    const std::string prefix = "Client " + client + " ";
    auto has = [&](std::string_view what) { return line.find(what) != std::string_view::npos; };
    if (has("-> CONNECT ")) return prefix + "sending CONNECT";
    if (has("<- PUBREC ")) {
        if (auto mid = number_after(line, "msgid: ")) return prefix + "received PUBREC (Mid: " + std::to_string(*mid) + ")";
    }
    if (has("-> PUBREL ")) {
        if (auto mid = number_after(line, "msgid: ")) return prefix + "sending PUBREL (m" + std::to_string(*mid) + ")";
    }
    if (has("-> PINGREQ")) return prefix + "sending PINGREQ";
    if (has("<- PINGRESP")) return prefix + "received PINGRESP";
    if (has("<- DISCONNECT")) return "Received DISCONNECT (" + std::to_string(number_after(line, "DISCONNECT (").value_or(0)) + ")";
    return std::nullopt;
}

std::string publish_line(const std::string& client, int qos, bool retain, int mid, const std::string& topic,
                         std::size_t bytes) {
    return "Client " + client + " sending PUBLISH (d0, q" + std::to_string(qos) + ", r" + (retain ? "1" : "0") + ", m" +
           std::to_string(mid) + ", '" + topic + "', ... (" + std::to_string(bytes) + " bytes))";
}

}  // namespace wv::wvpub
