// Every MQTT 5 rule that input can break, fed as raw bytes at level 5, with the error it must
// produce and the reason code a server answers it with (5.0 4.13, reason_code_for).
#include "unit/mqtt/wire.hpp"

#include "mqtt/varint.hpp"

using namespace wv::mqtt;
using namespace wv::mqtt::test;

namespace {

constexpr auto level_5 = protocol_level::v5;

// A packet: first byte, Remaining Length computed, body.
byte_buffer packet_of(int first, const byte_buffer& body) {
    byte_buffer head(5);
    head[0] = std::byte(static_cast<unsigned char>(first));
    head.resize(1 + encode_varint(static_cast<std::uint32_t>(body.size()), head.data() + 1));
    return head + body;
}

// A property block with its Property Length (always one byte here).
byte_buffer props(const byte_buffer& block) { return bytes({static_cast<int>(block.size())}) + block; }

// An MQTT 5 CONNECT: flags, CONNECT properties, then what follows the client id "d1".
byte_buffer connect5(int flags, const byte_buffer& properties, const byte_buffer& rest = {}) {
    return packet_of(0x10, bytes({0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, flags, 0x00, 0x3c}) + properties +
                               bytes({0x00, 0x02, 'd', '1'}) + rest);
}

// PUBLISH QoS 0 to "t" with the given property block, payload "x".
byte_buffer publish5(const byte_buffer& block) {
    return packet_of(0x30, bytes({0x00, 0x01, 't'}) + props(block) + bytes("x"));
}

struct violation5 {
    const char* rule;
    byte_buffer wire;
    mqtt_errc expected;
    reason_code answer;  // what the receiver sends in CONNACK or DISCONNECT
};

constexpr auto malformed = reason_code::malformed_packet;
constexpr auto protocol = reason_code::protocol_error;

}  // namespace

TEST_CASE("MQTT 5 violations: each raw packet fails with its named error and reason code") {
    const violation5 table[] = {
        // Properties (5.0 2.2.2)
        {"duplicate Topic Alias", publish5(bytes({0x23, 0x00, 0x01, 0x23, 0x00, 0x02})), mqtt_errc::property_duplicate,
         protocol},
        {"duplicate Content Type",
         publish5(bytes({0x03, 0x00, 0x01, 'a', 0x03, 0x00, 0x01, 'b'})), mqtt_errc::property_duplicate, protocol},
        {"duplicate Maximum QoS in CONNACK",
         packet_of(0x20, bytes({0x00, 0x00}) + props(bytes({0x24, 0x01, 0x24, 0x00}))), mqtt_errc::property_duplicate,
         protocol},
        {"Subscription Identifier twice in SUBSCRIBE (only PUBLISH repeats it)",
         packet_of(0x82, bytes({0x00, 0x01}) + props(bytes({0x0b, 0x01, 0x0b, 0x02})) + bytes({0x00, 0x01, 'a', 0x00})),
         mqtt_errc::property_duplicate, protocol},
        {"Session Expiry Interval in PUBLISH", publish5(bytes({0x11, 0x00, 0x00, 0x00, 0x01})),
         mqtt_errc::property_not_allowed, malformed},
        {"Topic Alias in PUBACK",
         packet_of(0x40, bytes({0x00, 0x01, 0x00}) + props(bytes({0x23, 0x00, 0x01}))), mqtt_errc::property_not_allowed,
         malformed},
        {"Will Delay Interval in the CONNECT's own properties", connect5(0x02, props(bytes({0x18, 0, 0, 0, 5}))),
         mqtt_errc::property_not_allowed, malformed},
        {"Session Expiry Interval in Will Properties",
         connect5(0x06, props({}), props(bytes({0x11, 0, 0, 0, 5})) + bytes({0x00, 0x01, 'w', 0x00, 0x00})),
         mqtt_errc::property_not_allowed, malformed},
        {"Reason String in PUBLISH", publish5(bytes({0x1f, 0x00, 0x01, 'r'})), mqtt_errc::property_not_allowed,
         malformed},
        {"Assigned Client Identifier in CONNECT", connect5(0x02, props(bytes({0x12, 0x00, 0x01, 'x'}))),
         mqtt_errc::property_not_allowed, malformed},
        {"Reason String in SUBSCRIBE",
         packet_of(0x82, bytes({0x00, 0x01}) + props(bytes({0x1f, 0x00, 0x00})) + bytes({0x00, 0x01, 'a', 0x00})),
         mqtt_errc::property_not_allowed, malformed},
        {"unknown identifier 0x00", publish5(bytes({0x00, 0x01})), mqtt_errc::property_unknown, malformed},
        {"unknown identifier 0x04", publish5(bytes({0x04, 0x01})), mqtt_errc::property_unknown, malformed},
        {"unknown identifier 0x2b", publish5(bytes({0x2b, 0x01})), mqtt_errc::property_unknown, malformed},
        {"property runs past the Property Length",
         packet_of(0x30, bytes({0x00, 0x01, 't', 0x02, 0x23, 0x00, 0x01, 'x'})), mqtt_errc::property_length_mismatch,
         malformed},
        {"Property Length past the end of the packet", packet_of(0x30, bytes({0x00, 0x01, 't', 0x05, 0x23})),
         mqtt_errc::truncated, malformed},
        {"Property Length not in its shortest form", packet_of(0x30, bytes({0x00, 0x01, 't', 0x80, 0x00, 'x'})),
         mqtt_errc::varint_not_minimal, malformed},
        {"Subscription Identifier of five bytes",
         publish5(bytes({0x0b, 0x80, 0x80, 0x80, 0x80, 0x01})), mqtt_errc::remaining_length_too_long, malformed},
        // UTF-8 in properties (5.0 1.5.4)
        {"user property value overlong", publish5(bytes({0x26, 0x00, 0x01, 'k', 0x00, 0x02, 0xc0, 0xaf})),
         mqtt_errc::utf8_overlong, malformed},
        {"user property name with U+0000", publish5(bytes({0x26, 0x00, 0x01, 0x00, 0x00, 0x01, 'v'})),
         mqtt_errc::utf8_null, malformed},
        {"content type with a surrogate", publish5(bytes({0x03, 0x00, 0x03, 0xed, 0xa0, 0x80})),
         mqtt_errc::utf8_surrogate, malformed},
        {"reason string not UTF-8",
         packet_of(0x40, bytes({0x00, 0x01, 0x80}) + props(bytes({0x1f, 0x00, 0x01, 0xff}))), mqtt_errc::utf8_malformed,
         malformed},
        // Values (5.0 3.x.2.x)
        {"Topic Alias 0 [MQTT-3.3.2-8]", publish5(bytes({0x23, 0x00, 0x00})), mqtt_errc::topic_alias_zero,
         reason_code::topic_alias_invalid},
        {"Subscription Identifier 0",
         packet_of(0x82, bytes({0x00, 0x01}) + props(bytes({0x0b, 0x00})) + bytes({0x00, 0x01, 'a', 0x00})),
         mqtt_errc::subscription_identifier_zero, protocol},
        {"Receive Maximum 0", connect5(0x02, props(bytes({0x21, 0x00, 0x00}))), mqtt_errc::receive_maximum_zero,
         protocol},
        {"Maximum Packet Size 0", connect5(0x02, props(bytes({0x27, 0, 0, 0, 0}))), mqtt_errc::maximum_packet_size_zero,
         protocol},
        {"Request Problem Information 2", connect5(0x02, props(bytes({0x17, 0x02}))), mqtt_errc::property_bad_value,
         protocol},
        {"Request Response Information 2", connect5(0x02, props(bytes({0x19, 0x02}))), mqtt_errc::property_bad_value,
         protocol},
        {"Maximum QoS 2", packet_of(0x20, bytes({0x00, 0x00}) + props(bytes({0x24, 0x02}))),
         mqtt_errc::property_bad_value, protocol},
        {"Payload Format Indicator 2", publish5(bytes({0x01, 0x02})), mqtt_errc::property_bad_value, protocol},
        {"Authentication Data without Method", connect5(0x02, props(bytes({0x16, 0x00, 0x01, 0x00}))),
         mqtt_errc::authentication_data_without_method, protocol},
        {"Response Topic with a wildcard [MQTT-3.3.2-14]", publish5(bytes({0x08, 0x00, 0x03, 'a', '/', '#'})),
         mqtt_errc::wildcard_in_response_topic, protocol},
        {"empty topic without a Topic Alias", packet_of(0x30, bytes({0x00, 0x00, 0x00, 'x'})),
         mqtt_errc::empty_topic_without_alias, protocol},
        // Reason codes (5.0 Table 2-6)
        {"PUBACK 0x04", packet_of(0x40, bytes({0x00, 0x01, 0x04})), mqtt_errc::reason_code_not_allowed, malformed},
        {"PUBACK 0x92 (PUBREL/PUBCOMP only)", packet_of(0x40, bytes({0x00, 0x01, 0x92})),
         mqtt_errc::reason_code_not_allowed, malformed},
        {"PUBREL 0x87", packet_of(0x62, bytes({0x00, 0x01, 0x87})), mqtt_errc::reason_code_not_allowed, malformed},
        {"PUBCOMP 0x10", packet_of(0x70, bytes({0x00, 0x01, 0x10})), mqtt_errc::reason_code_not_allowed, malformed},
        {"CONNACK 0x8e (DISCONNECT only)", packet_of(0x20, bytes({0x00, 0x8e, 0x00})),
         mqtt_errc::reason_code_not_allowed, malformed},
        {"CONNACK 0x01", packet_of(0x20, bytes({0x00, 0x01, 0x00})), mqtt_errc::reason_code_not_allowed, malformed},
        {"DISCONNECT 0x84 (CONNACK only)", packet_of(0xe0, bytes({0x84})), mqtt_errc::reason_code_not_allowed,
         malformed},
        {"DISCONNECT 0x03 (undefined)", packet_of(0xe0, bytes({0x03})), mqtt_errc::reason_code_not_allowed, malformed},
        {"SUBACK 0x10", packet_of(0x90, bytes({0x00, 0x01, 0x00, 0x10})), mqtt_errc::reason_code_not_allowed,
         malformed},
        {"UNSUBACK 0x97", packet_of(0xb0, bytes({0x00, 0x01, 0x00, 0x97})), mqtt_errc::reason_code_not_allowed,
         malformed},
        {"AUTH 0x87", packet_of(0xf0, bytes({0x87, 0x00})), mqtt_errc::reason_code_not_allowed, malformed},
        {"CONNACK session present with 0x87 [MQTT-3.2.2-6]", packet_of(0x20, bytes({0x01, 0x87, 0x00})),
         mqtt_errc::connack_session_present_with_error, malformed},
        {"SUBACK without reason codes", packet_of(0x90, bytes({0x00, 0x01, 0x00})), mqtt_errc::suback_no_return_codes,
         malformed},
        {"UNSUBACK without reason codes", packet_of(0xb0, bytes({0x00, 0x01, 0x00})),
         mqtt_errc::unsuback_no_reason_codes, malformed},
        // SUBSCRIBE options and shared subscriptions (5.0 3.8.3.1, 4.8.2)
        {"Retain Handling 3", packet_of(0x82, bytes({0x00, 0x01, 0x00, 0x00, 0x01, 'a', 0x30})),
         mqtt_errc::subscribe_invalid_retain_handling, protocol},
        {"options bit 6 [MQTT-3.8.3-5]", packet_of(0x82, bytes({0x00, 0x01, 0x00, 0x00, 0x01, 'a', 0x40})),
         mqtt_errc::subscribe_reserved_bits, malformed},
        {"No Local on a shared subscription [MQTT-3.8.3-4]",
         packet_of(0x82, bytes({0x00, 0x01, 0x00, 0x00, 0x0a}) + bytes("$share/g/a") + bytes({0x04})),
         mqtt_errc::no_local_on_shared_subscription, protocol},
        {"$share//a: empty ShareName",
         packet_of(0x82, bytes({0x00, 0x01, 0x00, 0x00, 0x09}) + bytes("$share//a") + bytes({0x00})),
         mqtt_errc::invalid_shared_subscription, protocol},
        {"$share/g+/a: wildcard in ShareName",
         packet_of(0x82, bytes({0x00, 0x01, 0x00, 0x00, 0x0b}) + bytes("$share/g+/a") + bytes({0x00})),
         mqtt_errc::invalid_shared_subscription, protocol},
        {"$share/g: no filter", packet_of(0x82, bytes({0x00, 0x01, 0x00, 0x00, 0x08}) + bytes("$share/g") + bytes({0x00})),
         mqtt_errc::invalid_shared_subscription, protocol},
        {"$share/g/: empty filter",
         packet_of(0x82, bytes({0x00, 0x01, 0x00, 0x00, 0x09}) + bytes("$share/g/") + bytes({0x00})),
         mqtt_errc::invalid_shared_subscription, protocol},
        // AUTH (5.0 3.15)
        {"AUTH 0x18 without Authentication Method", packet_of(0xf0, bytes({0x18})), mqtt_errc::auth_without_method,
         protocol},
        {"AUTH flags", bytes({0xf1, 0x00}), mqtt_errc::reserved_flags, malformed},
        // Framing at level 5
        {"Remaining Length not in its shortest form [MQTT-1.5.5-1]", bytes({0xc0, 0x80, 0x00}),
         mqtt_errc::varint_not_minimal, malformed},
        {"PINGREQ with a body", bytes({0xc0, 0x01, 0x00}), mqtt_errc::bad_remaining_length, malformed},
        {"CONNECT level 6", packet_of(0x10, bytes({0x00, 0x04, 'M', 'Q', 'T', 'T', 0x06, 0x02, 0x00, 0x3c, 0x00})),
         mqtt_errc::unacceptable_protocol_level, reason_code::unsupported_protocol_version},
        {"PUBLISH packet id 0", packet_of(0x32, bytes({0x00, 0x01, 't', 0x00, 0x00, 0x00})), mqtt_errc::zero_packet_id,
         protocol},
    };
    for (const auto& v : table) {
        CAPTURE(v.rule);
        const auto e = first_error(v.wire, {}, level_5);
        CHECK(e == v.expected);
        CHECK(reason_code_for(e) == v.answer);
        CHECK((is_allowed(v.answer, packet_type::connack) || is_allowed(v.answer, packet_type::disconnect)));
    }
}

TEST_CASE("MQTT 5 violations: what each level accepts differs where the standards do") {
    // A non-minimal Remaining Length is tolerated at 3.1.1 (it forbids nothing) but not at 5.
    CHECK_FALSE(first_error(bytes({0xc0, 0x80, 0x00})));
    // A PUBACK with a reason code is 3.1.1's bad_remaining_length.
    CHECK(first_error(bytes({0x40, 0x03, 0x00, 0x01, 0x10})) == mqtt_errc::bad_remaining_length);
    // 3.1.1 allows the same topic alias bytes as payload.
    CHECK_FALSE(first_error(publish5(bytes({0x23, 0x00, 0x00}))));
    // Subscription Identifier repeats in PUBLISH only.
    CHECK_FALSE(first_error(publish5(bytes({0x0b, 0x01, 0x0b, 0x02})), {}, level_5));
    // User Property repeats everywhere, with the same name too.
    CHECK_FALSE(first_error(
        connect5(0x02, props(bytes({0x26, 0x00, 0x01, 'k', 0x00, 0x00, 0x26, 0x00, 0x01, 'k', 0x00, 0x00}))), {},
        level_5));
    // $share is an ordinary filter at 3.1.1 (the codec checks the MQTT 5 rules only at 5).
    CHECK_FALSE(first_error(packet_of(0x82, bytes({0x00, 0x01, 0x00, 0x09}) + bytes("$share//a") + bytes({0x00}))));
}

TEST_CASE("MQTT 5 encoders: local values the wire cannot carry throw, naming the rule") {
    const auto code_of = [](auto&& f) -> std::error_code {
        try {
            f();
        } catch (const exception& e) {
            return e.code();
        }
        return {};
    };
    property_builder zero_alias;
    zero_alias.add(property_id::topic_alias, 0);
    CHECK(code_of([&] { encode_to_bytes(publish{.topic = "t", .properties = zero_alias.view()}, level_5); }) ==
          mqtt_errc::topic_alias_zero);
    CHECK(code_of([&] { encode_to_bytes(publish{.topic = "t", .properties = zero_alias.view()}); }) ==
          mqtt_errc::not_in_protocol_version);
    CHECK(code_of([] { encode_to_bytes(puback{.packet_id = 1, .reason = reason_code::not_authorized}); }) ==
          mqtt_errc::not_in_protocol_version);
    CHECK(code_of([] { encode_to_bytes(auth{.reason = reason_code::continue_authentication}, level_5); }) ==
          mqtt_errc::auth_without_method);
    CHECK(code_of([] { encode_to_bytes(puback{.packet_id = 1}, protocol_level::v3_1); }) ==
          mqtt_errc::not_in_protocol_version);
    CHECK(code_of([] { property_builder{}.add(property_id::topic_alias, std::string_view("x")); }) ==
          mqtt_errc::property_wrong_type);
    CHECK(code_of([] { property_builder{}.add(property_id::maximum_qos, 256); }) == mqtt_errc::property_bad_value);
    CHECK(code_of([] { property_builder{}.add(property_id::receive_maximum, 65536); }) ==
          mqtt_errc::property_bad_value);
    CHECK(code_of([] {
              encode_to_bytes(subscribe{.packet_id = 1, .subscriptions = {{.filter = "a", .no_local = true}}});
          }) == mqtt_errc::not_in_protocol_version);
}
