#pragma once
// MQTT 5 as AWS IoT Core speaks it, the pure parts: the reason codes the gateway sends for
// AWS's refusals and disconnects, and the PUBLISH properties passed from a publisher to its
// subscribers. No I/O and no clock: times come in.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/disconnect_reason.hpp"
#include "gateway/message.hpp"
#include "mqtt/byte_buffer.hpp"
#include "mqtt/properties.hpp"
#include "mqtt/reason_code.hpp"

namespace wv::rules {
struct mqtt5_properties;
}

namespace wv::gate {

// The reason code of the DISCONNECT an MQTT 5 client gets before the gateway closes for `why`;
// nullopt when none is sent (the client sent DISCONNECT, or the transport is gone already).
// Session taken over 0x8E, keep-alive timeout 0x8D, shutdown 0x8B, authorization 0x87,
// disconnectAfterInSeconds and the WebSocket 24 h 0xA0 (Maximum connect time), throttling 0x96, protocol errors 0x82.
std::optional<mqtt::reason_code> disconnect_code_for(disconnect_reason why) noexcept;

// What an MQTT 5 PUBLISH carries on to subscribers (message::properties): its Payload Format
// Indicator, Content Type, Response Topic, Correlation Data and User Properties, re-encoded;
// Topic Alias, Message Expiry Interval (message::expires_at) and Subscription Identifier are
// the connection's, not the message's.
std::string forwarded_properties(const mqtt::properties& p);

// The size AWS's user-property quota counts: every User Property's name and value, in bytes.
std::size_t user_properties_bytes(const mqtt::properties& p) noexcept;

// The topic rules' view (get_user_properties(), get_mqtt_property()) of message::properties,
// the block forwarded_properties() made; an empty block leaves `out` empty.
void read_rules_properties(std::string_view block, rules::mqtt5_properties& out);

// message::properties for a message the topic rules republish with MQTT 5 headers (the
// republish action's `headers`): the inverse of read_rules_properties().
std::string forwarded_properties(const rules::mqtt5_properties& p);

// The property block of a PUBLISH to an MQTT 5 subscriber at `now`: the Message Expiry Interval
// left (whole seconds, rounded up), the Topic Alias when `alias` is not 0, then m.properties.
mqtt::byte_buffer outbound_properties(const message& m, std::chrono::steady_clock::time_point now,
                                      std::uint16_t alias = 0);

// When a message published at `now` with a Message Expiry Interval of `seconds` expires: AWS
// takes 1 to 604,800 s (7 days), 0 raised to 1 and more capped (spec 5.2). Every way a message
// gets one (an MQTT 5 PUBLISH, HTTPS publish's messageExpiry, a republish header) goes here.
inline std::chrono::steady_clock::time_point message_expires_at(std::chrono::steady_clock::time_point now,
                                                                std::uint32_t seconds) noexcept {
    return now + std::chrono::seconds(seconds < 1 ? 1 : seconds > 604'800 ? 604'800 : seconds);
}

// Whether m is past its Message Expiry Interval at `now` (never for a message without one).
inline bool expired(const message& m, std::chrono::steady_clock::time_point now) noexcept {
    return m.expires_at && now >= *m.expires_at;
}

// The reason string AWS IoT Core sends with a refused MQTT 5 CONNECT (observed, spec 2.4):
// "CONNACK:Client is not authenticated/authorized to send the message:<id>".
std::string refused_connect_reason_string(std::string_view trace_id);

}  // namespace wv::gate
