#include "debug_trace.hpp"

#include <MQTTAsync.h>

#include <atomic>
#include <cstdlib>

namespace wv::wvpub {
namespace {

std::atomic<std::shared_ptr<event_queue>> trace_queue;

void on_paho_trace(enum MQTTASYNC_TRACE_LEVELS level, char* message) {
    if (level != MQTTASYNC_TRACE_PROTOCOL || message == nullptr) return;
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
