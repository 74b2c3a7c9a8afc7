#pragma once
// mosquitto_pub's -d protocol trace ("Client <id> sending PUBLISH (d0, q1, r0, m1, 't', ...
// (5 bytes))"), produced from what Paho reports. Paho's own protocol trace supplies the lines
// only it sees (PUBREC, PUBREL, PINGREQ/PINGRESP, CONNECT); the publisher prints the rest from
// its calls and token results.
//
// Paho's trace callback is process-wide and carries no context pointer, so install_paho_trace()
// keeps one queue pointer for the process: call it once, before creating the client.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "pub_event.hpp"

namespace wv::wvpub {

// Routes Paho's protocol-level trace into `queue` as pub_event::kind::trace events. The
// routing shares ownership, so a late trace line from Paho's threads never finds it gone.
void install_paho_trace(std::shared_ptr<event_queue> queue);
// Stops the routing; call before the queue is destroyed.
void uninstall_paho_trace();

// mosquitto's name for a client: its id, or "(null)" for an empty id (libmosquitto prints a
// NULL id pointer with %s).
std::string debug_client_name(const std::string& id);

// The mosquitto line for one Paho trace line, or nullopt when the line has no mosquitto
// counterpart or the publisher prints it from its own events.
std::optional<std::string> map_paho_trace(std::string_view paho_line, const std::string& client_name);

std::string publish_line(const std::string& client_name, int qos, bool retain, int mid, const std::string& topic,
                         std::size_t bytes);

}  // namespace wv::wvpub
