#pragma once
// Builds an MQTT 5 property block for encoding, in the order the add calls come:
//
//     property_builder props;
//     props.add(property_id::message_expiry_interval, 60).add_user_property("site", "lab-3");
//     encode(publish{.topic = "t", .properties = props.view()}, out, protocol_level::v5);
//
// The builder owns the bytes; view() is valid until the builder changes or goes away. Each add
// checks the value's type against the identifier (exception(property_wrong_type)), a byte value
// over 255 or a two-byte one over 65,535 (property_bad_value), strings over 65,535 bytes
// (string_too_long). Where the block may go is checked by the encoder it is passed to.
#include <cstdint>
#include <span>
#include <string_view>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/properties.hpp"

namespace wv::mqtt {

class property_builder {
public:
    // Byte, two-byte, four-byte and variable byte integer properties.
    property_builder& add(property_id id, std::uint32_t number);
    // UTF-8 string properties (content type, reason string, ...).
    property_builder& add(property_id id, std::string_view text);
    // Binary properties (correlation data, authentication data).
    property_builder& add(property_id id, std::span<const std::byte> data);
    property_builder& add_user_property(std::string_view name, std::string_view value);

    properties view() const noexcept { return properties{bytes_}; }
    void clear() noexcept { bytes_.clear(); }

private:
    void expect(property_id id, property_type t) const;
    byte_buffer bytes_;
};

}  // namespace wv::mqtt
