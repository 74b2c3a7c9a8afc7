#pragma once
// What a client says in its CONNECT, and the deadlines and limits of its session.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mqtt/limits.hpp"
#include "mqtt/packet_type.hpp"
#include "mqtt/qos.hpp"

namespace wv::client {

struct will_message {
    std::string topic{};
    std::string payload{};
    mqtt::qos qos = mqtt::qos::at_most_once;
    bool retain = false;
};

struct session_options {
    // MQTT 3.1.1 (the default) or 5. At 5 a refusal is a reason code: a failed CONNACK, PUBACK,
    // PUBREC, SUBACK or UNSUBACK and a server's DISCONNECT are reported as std::error_code
    // values of mqtt::reason_category() (`e == mqtt::reason_code::not_authorized`), and the
    // machine keeps the reason string that came with it.
    mqtt::protocol_level protocol = mqtt::protocol_level::v3_1_1;
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
    // MQTT 5 only: Session Expiry Interval (0: the session ends with the connection). At 5 the
    // CONNECT also carries max_packet_bytes as Maximum Packet Size, so the server knows it.
    std::uint32_t session_expiry_s = 0;
    // MQTT 5 only: User Properties of the CONNECT (name, value), in this order.
    std::vector<std::pair<std::string, std::string>> user_properties{};
};

}  // namespace wv::client
