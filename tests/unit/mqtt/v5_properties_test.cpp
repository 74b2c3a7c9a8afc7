// MQTT 5 properties and reason codes as tables: every identifier's type and where Table 2-4 lets
// it appear, the boundaries of each value type, and Table 2-6's reason codes per packet.
#include "unit/mqtt/wire.hpp"

#include <string>

using namespace wv::mqtt;
using namespace wv::mqtt::test;

namespace {

constexpr std::uint32_t pkt(packet_type t) { return 1u << static_cast<unsigned>(t); }
constexpr std::uint32_t will_ctx = 1u;

struct property_row {
    int id;
    property_type type;
    std::uint32_t where;  // pkt(...) bits, will_ctx for Will Properties
};

}  // namespace

TEST_CASE("properties: Table 2-4, identifier by identifier") {
    using enum packet_type;
    using enum property_type;
    const std::uint32_t acks = pkt(connack) | pkt(puback) | pkt(pubrec) | pkt(pubrel) | pkt(pubcomp) | pkt(suback) |
                               pkt(unsuback) | pkt(disconnect) | pkt(auth);
    const property_row rows[] = {
        {0x01, byte, pkt(publish) | will_ctx},
        {0x02, four_byte_integer, pkt(publish) | will_ctx},
        {0x03, utf8_string, pkt(publish) | will_ctx},
        {0x08, utf8_string, pkt(publish) | will_ctx},
        {0x09, binary_data, pkt(publish) | will_ctx},
        {0x0b, variable_byte_integer, pkt(publish) | pkt(subscribe)},
        {0x11, four_byte_integer, pkt(connect) | pkt(connack) | pkt(disconnect)},
        {0x12, utf8_string, pkt(connack)},
        {0x13, two_byte_integer, pkt(connack)},
        {0x15, utf8_string, pkt(connect) | pkt(connack) | pkt(auth)},
        {0x16, binary_data, pkt(connect) | pkt(connack) | pkt(auth)},
        {0x17, byte, pkt(connect)},
        {0x18, four_byte_integer, will_ctx},
        {0x19, byte, pkt(connect)},
        {0x1a, utf8_string, pkt(connack)},
        {0x1c, utf8_string, pkt(connack) | pkt(disconnect)},
        {0x1f, utf8_string, acks},
        {0x21, two_byte_integer, pkt(connect) | pkt(connack)},
        {0x22, two_byte_integer, pkt(connect) | pkt(connack)},
        {0x23, two_byte_integer, pkt(publish)},
        {0x24, byte, pkt(connack)},
        {0x25, byte, pkt(connack)},
        {0x26, utf8_string_pair, acks | pkt(connect) | pkt(publish) | pkt(subscribe) | pkt(unsubscribe) | will_ctx},
        {0x27, four_byte_integer, pkt(connect) | pkt(connack)},
        {0x28, byte, pkt(connack)},
        {0x29, byte, pkt(connack)},
        {0x2a, byte, pkt(connack)},
    };
    int defined = 0;
    for (int id = 0; id < 256; ++id) {
        CAPTURE(id);
        const property_row* row = nullptr;
        for (const auto& r : rows)
            if (r.id == id) row = &r;
        const auto type = type_of(static_cast<std::uint8_t>(id));
        if (!row) {
            CHECK_FALSE(type);
            continue;
        }
        ++defined;
        CHECK(type == row->type);
        const auto pid = static_cast<property_id>(id);
        CHECK(to_string(pid) != "Unknown property");
        CHECK(is_allowed(pid, will_properties) == ((row->where & will_ctx) != 0));
        for (int t = 1; t <= 15; ++t) {
            CAPTURE(t);
            CHECK(is_allowed(pid, {static_cast<packet_type>(t)}) == ((row->where & (1u << t)) != 0));
        }
        CHECK(is_repeatable(pid, {publish}) == (id == 0x26 || id == 0x0b));
        CHECK(is_repeatable(pid, {subscribe}) == (id == 0x26));
    }
    CHECK(defined == 27);
}

TEST_CASE("properties: value boundaries of each type, decoded and rebuilt") {
    property_builder b;
    b.add(property_id::payload_format_indicator, 1)           // byte
        .add(property_id::topic_alias, 0xffff)                 // two-byte integer, maximum
        .add(property_id::message_expiry_interval, 0xffffffff) // four-byte integer, maximum
        .add(property_id::subscription_identifier, 127)        // varint: 1 byte
        .add(property_id::subscription_identifier, 128)        // 2 bytes
        .add(property_id::subscription_identifier, 16'383)
        .add(property_id::subscription_identifier, 16'384)     // 3 bytes
        .add(property_id::subscription_identifier, 2'097'151)
        .add(property_id::subscription_identifier, 2'097'152)  // 4 bytes
        .add(property_id::subscription_identifier, 268'435'455)
        .add(property_id::content_type, std::string_view("caf\xc3\xa9"))
        .add(property_id::correlation_data, std::span<const std::byte>{})
        .add_user_property("", "");
    const auto expected = bytes({0x01, 0x01,                      // payload format indicator 1
                                 0x23, 0xff, 0xff,                // topic alias 65535
                                 0x02, 0xff, 0xff, 0xff, 0xff,    // message expiry 2^32-1
                                 0x0b, 0x7f,                      // subscription id 127
                                 0x0b, 0x80, 0x01,                // 128
                                 0x0b, 0xff, 0x7f,                // 16383
                                 0x0b, 0x80, 0x80, 0x01,          // 16384
                                 0x0b, 0xff, 0xff, 0x7f,          // 2097151
                                 0x0b, 0x80, 0x80, 0x80, 0x01,    // 2097152
                                 0x0b, 0xff, 0xff, 0xff, 0x7f,    // 268435455
                                 0x03, 0x00, 0x05, 'c', 'a', 'f', 0xc3, 0xa9,  // content type
                                 0x09, 0x00, 0x00,                // empty correlation data
                                 0x26, 0x00, 0x00, 0x00, 0x00});  // user property "" = ""
    const auto view = b.view();
    CHECK(byte_buffer(view.bytes().begin(), view.bytes().end()) == expected);
    CHECK_FALSE(validate_properties(expected, {packet_type::publish}));
    CHECK(validate_properties(expected, {packet_type::subscribe}) == mqtt_errc::property_not_allowed);
    std::vector<std::uint32_t> ids;
    for (const auto& p : view)
        if (p.id == property_id::subscription_identifier) ids.push_back(p.number);
    CHECK(ids == std::vector<std::uint32_t>{127, 128, 16'383, 16'384, 2'097'151, 2'097'152, 268'435'455});
    CHECK(view.number(property_id::message_expiry_interval) == 0xffffffffu);
    CHECK(view.string(property_id::content_type) == "caf\xc3\xa9");
    CHECK(view.binary(property_id::correlation_data)->empty());
    CHECK_FALSE(view.string(property_id::topic_alias));  // wrong type: no value
    CHECK(std::distance(view.begin(), view.end()) == 13);
    // A subscription identifier past 268,435,455 cannot be written.
    CHECK_THROWS_AS(property_builder{}.add(property_id::subscription_identifier, 268'435'456), exception);
}

TEST_CASE("properties: iteration stops at the first malformed entry instead of reading past it") {
    const auto bad = bytes({0x23, 0x00, 0x01, 0x23, 0x00});  // a topic alias, then half of one
    const properties p{bad};
    CHECK(std::distance(p.begin(), p.end()) == 1);
    CHECK(validate_properties(bad, {packet_type::publish}) == mqtt_errc::property_length_mismatch);
    const auto unknown_id = bytes({0x7f, 0x00});  // named: a view of a temporary would dangle
    const properties unknown{unknown_id};
    CHECK(unknown.begin() == unknown.end());
}

TEST_CASE("reason codes: Table 2-6, which packet may carry which") {
    using enum packet_type;
    struct row {
        int code;
        std::uint32_t where;
    };
    const std::uint32_t pub_acks = pkt(puback) | pkt(pubrec);
    const row rows[] = {
        {0x00, pkt(connack) | pub_acks | pkt(pubrel) | pkt(pubcomp) | pkt(suback) | pkt(unsuback) | pkt(disconnect) |
                   pkt(auth)},
        {0x01, pkt(suback)}, {0x02, pkt(suback)}, {0x04, pkt(disconnect)},
        {0x10, pub_acks}, {0x11, pkt(unsuback)}, {0x18, pkt(auth)}, {0x19, pkt(auth)},
        {0x80, pkt(connack) | pub_acks | pkt(suback) | pkt(unsuback) | pkt(disconnect)},
        {0x81, pkt(connack) | pkt(disconnect)}, {0x82, pkt(connack) | pkt(disconnect)},
        {0x83, pkt(connack) | pub_acks | pkt(suback) | pkt(unsuback) | pkt(disconnect)},
        {0x84, pkt(connack)}, {0x85, pkt(connack)}, {0x86, pkt(connack)},
        {0x87, pkt(connack) | pub_acks | pkt(suback) | pkt(unsuback) | pkt(disconnect)},
        {0x88, pkt(connack)}, {0x89, pkt(connack) | pkt(disconnect)}, {0x8a, pkt(connack)},
        {0x8b, pkt(disconnect)}, {0x8c, pkt(connack) | pkt(disconnect)}, {0x8d, pkt(disconnect)},
        {0x8e, pkt(disconnect)}, {0x8f, pkt(suback) | pkt(unsuback) | pkt(disconnect)},
        {0x90, pkt(connack) | pub_acks | pkt(disconnect)}, {0x91, pub_acks | pkt(suback) | pkt(unsuback)},
        {0x92, pkt(pubrel) | pkt(pubcomp)}, {0x93, pkt(disconnect)}, {0x94, pkt(disconnect)},
        {0x95, pkt(connack) | pkt(disconnect)}, {0x96, pkt(disconnect)},
        {0x97, pkt(connack) | pub_acks | pkt(suback) | pkt(disconnect)}, {0x98, pkt(disconnect)},
        {0x99, pkt(connack) | pub_acks | pkt(disconnect)}, {0x9a, pkt(connack) | pkt(disconnect)},
        {0x9b, pkt(connack) | pkt(disconnect)}, {0x9c, pkt(connack) | pkt(disconnect)},
        {0x9d, pkt(connack) | pkt(disconnect)}, {0x9e, pkt(suback) | pkt(disconnect)},
        {0x9f, pkt(connack) | pkt(disconnect)}, {0xa0, pkt(disconnect)}, {0xa1, pkt(suback) | pkt(disconnect)},
        {0xa2, pkt(suback) | pkt(disconnect)},
    };
    for (int code = 0; code < 256; ++code) {
        CAPTURE(code);
        std::uint32_t where = 0;
        for (const auto& r : rows)
            if (r.code == code) where = r.where;
        const auto c = static_cast<reason_code>(code);
        for (int t = 1; t <= 15; ++t) {
            CAPTURE(t);
            CHECK(is_allowed(c, static_cast<packet_type>(t)) == ((where & (1u << t)) != 0));
        }
        CHECK((to_string(c) == "Unknown reason code") == (where == 0));
        CHECK(is_failure(c) == (code >= 0x80));
    }
    CHECK(to_string(reason_code::success, packet_type::disconnect) == "Normal disconnection");
    CHECK(to_string(reason_code::success, packet_type::suback) == "Granted QoS 0");
    CHECK(to_string(reason_code::not_authorized) == "Not authorized");
}

TEST_CASE("reason codes: errors from other categories answer Unspecified error") {
    CHECK(reason_code_for(std::make_error_code(std::errc::timed_out)) == reason_code::unspecified_error);
    CHECK(reason_code_for(mqtt_errc::packet_too_large) == reason_code::packet_too_large);
}

TEST_CASE("reason codes: failures as std::error_code, success as no error") {
    const std::error_code e = reason_code::not_authorized;
    CHECK(e);
    CHECK(e == reason_code::not_authorized);
    CHECK(e != mqtt_errc::truncated);
    CHECK(e.message() == "Not authorized (0x87)");
    CHECK(std::string(e.category().name()) == "mqtt5-reason");
    CHECK_FALSE(std::error_code{reason_code::success});
}
