#pragma once
// An MQTT 5 property block (5.0 2.2.2): a view of the bytes after a Property Length, checked once
// when decoded (or built by property_builder) and read on demand, so decoding a packet copies
// and allocates nothing for its properties however many it has.
//
//     const auto p = decode_publish(body, flags, protocol_level::v5).value();
//     if (auto alias = p.properties.number(property_id::topic_alias)) ...
//     for (const auto& prop : p.properties)
//         if (prop.id == property_id::user_property) use(prop.text, prop.value);
//
// Strings and binary values view the bytes the block views: valid as long as those are.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>

#include "mqtt/property_id.hpp"

namespace wv::mqtt {

class reader;
class writer;

// One property. Which members hold the value depends on type_of(id).
struct property {
    property_id id{};
    std::uint32_t number = 0;             // byte, two-byte, four-byte and variable byte integers
    std::string_view text{};              // a UTF-8 string; a user property's name
    std::string_view value{};             // a user property's value
    std::span<const std::byte> binary{};  // binary data
};

class properties {
public:
    properties() = default;
    // bytes must be a well-formed block, as decoders and property_builder make; on anything else
    // iteration stops at the first malformed property (and encoders refuse the block).
    explicit properties(std::span<const std::byte> bytes) noexcept : bytes_(bytes) {}

    std::span<const std::byte> bytes() const noexcept { return bytes_; }
    bool empty() const noexcept { return bytes_.empty(); }

    class iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = property;
        using difference_type = std::ptrdiff_t;
        using pointer = const property*;
        using reference = const property&;

        iterator() = default;
        const property& operator*() const noexcept { return current_; }
        const property* operator->() const noexcept { return &current_; }
        iterator& operator++() noexcept;
        iterator operator++(int) noexcept {
            auto old = *this;
            ++*this;
            return old;
        }
        friend bool operator==(const iterator& a, const iterator& b) noexcept {
            return a.at_.data() == b.at_.data();
        }

    private:
        friend class properties;
        explicit iterator(std::span<const std::byte> at) noexcept : at_(at) { parse(); }
        void parse() noexcept;             // current_ from at_; at_ moves to its end when done
        std::span<const std::byte> at_{};  // from current_ to the end of the block
        std::size_t current_size_ = 0;
        property current_{};
    };
    iterator begin() const noexcept { return iterator{bytes_}; }
    iterator end() const noexcept { return iterator{bytes_.subspan(bytes_.size())}; }

    // The first property with this id, by value type; nullopt when absent (or of another type).
    std::optional<std::uint32_t> number(property_id id) const noexcept;
    std::optional<std::string_view> string(property_id id) const noexcept;
    std::optional<std::span<const std::byte>> binary(property_id id) const noexcept;
    bool contains(property_id id) const noexcept;

    friend bool operator==(const properties& a, const properties& b) noexcept;

private:
    std::span<const std::byte> bytes_{};
};

// Checks a block for ctx: every rule errors.hpp lists for properties (unknown identifier, not
// allowed in ctx, duplicate, runs past the end, bad UTF-8, 0/1 flags, zero Topic Alias /
// Subscription Identifier / Receive Maximum / Maximum Packet Size, wildcard Response Topic,
// Authentication Data without Method). Empty error_code when well-formed.
std::error_code validate_properties(std::span<const std::byte> bytes, property_context ctx) noexcept;

namespace detail {
// Reads Property Length and the block it covers, validated for ctx (errors as above, plus
// truncated and varint_not_minimal for the length). Used by every MQTT 5 decoder.
bool read_properties(reader& r, property_context ctx, properties& out) noexcept;
// Wire size of Property Length + block. Throws exception(e) when the block fails
// validate_properties for ctx: encoders never send what decoders would refuse.
std::size_t properties_size(const properties& p, property_context ctx);
void write_properties(writer& w, const properties& p) noexcept;
}  // namespace detail

}  // namespace wv::mqtt
