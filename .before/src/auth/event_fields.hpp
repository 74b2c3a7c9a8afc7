#pragma once
// Reading AWS's authorizer event back, for the built-in backends that answer it in-process.
#include <nlohmann/json.hpp>

namespace wv::auth {

// The event's protocolData.mqtt object, or null when the event has none (not an MQTT
// connection, or not an event at all).
inline const nlohmann::json* mqtt_fields(const nlohmann::json& event) {
    if (!event.is_object()) return nullptr;
    const auto pd = event.find("protocolData");
    if (pd == event.end() || !pd->is_object()) return nullptr;
    const auto m = pd->find("mqtt");
    return m != pd->end() && m->is_object() ? &*m : nullptr;
}

}  // namespace wv::auth
