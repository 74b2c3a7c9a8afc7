#pragma once
// An application message inside the broker: immutable once published and shared (never
// copied) between every subscriber it goes to.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace wv::gate {

struct message {
    std::string topic;
    std::string payload;          // raw bytes
    std::uint8_t qos = 0;         // as published: 0 or 1
    bool retain = false;          // as published
    std::string client_id;        // publisher; empty for gateway-generated (lifecycle) messages
    // MQTT 5: the PUBLISH properties a subscriber gets as sent (Payload Format Indicator,
    // Content Type, Response Topic, Correlation Data, User Properties), as an encoded property
    // block; empty for none, and always for a 3.1.1 publisher. 3.1.1 subscribers never see it.
    std::string properties;
    // MQTT 5 Message Expiry Interval: the message is not delivered after this, and a 5
    // subscriber gets what is left of the interval (mqtt5_properties.hpp). Unset: never expires.
    std::optional<std::chrono::steady_clock::time_point> expires_at;
    // Topic rules' republish actions this message came through (0: a device's or the gateway's).
    std::uint32_t republish_hops = 0;
};

using message_ptr = std::shared_ptr<const message>;

}  // namespace wv::gate
