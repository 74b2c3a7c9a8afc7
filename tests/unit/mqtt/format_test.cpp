#include "unit/mqtt/wire.hpp"

#include <sstream>

#include "mqtt/packet_format.hpp"

using namespace wv::mqtt;

namespace {

template <class P>
std::string text(const P& p) {
    std::ostringstream os;
    os << p;
    return os.str();
}

}  // namespace

TEST_CASE("format: passwords are masked, payloads are counted, strings escaped") {
    const connect c{.keep_alive_s = 60,
                    .client_id = "d1",
                    .will = last_will{.topic = "a/b", .message = as_bytes("xy"), .qos = qos::at_least_once},
                    .user_name = "u\n",
                    .password = as_bytes("hunter2")};
    const auto s = text(c);
    CHECK(s == "CONNECT{client_id=\"d1\" clean_session=1 keep_alive_s=60 user_name=\"u\\x0a\" password=***** "
               "will={topic=\"a/b\" qos=1 retain=0 message=2B}}");
    CHECK(s.find("hunter2") == std::string::npos);
    CHECK(text(publish{.topic = "t", .payload = as_bytes("hello"), .qos = qos::at_least_once, .packet_id = 7}) ==
          "PUBLISH{topic=\"t\" qos=1 packet_id=7 retain=0 dup=0 payload=5B}");
    CHECK(text(packet{subscribe{.packet_id = 3, .subscriptions = {{"a/#", qos::exactly_once}}}}) ==
          "SUBSCRIBE{packet_id=3 \"a/#\":qos2}");
    CHECK(text(packet{suback{.packet_id = 3, .return_codes = {suback_code::granted_qos1, suback_code::failure}}}) ==
          "SUBACK{packet_id=3 codes=1,128}");
    CHECK(text(packet{puback{.packet_id = 9}}) == "PUBACK{packet_id=9}");
    CHECK(text(packet{pingreq{}}) == "PINGREQ{}");
}

TEST_CASE("format: MQTT 5 reason codes and properties by name, authentication data masked") {
    property_builder denied;
    denied.add(property_id::reason_string, std::string_view("no\n"));
    CHECK(text(puback{.packet_id = 9, .reason = reason_code::not_authorized, .properties = denied.view()}) ==
          "PUBACK{packet_id=9 reason=0x87 props={reason_string=\"no\\x0a\"}}");
    property_builder login;
    login.add(property_id::authentication_method, std::string_view("SCRAM"))
        .add(property_id::authentication_data, as_bytes("secret"))
        .add(property_id::receive_maximum, 20)
        .add_user_property("k", "v");
    const connect c{.protocol_level = 5, .client_id = "d1", .properties = login.view()};
    const auto s = text(c);
    CHECK(s == "CONNECT{client_id=\"d1\" clean_session=1 keep_alive_s=0 protocol=\"MQTT\"/5 "
               "props={authentication_method=\"SCRAM\" authentication_data=***** receive_maximum=20 "
               "user_property=\"k\":\"v\"}}");
    CHECK(s.find("secret") == std::string::npos);
    CHECK(text(packet{disconnect{.reason = reason_code::session_taken_over}}) == "DISCONNECT{reason=0x8e}");
    CHECK(text(packet{auth{}}) == "AUTH{reason=0x00}");
    CHECK(text(packet{suback{.packet_id = 3, .reason_codes = {reason_code::granted_qos1, reason_code::not_authorized}}}) ==
          "SUBACK{packet_id=3 codes=0x01,0x87}");
}
