#pragma once
// An application message inside the broker: immutable once published and shared (never
// copied) between every subscriber it goes to.
#include <cstdint>
#include <memory>
#include <string>

namespace wv::gate {

struct message {
    std::string topic;
    std::string payload;          // raw bytes
    std::uint8_t qos = 0;         // as published: 0 or 1
    bool retain = false;          // as published
    std::string client_id;        // publisher; empty for gateway-generated (lifecycle) messages
};

using message_ptr = std::shared_ptr<const message>;

}  // namespace wv::gate
