#pragma once
// What a client says in its CONNECT, and the deadlines and limits of its session.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "mqtt/limits.hpp"
#include "mqtt/qos.hpp"

namespace wv::client {

struct will_message {
    std::string topic{};
    std::string payload{};
    mqtt::qos qos = mqtt::qos::at_most_once;
    bool retain = false;
};

struct session_options {
    std::string client_id{};
    std::optional<std::string> user_name{};
    std::optional<std::string> password{};          // a secret: never logged
    std::chrono::seconds keep_alive{60};            // 0 disables PINGREQ; at most 65535 s
    bool clean_session = true;
    std::optional<will_message> will{};
    std::chrono::milliseconds connack_timeout{10'000};
    std::chrono::milliseconds pingresp_timeout{10'000};
    // Bytes waiting to be written; a publish that would exceed it fails with queue_full.
    std::size_t max_queued_bytes = 256 * 1024;
    // Largest packet accepted from the server (a bigger one ends the connection).
    std::size_t max_packet_bytes = mqtt::default_max_packet_bytes;
};

}  // namespace wv::client
