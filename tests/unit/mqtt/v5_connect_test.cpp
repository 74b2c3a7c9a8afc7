// MQTT 5 CONNECT and CONNACK: byte-exact vectors written by hand from the OASIS MQTT 5.0 text
// (3.1, 3.2), decoded field by field, re-encoded to the same bytes, then truncation ladders.
#include "unit/mqtt/wire.hpp"

#include <string>
#include <vector>

using namespace wv::mqtt;
using namespace wv::mqtt::test;

namespace {

constexpr auto v5 = protocol_level::v5;

// Every proper prefix of a body whose fields are all mandatory is `truncated`.
template <class Decode>
void check_v5_ladder(const frame& f, Decode decode, std::size_t up_to) {
    for (std::size_t n = 0; n < up_to; ++n)
        CHECK_MESSAGE(decode(f.body.first(n), f.flags).error() == mqtt_errc::truncated, n);
}

result<connect> connect_at_5(std::span<const std::byte> b, std::uint8_t fl) { return decode_connect(b, fl, v5); }
result<connack> connack_at_5(std::span<const std::byte> b, std::uint8_t fl) { return decode_connack(b, fl, v5); }

}  // namespace

TEST_CASE("MQTT 5 CONNECT: minimal, clean start, no properties") {
    const auto wire = bytes({0x10, 0x0f,                      // CONNECT, remaining length 15
                             0x00, 0x04, 'M', 'Q', 'T', 'T',  // protocol name
                             0x05, 0x02,                      // level 5, flags: clean start
                             0x00, 0x3c,                      // keep-alive 60 s
                             0x00,                            // property length 0
                             0x00, 0x02, 'd', '1'});          // client id
    const auto f = whole_frame(wire);
    const auto p = decode_connect(f.body, f.flags, v5).value();
    CHECK(p.protocol_level == 5);
    CHECK(p.clean_session);
    CHECK(p.keep_alive_s == 60);
    CHECK(p.client_id == "d1");
    CHECK(p.properties.empty());
    CHECK(encode_to_bytes(p) == wire);
    CHECK(encode_to_bytes(connect{.protocol_level = 5, .keep_alive_s = 60, .client_id = "d1"}, v5) == wire);
    check_v5_ladder(f, connect_at_5, f.body.size());
    // A 3.1.1-only receiver refuses it by level (CONNACK 1), a 5 receiver by nothing.
    CHECK(decode_connect(f.body, f.flags).error() == mqtt_errc::unacceptable_protocol_level);
}

TEST_CASE("MQTT 5 CONNECT: properties, will with will properties, user name and password") {
    const auto wire = bytes({
        0x10, 0x52,                       // CONNECT, remaining length 82
        0x00, 0x04, 'M', 'Q', 'T', 'T',   // protocol name
        0x05,                             // level 5
        0xec,                             // user name, password, will retain, will QoS 1, will
        0x01, 0x2c,                       // keep-alive 300 s
        0x17,                             // property length 23
        0x11, 0x00, 0x00, 0x0e, 0x10,     //   session expiry interval 3600 s
        0x21, 0x00, 0x14,                 //   receive maximum 20
        0x27, 0x00, 0x02, 0x00, 0x00,     //   maximum packet size 131072
        0x22, 0x00, 0x08,                 //   topic alias maximum 8
        0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v',  // user property k=v
        0x00, 0x02, 'd', '1',             // client id
        0x1c,                             // will property length 28
        0x18, 0x00, 0x00, 0x00, 0x05,     //   will delay interval 5 s
        0x01, 0x01,                       //   payload format indicator: UTF-8
        0x03, 0x00, 0x04, 't', 'e', 'x', 't',  // content type "text"
        0x08, 0x00, 0x01, 'r',            //   response topic "r"
        0x09, 0x00, 0x02, 0x01, 0x02,     //   correlation data 01 02
        0x02, 0x00, 0x00, 0x00, 0x3c,     //   message expiry interval 60 s
        0x00, 0x03, 'a', '/', 'b',        // will topic
        0x00, 0x02, 'h', 'i',             // will payload
        0x00, 0x01, 'u',                  // user name
        0x00, 0x01, 'p'});                // password
    const auto f = whole_frame(wire);
    const auto p = decode_connect(f.body, f.flags, v5).value();
    CHECK_FALSE(p.clean_session);
    CHECK(p.keep_alive_s == 300);
    CHECK(p.properties.number(property_id::session_expiry_interval) == 3600u);
    CHECK(p.properties.number(property_id::receive_maximum) == 20u);
    CHECK(p.properties.number(property_id::maximum_packet_size) == 131072u);
    CHECK(p.properties.number(property_id::topic_alias_maximum) == 8u);
    CHECK_FALSE(p.properties.number(property_id::request_problem_information));
    REQUIRE(p.will);
    CHECK(p.will->topic == "a/b");
    CHECK(same(p.will->message, "hi"));
    CHECK(p.will->qos == qos::at_least_once);
    CHECK(p.will->retain);
    const auto& w = p.will->properties;
    CHECK(w.number(property_id::will_delay_interval) == 5u);
    CHECK(w.number(property_id::payload_format_indicator) == 1u);
    CHECK(w.string(property_id::content_type) == "text");
    CHECK(w.string(property_id::response_topic) == "r");
    REQUIRE(w.binary(property_id::correlation_data));
    CHECK(same(*w.binary(property_id::correlation_data), std::string_view("\x01\x02", 2)));
    CHECK(w.number(property_id::message_expiry_interval) == 60u);
    CHECK(p.user_name == "u");
    REQUIRE(p.password);
    CHECK(same(*p.password, "p"));
    // Properties are views of the input, not copies.
    CHECK(p.properties.bytes().data() == wire.data() + 13);
    CHECK(encode_to_bytes(p, v5) == wire);
    check_v5_ladder(f, connect_at_5, f.body.size());

    // The same CONNECT built with property_builder.
    property_builder props;
    props.add(property_id::session_expiry_interval, 3600)
        .add(property_id::receive_maximum, 20)
        .add(property_id::maximum_packet_size, 131072)
        .add(property_id::topic_alias_maximum, 8)
        .add_user_property("k", "v");
    const byte_buffer correlation = bytes({0x01, 0x02});
    property_builder will_props;
    will_props.add(property_id::will_delay_interval, 5)
        .add(property_id::payload_format_indicator, 1)
        .add(property_id::content_type, std::string_view("text"))
        .add(property_id::response_topic, std::string_view("r"))
        .add(property_id::correlation_data, std::span<const std::byte>(correlation))
        .add(property_id::message_expiry_interval, 60);
    const auto hi = bytes("hi");
    const auto pw = bytes("p");
    const connect built{.protocol_level = 5,
                        .clean_session = false,
                        .keep_alive_s = 300,
                        .client_id = "d1",
                        .will = last_will{.topic = "a/b",
                                          .message = hi,
                                          .qos = qos::at_least_once,
                                          .retain = true,
                                          .properties = will_props.view()},
                        .user_name = "u",
                        .password = std::span<const std::byte>(pw),
                        .properties = props.view()};
    CHECK(encode_to_bytes(built, v5) == wire);
}

TEST_CASE("MQTT 5 CONNECT: a password without a user name is allowed (5.0 3.1.2.9)") {
    const auto wire = bytes({0x10, 0x11,                      // CONNECT, remaining length 17
                             0x00, 0x04, 'M', 'Q', 'T', 'T',  // protocol name
                             0x05, 0x42,                      // level 5; password, clean start
                             0x00, 0x00,                      // keep-alive off
                             0x00,                            // no properties
                             0x00, 0x00,                      // empty client id: server assigns
                             0x00, 0x02, 't', 'k'});          // password
    const auto f = whole_frame(wire);
    const auto p = decode_connect(f.body, f.flags, v5).value();
    CHECK_FALSE(p.user_name);
    REQUIRE(p.password);
    CHECK(same(*p.password, "tk"));
    CHECK(p.client_id.empty());
    CHECK(encode_to_bytes(p) == wire);
    // An empty client id with Clean Start 0 is well-formed in 5 (3.1.1 wants CONNACK 2).
    auto persistent = wire;
    persistent[9] = std::byte{0x40};
    CHECK(decode_connect(whole_frame(persistent).body, 0, v5).has_value());
}

TEST_CASE("MQTT 5 CONNECT: encoders refuse what the level cannot carry") {
    property_builder props;
    props.add(property_id::session_expiry_interval, 60);
    CHECK_THROWS_AS(encode_to_bytes(connect{.client_id = "d1", .properties = props.view()}), exception);
    CHECK_THROWS_AS(encode_to_bytes(connect{.protocol_level = 4, .client_id = "d1"}, v5), exception);
    // Will Delay Interval belongs in the Will Properties, not the CONNECT's.
    property_builder will_only;
    will_only.add(property_id::will_delay_interval, 5);
    try {
        encode_to_bytes(connect{.protocol_level = 5, .client_id = "d1", .properties = will_only.view()});
        FAIL("encoded a CONNECT with Will Delay Interval in its own properties");
    } catch (const exception& e) {
        CHECK(e.code() == mqtt_errc::property_not_allowed);
    }
}

TEST_CASE("MQTT 5 CONNACK: success with AWS IoT Core's properties") {
    const auto wire = bytes({0x20, 0x1c,                     // CONNACK, remaining length 28
                             0x00,                           // no session present
                             0x00,                           // reason: Success
                             0x19,                           // property length 25
                             0x22, 0x00, 0x08,               //   topic alias maximum 8
                             0x12, 0x00, 0x03, 'a', 'b', 'c',  // assigned client identifier
                             0x13, 0x00, 0x1e,               //   server keep alive 30 s
                             0x24, 0x01,                     //   maximum QoS 1
                             0x25, 0x01,                     //   retain available
                             0x29, 0x00,                     //   subscription identifiers: no
                             0x2a, 0x01,                     //   shared subscriptions: yes
                             0x27, 0x00, 0x02, 0x00, 0x00}); //   maximum packet size 131072
    const auto f = whole_frame(wire, {}, v5);
    const auto p = decode_connack(f.body, f.flags, v5).value();
    CHECK_FALSE(p.session_present);
    CHECK(p.reason == reason_code::success);
    CHECK(p.properties.number(property_id::topic_alias_maximum) == 8u);
    CHECK(p.properties.string(property_id::assigned_client_identifier) == "abc");
    CHECK(p.properties.number(property_id::server_keep_alive) == 30u);
    CHECK(p.properties.number(property_id::maximum_qos) == 1u);
    CHECK(p.properties.number(property_id::retain_available) == 1u);
    CHECK(p.properties.number(property_id::subscription_identifier_available) == 0u);
    CHECK(p.properties.number(property_id::shared_subscription_available) == 1u);
    CHECK(p.properties.number(property_id::maximum_packet_size) == 131072u);
    CHECK(encode_to_bytes(p, v5) == wire);
    check_v5_ladder(f, connack_at_5, f.body.size());
    std::vector<property_id> order;
    for (const auto& prop : p.properties) order.push_back(prop.id);
    CHECK(order.size() == 8);
    CHECK(order.front() == property_id::topic_alias_maximum);
    CHECK(order.back() == property_id::maximum_packet_size);
}

TEST_CASE("MQTT 5 CONNACK: refused 0x87 with a reason string, and the minimal form") {
    const auto wire = bytes({0x20, 0x0c,                     // CONNACK, remaining length 12
                             0x00,                           // no session present
                             0x87,                           // reason: Not authorized
                             0x09,                           // property length 9
                             0x1f, 0x00, 0x06, 'd', 'e', 'n', 'i', 'e', 'd'});  // reason string
    const auto f = whole_frame(wire, {}, v5);
    const auto p = decode_connack(f.body, f.flags, v5).value();
    CHECK(p.reason == reason_code::not_authorized);
    CHECK(is_failure(p.reason));
    CHECK(p.properties.string(property_id::reason_string) == "denied");
    CHECK(encode_to_bytes(p, v5) == wire);
    CHECK(to_string(p.reason) == "Not authorized");

    const auto minimal = bytes({0x20, 0x03, 0x01, 0x00, 0x00});  // session present, Success, no properties
    const auto m = decode_connack(whole_frame(minimal, {}, v5).body, 0, v5).value();
    CHECK(m.session_present);
    CHECK(encode_to_bytes(connack{.session_present = true}, v5) == minimal);
    // The 3.1.1 layout has no property length: two bytes are truncated at 5.
    CHECK(decode_connack(whole_frame(bytes({0x20, 0x02, 0x00, 0x00})).body, 0, v5).error() == mqtt_errc::truncated);
    // Each version's fields refuse the other's encoder.
    CHECK_THROWS_AS(encode_to_bytes(connack{.reason = reason_code::not_authorized}), exception);
    CHECK_THROWS_AS(encode_to_bytes(connack{.code = connack_code::not_authorized}, v5), exception);
}
