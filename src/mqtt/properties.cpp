#include "mqtt/properties.hpp"

#include <algorithm>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/limits.hpp"
#include "mqtt/reader.hpp"
#include "mqtt/topic.hpp"
#include "mqtt/utf8.hpp"
#include "mqtt/varint.hpp"
#include "mqtt/writer.hpp"

namespace wv::mqtt {
namespace {

std::string_view chars(std::span<const std::byte> b) noexcept { return as_chars(b); }

// Reads one property at the front of r (no UTF-8 or value checks: validate_properties does
// those once). Errors: truncated (a value runs past the block), property_unknown.
bool read_one(reader& r, property& out) noexcept {
    std::uint8_t id = 0;
    if (!r.u8(id)) return false;
    const auto type = type_of(id);
    if (!type) return r.fail(mqtt_errc::property_unknown);
    out = property{.id = static_cast<property_id>(id)};
    std::span<const std::byte> a;
    std::span<const std::byte> b;
    switch (*type) {
    case property_type::byte: {
        std::uint8_t v = 0;
        if (!r.u8(v)) return false;
        out.number = v;
        return true;
    }
    case property_type::two_byte_integer: {
        std::uint16_t v = 0;
        if (!r.u16(v)) return false;
        out.number = v;
        return true;
    }
    case property_type::four_byte_integer: return r.u32(out.number);
    case property_type::variable_byte_integer: return r.varint(out.number);
    case property_type::utf8_string:
        if (!r.binary(a)) return false;
        out.text = chars(a);
        return true;
    case property_type::binary_data: return r.binary(out.binary);
    case property_type::utf8_string_pair:
        if (!r.binary(a) || !r.binary(b)) return false;
        out.text = chars(a);
        out.value = chars(b);
        return true;
    }
    return r.fail(mqtt_errc::property_unknown);
}

// The value rules of one property, beyond its type (errors.hpp says which section each is from).
std::error_code check_value(const property& p) noexcept {
    switch (type_of(p.id)) {
    case property_type::byte:
        // Every byte property is a 0/1 flag (Maximum QoS: 0 or 1 too; 5.0 3.2.2.3.4).
        return p.number > 1 ? make_error_code(mqtt_errc::property_bad_value) : std::error_code{};
    case property_type::utf8_string:
        if (const auto e = validate_utf8(p.text)) return e;
        if (p.id == property_id::response_topic) {
            if (const auto e = validate_topic_name(p.text))
                return e == mqtt_errc::wildcard_in_topic_name ? make_error_code(mqtt_errc::wildcard_in_response_topic)
                                                               : e;
        }
        return {};
    case property_type::utf8_string_pair:
        if (const auto e = validate_utf8(p.text)) return e;
        return validate_utf8(p.value);
    default: break;
    }
    switch (p.id) {
    case property_id::topic_alias:
        return p.number == 0 ? make_error_code(mqtt_errc::topic_alias_zero) : std::error_code{};
    case property_id::subscription_identifier:
        return p.number == 0 ? make_error_code(mqtt_errc::subscription_identifier_zero) : std::error_code{};
    case property_id::receive_maximum:
        return p.number == 0 ? make_error_code(mqtt_errc::receive_maximum_zero) : std::error_code{};
    case property_id::maximum_packet_size:
        return p.number == 0 ? make_error_code(mqtt_errc::maximum_packet_size_zero) : std::error_code{};
    default: return {};
    }
}

}  // namespace

void properties::iterator::parse() noexcept {
    at_ = at_.subspan(std::min(current_size_, at_.size()));
    current_size_ = 0;
    if (at_.empty()) return;
    reader r{at_};
    if (!read_one(r, current_)) {
        at_ = at_.subspan(at_.size());  // malformed: stop here
        return;
    }
    current_size_ = at_.size() - r.remaining();
}

properties::iterator& properties::iterator::operator++() noexcept {
    parse();
    return *this;
}

std::optional<std::uint32_t> properties::number(property_id id) const noexcept {
    for (const auto& p : *this)
        if (p.id == id) return p.number;
    return std::nullopt;
}

std::optional<std::string_view> properties::string(property_id id) const noexcept {
    if (type_of(id) != property_type::utf8_string) return std::nullopt;
    for (const auto& p : *this)
        if (p.id == id) return p.text;
    return std::nullopt;
}

std::optional<std::span<const std::byte>> properties::binary(property_id id) const noexcept {
    if (type_of(id) != property_type::binary_data) return std::nullopt;
    for (const auto& p : *this)
        if (p.id == id) return p.binary;
    return std::nullopt;
}

bool properties::contains(property_id id) const noexcept {
    return std::any_of(begin(), end(), [id](const property& p) { return p.id == id; });
}

bool operator==(const properties& a, const properties& b) noexcept {
    return std::equal(a.bytes_.begin(), a.bytes_.end(), b.bytes_.begin(), b.bytes_.end());
}

std::error_code validate_properties(std::span<const std::byte> bytes, property_context ctx) noexcept {
    reader r{bytes};
    std::uint64_t seen = 0;  // bit per identifier: all are below 64
    while (!r.at_end()) {
        property p;
        if (!read_one(r, p)) {
            // A value running past the Property Length is the block's fault, not the packet's end.
            return r.error() == mqtt_errc::truncated ? make_error_code(mqtt_errc::property_length_mismatch)
                                                     : r.error();
        }
        if (!is_allowed(p.id, ctx)) return mqtt_errc::property_not_allowed;
        const std::uint64_t bit = std::uint64_t{1} << static_cast<unsigned>(p.id);
        if ((seen & bit) && !is_repeatable(p.id, ctx)) return mqtt_errc::property_duplicate;
        seen |= bit;
        if (const auto e = check_value(p)) return e;
    }
    const auto bit = [](property_id id) { return std::uint64_t{1} << static_cast<unsigned>(id); };
    if ((seen & bit(property_id::authentication_data)) && !(seen & bit(property_id::authentication_method)))
        return mqtt_errc::authentication_data_without_method;
    return {};
}

namespace detail {

bool read_properties(reader& r, property_context ctx, properties& out) noexcept {
    std::uint32_t n = 0;
    std::span<const std::byte> block;
    if (!r.varint(n) || !r.take(n, block)) return false;
    if (const auto e = validate_properties(block, ctx)) return r.fail(e);
    out = properties{block};
    return true;
}

std::size_t properties_size(const properties& p, property_context ctx) {
    if (const auto e = validate_properties(p.bytes(), ctx)) throw exception(e);
    if (p.bytes().size() > max_remaining_length) throw exception(mqtt_errc::packet_too_large);
    return varint_size(static_cast<std::uint32_t>(p.bytes().size())) + p.bytes().size();
}

void write_properties(writer& w, const properties& p) noexcept {
    w.varint(static_cast<std::uint32_t>(p.bytes().size()));
    w.raw(p.bytes());
}

}  // namespace detail
}  // namespace wv::mqtt
