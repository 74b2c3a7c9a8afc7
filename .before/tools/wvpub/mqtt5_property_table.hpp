#pragma once
// The MQTT 5 property names `-D` accepts, their wire types and the packets each may appear in
// (MQTT 5.0, 2.2.2.2), with mosquitto_pub's spelling ("message-expiry-interval").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wv::wvpub {

enum class property_type { byte, int16, int32, varint, binary, string, string_pair };

struct property_info {
    std::string_view name;
    int identifier;  // the MQTT 5 property identifier, also Paho's mqtt::property::code
    property_type type;
    std::string_view allowed;  // space-separated packet names, e.g. "publish will"
};

// nullopt when `name` is not an MQTT 5 property.
std::optional<property_info> find_property(std::string_view name);

// True for the packet names mosquitto accepts as a -D command.
bool is_property_command(std::string_view command);

// True when the property may appear in that packet.
bool property_allowed(const property_info& p, std::string_view command);

// Largest value of a numeric type (byte 255, int16 65535, ...).
std::int64_t property_max(property_type t);

}  // namespace wv::wvpub
