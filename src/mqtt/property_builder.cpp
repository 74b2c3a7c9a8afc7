#include "mqtt/property_builder.hpp"

#include "mqtt/errors.hpp"
#include "mqtt/limits.hpp"
#include "mqtt/varint.hpp"
#include "mqtt/writer.hpp"

namespace wv::mqtt {
namespace {

// Grows out by n bytes and returns a writer at the new bytes.
writer grow(byte_buffer& out, std::size_t n) {
    const std::size_t old = out.size();
    out.resize(old + n);
    return writer{out.data() + old};
}

}  // namespace

void property_builder::expect(property_id id, property_type t) const {
    const auto actual = type_of(static_cast<std::uint8_t>(id));
    if (actual != t) throw exception(mqtt_errc::property_wrong_type);
}

property_builder& property_builder::add(property_id id, std::uint32_t number) {
    const auto type = type_of(static_cast<std::uint8_t>(id));
    if (!type) throw exception(mqtt_errc::property_unknown);
    switch (*type) {
    case property_type::byte: {
        if (number > 0xff) throw exception(mqtt_errc::property_bad_value);
        auto w = grow(bytes_, 2);
        w.u8(static_cast<std::uint8_t>(id));
        w.u8(static_cast<std::uint8_t>(number));
        break;
    }
    case property_type::two_byte_integer: {
        if (number > 0xffff) throw exception(mqtt_errc::property_bad_value);
        auto w = grow(bytes_, 3);
        w.u8(static_cast<std::uint8_t>(id));
        w.u16(static_cast<std::uint16_t>(number));
        break;
    }
    case property_type::four_byte_integer: {
        auto w = grow(bytes_, 5);
        w.u8(static_cast<std::uint8_t>(id));
        w.u32(number);
        break;
    }
    case property_type::variable_byte_integer: {
        if (number > max_remaining_length) throw exception(mqtt_errc::property_bad_value);
        auto w = grow(bytes_, 1 + varint_size(number));
        w.u8(static_cast<std::uint8_t>(id));
        w.varint(number);
        break;
    }
    default: throw exception(mqtt_errc::property_wrong_type);
    }
    return *this;
}

property_builder& property_builder::add(property_id id, std::string_view text) {
    expect(id, property_type::utf8_string);
    auto w = grow(bytes_, 1 + field_size(text));
    w.u8(static_cast<std::uint8_t>(id));
    w.field(text);
    return *this;
}

property_builder& property_builder::add(property_id id, std::span<const std::byte> data) {
    expect(id, property_type::binary_data);
    auto w = grow(bytes_, 1 + field_size(data));
    w.u8(static_cast<std::uint8_t>(id));
    w.field(data);
    return *this;
}

property_builder& property_builder::add_user_property(std::string_view name, std::string_view value) {
    auto w = grow(bytes_, 1 + field_size(name) + field_size(value));
    w.u8(static_cast<std::uint8_t>(property_id::user_property));
    w.field(name);
    w.field(value);
    return *this;
}

}  // namespace wv::mqtt
