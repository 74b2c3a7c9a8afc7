// MQTT 5 PUBLISH, the acknowledgements, SUBSCRIBE/SUBACK, UNSUBSCRIBE/UNSUBACK, the pings,
// DISCONNECT and AUTH: byte-exact vectors written by hand from the OASIS MQTT 5.0 text (3.3 -
// 3.15), decoded field by field, re-encoded, truncation ladders.
#include "unit/mqtt/wire.hpp"

#include <vector>

using namespace wv::mqtt;
using namespace wv::mqtt::test;

namespace {

constexpr auto level5 = protocol_level::v5;

// The packet at level 5, or a failed REQUIRE.
packet decoded_5(const byte_buffer& wire) {
    auto p = decode_any(whole_frame(wire, {}, level5), level5);
    REQUIRE_MESSAGE(p.has_value(), p.error().message());
    return *p;
}

// The first error decoding the first n bytes of wire's body at level 5.
std::error_code cut_error(const byte_buffer& wire, std::size_t n) {
    auto f = whole_frame(wire, {}, level5);
    f.body = f.body.first(n);
    return decode_any(f, level5).error();
}

std::vector<std::uint32_t> subscription_ids(const properties& props) {
    std::vector<std::uint32_t> ids;
    for (const auto& p : props)
        if (p.id == property_id::subscription_identifier) ids.push_back(p.number);
    return ids;
}

}  // namespace

TEST_CASE("MQTT 5 PUBLISH: QoS 1, topic alias, repeated user properties and subscription ids") {
    const auto wire = bytes({0x32, 0x20,                      // PUBLISH QoS 1, remaining length 32
                             0x00, 0x03, 'a', '/', 'b',       // topic name
                             0x00, 0x07,                      // packet id 7
                             0x16,                            // property length 22
                             0x23, 0x00, 0x01,                //   topic alias 1
                             0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v',  // user property k=v
                             0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'w',  // user property k=w (repeatable)
                             0x0b, 0x01,                      //   subscription identifier 1
                             0x0b, 0x80, 0x01,                //   subscription identifier 128
                             'h', 'i'});                      // payload
    const auto p = std::get<publish>(decoded_5(wire));
    CHECK(p.topic == "a/b");
    CHECK(p.packet_id == 7);
    CHECK(p.qos == qos::at_least_once);
    CHECK(same(p.payload, "hi"));
    CHECK(p.properties.number(property_id::topic_alias) == 1u);
    std::vector<std::pair<std::string_view, std::string_view>> user;
    for (const auto& prop : p.properties)
        if (prop.id == property_id::user_property) user.emplace_back(prop.text, prop.value);
    REQUIRE(user.size() == 2);
    CHECK(user[0] == std::pair<std::string_view, std::string_view>{"k", "v"});
    CHECK(user[1] == std::pair<std::string_view, std::string_view>{"k", "w"});
    CHECK(subscription_ids(p.properties) == std::vector<std::uint32_t>{1, 128});
    CHECK(p.payload.data() == wire.data() + 32);  // views, no copies
    CHECK(encode_to_bytes(p, level5) == wire);
    // Cuts before the payload are truncated; the payload is the rest, so later cuts shorten it.
    for (std::size_t n = 0; n < 30; ++n) CHECK_MESSAGE(cut_error(wire, n) == mqtt_errc::truncated, n);
    // At 3.1.1 the property bytes are payload: the same wire decodes, differently.
    const auto old = decode_publish(whole_frame(wire).body, 0x02).value();
    CHECK(old.payload.size() == 25);
}

TEST_CASE("MQTT 5 PUBLISH: empty topic with a topic alias, QoS 0, and the minimal form") {
    const auto aliased = bytes({0x30, 0x07,          // PUBLISH QoS 0, remaining length 7
                                0x00, 0x00,          // topic name "" (the alias stands for it)
                                0x03,                // property length 3
                                0x23, 0x00, 0x01,    //   topic alias 1
                                'x'});               // payload
    const auto a = std::get<publish>(decoded_5(aliased));
    CHECK(a.topic.empty());
    CHECK(a.properties.number(property_id::topic_alias) == 1u);
    CHECK(encode_to_bytes(a, level5) == aliased);

    const auto minimal = bytes({0x30, 0x06, 0x00, 0x01, 't',  // PUBLISH QoS 0, topic "t"
                                0x00,                         // no properties
                                'h', 'i'});                   // payload
    const auto m = std::get<publish>(decoded_5(minimal));
    CHECK(m.topic == "t");
    CHECK(m.properties.empty());
    const auto hi = bytes("hi");
    CHECK(encode_to_bytes(publish{.topic = "t", .payload = hi}, level5) == minimal);
    for (std::size_t n = 0; n < 4; ++n) CHECK_MESSAGE(cut_error(minimal, n) == mqtt_errc::truncated, n);
}

TEST_CASE("MQTT 5 PUBACK, PUBREC, PUBREL, PUBCOMP: the three short forms and the full one") {
    struct one_type {
        int first;
        reason_code failure;  // a code the type allows
    };
    const one_type types[] = {{0x40, reason_code::not_authorized},
                              {0x50, reason_code::quota_exceeded},
                              {0x62, reason_code::packet_identifier_not_found},
                              {0x70, reason_code::packet_identifier_not_found}};
    for (const auto& t : types) {
        CAPTURE(t.first);
        const int code = static_cast<int>(t.failure);
        // Remaining Length 2: Success, no properties.
        const auto two = bytes({t.first, 0x02, 0x00, 0x01});
        const auto p2 = decoded_5(two);
        std::visit([&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (requires { x.packet_id; x.reason; }) {
                CHECK(x.packet_id == 1);
                CHECK(x.reason == reason_code::success);
                CHECK(encode_to_bytes(x, level5) == two);
                CHECK(encode_to_bytes(T{.packet_id = 1}, level5) == two);
            } else {
                FAIL("not an acknowledgement");
            }
        }, p2);
        // Remaining Length 3: a reason code, no Property Length.
        const auto three = bytes({t.first, 0x03, 0x00, 0x01, code});
        std::visit([&](const auto& x) {
            if constexpr (requires { x.reason; x.packet_id; }) {
                CHECK(x.reason == t.failure);
                CHECK(x.properties.empty());
                CHECK(encode_to_bytes(x, level5) == three);
            }
        }, decoded_5(three));
        // Remaining Length 4: reason code and an empty property block; encodes back to the
        // shortest form, which means the same.
        const auto four = bytes({t.first, 0x04, 0x00, 0x01, code, 0x00});
        std::visit([&](const auto& x) {
            if constexpr (requires { x.reason; x.packet_id; }) {
                CHECK(x.reason == t.failure);
                CHECK(encode_to_bytes(x, level5) == three);
            }
        }, decoded_5(four));
        // The full form: reason code and a reason string.
        const auto full = bytes({t.first, 0x0d,                     // remaining length 13
                                 0x00, 0x01,                        // packet id 1
                                 code,                              // reason code
                                 0x09,                              // property length 9
                                 0x1f, 0x00, 0x06, 'd', 'e', 'n', 'i', 'e', 'd'});  // reason string
        std::visit([&](const auto& x) {
            if constexpr (requires { x.reason; x.packet_id; }) {
                CHECK(x.reason == t.failure);
                CHECK(x.properties.string(property_id::reason_string) == "denied");
                CHECK(encode_to_bytes(x, level5) == full);
                CHECK_THROWS_AS(encode_to_bytes(x), exception);  // 3.1.1 cannot say it
            }
        }, decoded_5(full));
        // Ladder: 0 and 1 byte are truncated; 2 and 3 are the short forms; inside the block truncated.
        for (std::size_t n : {0u, 1u, 6u, 7u, 10u, 12u}) CHECK_MESSAGE(cut_error(full, n) == mqtt_errc::truncated, n);
        CHECK_FALSE(cut_error(full, 2));
        CHECK_FALSE(cut_error(full, 3));
    }
}

TEST_CASE("MQTT 5 SUBSCRIBE: subscription identifier, options, a shared subscription") {
    const auto wire = bytes({0x82, 0x1a,                      // SUBSCRIBE, remaining length 26
                             0x00, 0x0a,                      // packet id 10
                             0x02,                            // property length 2
                             0x0b, 0x05,                      //   subscription identifier 5
                             0x00, 0x03, 'a', '/', 'b',       // filter "a/b"
                             0x2d,                            //   QoS 1, no local, retain as
                                                              //   published, retain handling 2
                             0x00, 0x0c, '$', 's', 'h', 'a', 'r', 'e', '/', 'g', '/', 'c', '/', '#',
                             0x10});                          //   QoS 0, retain handling 1
    const auto p = std::get<subscribe>(decoded_5(wire));
    CHECK(p.packet_id == 10);
    CHECK(p.properties.number(property_id::subscription_identifier) == 5u);
    REQUIRE(p.subscriptions.size() == 2);
    const auto& a = p.subscriptions[0];
    CHECK(a.filter == "a/b");
    CHECK(a.qos == qos::at_least_once);
    CHECK(a.no_local);
    CHECK(a.retain_as_published);
    CHECK(a.retain_handling == retain_handling::do_not_send);
    const auto& s = p.subscriptions[1];
    CHECK(s.filter == "$share/g/c/#");
    CHECK(s.qos == qos::at_most_once);
    CHECK_FALSE(s.no_local);
    CHECK(s.retain_handling == retain_handling::send_if_new_subscription);
    CHECK(encode_to_bytes(p, level5) == wire);
    CHECK_THROWS_AS(encode_to_bytes(p), exception);  // options 3.1.1 does not have
    // Body: packet id 0-1, property length 2, properties 3-4, first entry 5-10, second 11-25.
    for (std::size_t n = 0; n < 5; ++n) CHECK_MESSAGE(cut_error(wire, n) == mqtt_errc::truncated, n);
    CHECK(cut_error(wire, 5) == mqtt_errc::subscribe_no_topics);
    for (std::size_t n = 6; n < 11; ++n) CHECK_MESSAGE(cut_error(wire, n) == mqtt_errc::truncated, n);
    CHECK_FALSE(cut_error(wire, 11));  // one whole entry
    for (std::size_t n = 12; n < 26; ++n) CHECK_MESSAGE(cut_error(wire, n) == mqtt_errc::truncated, n);
}

TEST_CASE("MQTT 5 SUBACK and UNSUBACK: reason codes per filter") {
    const auto suback_wire = bytes({0x90, 0x0f,               // SUBACK, remaining length 15
                                    0x00, 0x0a,               // packet id 10
                                    0x09,                     // property length 9
                                    0x1f, 0x00, 0x06, 'd', 'e', 'n', 'i', 'e', 'd',  // reason string
                                    0x01,                     // Granted QoS 1
                                    0x87,                     // Not authorized
                                    0xa1});                   // Subscription Identifiers not supported
    const auto s = std::get<suback>(decoded_5(suback_wire));
    CHECK(s.packet_id == 10);
    CHECK(s.reason_codes ==
          std::vector<reason_code>{reason_code::granted_qos1, reason_code::not_authorized,
                                   reason_code::subscription_identifiers_not_supported});
    CHECK(s.return_codes.empty());
    CHECK(s.properties.string(property_id::reason_string) == "denied");
    CHECK(encode_to_bytes(s, level5) == suback_wire);
    for (std::size_t n = 0; n < 12; ++n) CHECK_MESSAGE(cut_error(suback_wire, n) == mqtt_errc::truncated, n);
    CHECK(cut_error(suback_wire, 12) == mqtt_errc::suback_no_return_codes);

    const auto unsuback_wire = bytes({0xb0, 0x05,             // UNSUBACK, remaining length 5
                                      0x00, 0x0b,             // packet id 11
                                      0x00,                   // no properties
                                      0x00,                   // Success
                                      0x11});                 // No subscription existed
    const auto u = std::get<unsuback>(decoded_5(unsuback_wire));
    CHECK(u.packet_id == 11);
    CHECK(u.reason_codes == std::vector<reason_code>{reason_code::success, reason_code::no_subscription_existed});
    CHECK(encode_to_bytes(u, level5) == unsuback_wire);
    for (std::size_t n = 0; n < 3; ++n) CHECK_MESSAGE(cut_error(unsuback_wire, n) == mqtt_errc::truncated, n);
    CHECK(cut_error(unsuback_wire, 3) == mqtt_errc::unsuback_no_reason_codes);
    CHECK_THROWS_AS(encode_to_bytes(u), exception);
}

TEST_CASE("MQTT 5 UNSUBSCRIBE: user property and a filter") {
    const auto wire = bytes({0xa2, 0x0f,                      // UNSUBSCRIBE, remaining length 15
                             0x00, 0x0b,                      // packet id 11
                             0x07,                            // property length 7
                             0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v',  // user property k=v
                             0x00, 0x03, 'a', '/', '+'});     // filter "a/+"
    const auto p = std::get<unsubscribe>(decoded_5(wire));
    CHECK(p.packet_id == 11);
    CHECK(p.filters == std::vector<std::string_view>{"a/+"});
    CHECK(encode_to_bytes(p, level5) == wire);
    for (std::size_t n = 0; n < 10; ++n) CHECK_MESSAGE(cut_error(wire, n) == mqtt_errc::truncated, n);
    CHECK(cut_error(wire, 10) == mqtt_errc::unsubscribe_no_topics);
    for (std::size_t n = 11; n < 15; ++n) CHECK_MESSAGE(cut_error(wire, n) == mqtt_errc::truncated, n);
}

TEST_CASE("MQTT 5 PINGREQ, PINGRESP: the same two bytes as 3.1.1") {
    CHECK(std::holds_alternative<pingreq>(decoded_5(bytes({0xc0, 0x00}))));
    CHECK(std::holds_alternative<pingresp>(decoded_5(bytes({0xd0, 0x00}))));
    CHECK(encode_to_bytes(pingreq{}, level5) == bytes({0xc0, 0x00}));
    CHECK(encode_to_bytes(pingresp{}, level5) == bytes({0xd0, 0x00}));
    CHECK(first_error(bytes({0xc0, 0x01, 0x00}), {}, level5) == mqtt_errc::bad_remaining_length);
}

TEST_CASE("MQTT 5 DISCONNECT: normal, reason only, reason and properties") {
    const auto normal = bytes({0xe0, 0x00});                  // Normal disconnection
    CHECK(std::get<disconnect>(decoded_5(normal)) == disconnect{});
    CHECK(encode_to_bytes(disconnect{}, level5) == normal);

    const auto taken_over = bytes({0xe0, 0x01, 0x8e});        // Session taken over
    const auto t = std::get<disconnect>(decoded_5(taken_over));
    CHECK(t.reason == reason_code::session_taken_over);
    CHECK(encode_to_bytes(t, level5) == taken_over);
    CHECK_THROWS_AS(encode_to_bytes(t), exception);

    const auto full = bytes({0xe0, 0x0c,                      // DISCONNECT, remaining length 12
                             0x04,                            // Disconnect with Will Message
                             0x0a,                            // property length 10
                             0x11, 0x00, 0x00, 0x00, 0x00,    //   session expiry interval 0
                             0x1f, 0x00, 0x02, 'b', 'y'});    //   reason string "by"
    const auto d = std::get<disconnect>(decoded_5(full));
    CHECK(d.reason == reason_code::disconnect_with_will_message);
    CHECK(d.properties.number(property_id::session_expiry_interval) == 0u);
    CHECK(d.properties.string(property_id::reason_string) == "by");
    CHECK(encode_to_bytes(d, level5) == full);
    for (std::size_t n = 2; n < 12; ++n) CHECK_MESSAGE(cut_error(full, n) == mqtt_errc::truncated, n);
    // An empty property block means what the shorter forms say.
    CHECK(encode_to_bytes(std::get<disconnect>(decoded_5(bytes({0xe0, 0x02, 0x00, 0x00}))), level5) == normal);
}

TEST_CASE("MQTT 5 AUTH: success, and a continue step with method and data") {
    const auto success = bytes({0xf0, 0x00});                 // AUTH, Success, no properties
    CHECK(std::get<auth>(decoded_5(success)).reason == reason_code::success);
    CHECK(encode_to_bytes(auth{}, level5) == success);

    const auto step = bytes({0xf0, 0x0f,                      // AUTH, remaining length 15
                             0x18,                            // Continue authentication
                             0x0d,                            // property length 13
                             0x15, 0x00, 0x05, 'S', 'C', 'R', 'A', 'M',  // authentication method
                             0x16, 0x00, 0x02, 0x01, 0x02});  //   authentication data
    const auto a = std::get<auth>(decoded_5(step));
    CHECK(a.reason == reason_code::continue_authentication);
    CHECK(a.properties.string(property_id::authentication_method) == "SCRAM");
    REQUIRE(a.properties.binary(property_id::authentication_data));
    CHECK(a.properties.binary(property_id::authentication_data)->size() == 2);
    CHECK(encode_to_bytes(a, level5) == step);
    for (std::size_t n = 2; n < 15; ++n) CHECK_MESSAGE(cut_error(step, n) == mqtt_errc::truncated, n);
    CHECK_THROWS_AS(encode_to_bytes(a, protocol_level::v3_1_1), exception);
    // Type 15 is reserved at 3.1.1.
    CHECK(first_error(step) == mqtt_errc::reserved_packet_type);
}
