// Every MQTT 3.1.1 MUST that input can break, fed as raw bytes, with the error it must produce.
#include "unit/mqtt/wire.hpp"

#include "mqtt/varint.hpp"

using namespace wv::mqtt;
using namespace wv::mqtt::test;

namespace {

// A CONNECT with the given flags byte and fields after the client id.
byte_buffer connect_with(int flags, std::string_view client_id, const byte_buffer& rest = {},
                         std::string_view name = "MQTT", int level = 4) {
    const byte_buffer body = bytes({0x00, static_cast<int>(name.size())}) + bytes(name) +
                             bytes({level, flags, 0x00, 0x3c, 0x00, static_cast<int>(client_id.size())}) +
                             bytes(client_id) + rest;
    byte_buffer head(5);
    head[0] = std::byte{0x10};
    head.resize(1 + encode_varint(static_cast<std::uint32_t>(body.size()), head.data() + 1));
    return head + body;
}

struct violation {
    const char* rule;
    byte_buffer wire;
    mqtt_errc expected;
};

}  // namespace

TEST_CASE("violations: each raw packet fails with its named error") {
    const violation table[] = {
        // Fixed header (2.2)
        {"type 0", bytes({0x00, 0x00}), mqtt_errc::reserved_packet_type},
        {"type 15", bytes({0xf0, 0x00}), mqtt_errc::reserved_packet_type},
        {"CONNECT flags", bytes({0x11, 0x00}), mqtt_errc::reserved_flags},
        {"CONNACK flags", bytes({0x28, 0x02, 0x00, 0x00}), mqtt_errc::reserved_flags},
        {"PUBACK flags", bytes({0x42, 0x02, 0x00, 0x01}), mqtt_errc::reserved_flags},
        {"PUBREC flags", bytes({0x51, 0x02, 0x00, 0x01}), mqtt_errc::reserved_flags},
        {"PUBREL flags 0000 [MQTT-3.6.1-1]", bytes({0x60, 0x02, 0x00, 0x01}), mqtt_errc::reserved_flags},
        {"PUBCOMP flags", bytes({0x74, 0x02, 0x00, 0x01}), mqtt_errc::reserved_flags},
        {"SUBSCRIBE flags 0000 [MQTT-3.8.1-1]", bytes({0x80, 0x06, 0x00, 0x01, 0x00, 0x01, 'a', 0x00}),
         mqtt_errc::reserved_flags},
        {"SUBSCRIBE flags 0011", bytes({0x83, 0x06, 0x00, 0x01, 0x00, 0x01, 'a', 0x00}), mqtt_errc::reserved_flags},
        {"SUBACK flags", bytes({0x92, 0x03, 0x00, 0x01, 0x00}), mqtt_errc::reserved_flags},
        {"UNSUBSCRIBE flags 0000 [MQTT-3.10.1-1]", bytes({0xa0, 0x05, 0x00, 0x01, 0x00, 0x01, 'a'}),
         mqtt_errc::reserved_flags},
        {"UNSUBACK flags", bytes({0xb8, 0x02, 0x00, 0x01}), mqtt_errc::reserved_flags},
        {"PINGREQ flags", bytes({0xc2, 0x00}), mqtt_errc::reserved_flags},
        {"PINGRESP flags", bytes({0xdf, 0x00}), mqtt_errc::reserved_flags},
        {"DISCONNECT flags", bytes({0xe1, 0x00}), mqtt_errc::reserved_flags},
        {"remaining length 5 bytes", bytes({0x30, 0x80, 0x80, 0x80, 0x80, 0x01}),
         mqtt_errc::remaining_length_too_long},
        {"PINGREQ with a body", bytes({0xc0, 0x01, 0x00}), mqtt_errc::bad_remaining_length},
        // CONNECT (3.1)
        {"protocol name MQTX [MQTT-3.1.2-1]", connect_with(0x02, "d1", {}, "MQTX"), mqtt_errc::bad_protocol_name},
        {"protocol name mqtt", connect_with(0x02, "d1", {}, "mqtt"), mqtt_errc::bad_protocol_name},
        {"protocol name empty", connect_with(0x02, "d1", {}, ""), mqtt_errc::bad_protocol_name},
        {"level 3 with MQTT [MQTT-3.1.2-2]", connect_with(0x02, "d1", {}, "MQTT", 3),
         mqtt_errc::unacceptable_protocol_level},
        {"level 5 (MQTT 5)", connect_with(0x02, "d1", {}, "MQTT", 5), mqtt_errc::unacceptable_protocol_level},
        {"level 0", connect_with(0x02, "d1", {}, "MQTT", 0), mqtt_errc::unacceptable_protocol_level},
        {"MQTT 3.1: MQIsdp level 3", connect_with(0x02, "d1", {}, "MQIsdp", 3),
         mqtt_errc::unacceptable_protocol_level},
        // An MQTT 5 CONNECT carries a properties length after keep-alive: still reported as level.
        {"MQTT 5 with properties", connect_with(0x02, "", bytes({0x00}), "MQTT", 5),
         mqtt_errc::unacceptable_protocol_level},
        {"reserved flag [MQTT-3.1.2-3]", connect_with(0x03, "d1"), mqtt_errc::connect_reserved_flag},
        {"will QoS 1 without will [MQTT-3.1.2-13]", connect_with(0x0a, "d1"), mqtt_errc::will_qos_without_will},
        {"will QoS 2 without will", connect_with(0x12, "d1"), mqtt_errc::will_qos_without_will},
        {"will QoS 3 [MQTT-3.1.2-14]", connect_with(0x1e, "d1", bytes({0x00, 0x01, 'w', 0x00, 0x00})),
         mqtt_errc::invalid_will_qos},
        {"will retain without will [MQTT-3.1.2-15]", connect_with(0x22, "d1"), mqtt_errc::will_retain_without_will},
        {"password without user name [MQTT-3.1.2-22]", connect_with(0x42, "d1", bytes({0x00, 0x01, 'p'})),
         mqtt_errc::password_without_user_name},
        {"empty client id, persistent session [MQTT-3.1.3-8]", connect_with(0x00, ""),
         mqtt_errc::empty_client_id_without_clean_session},
        {"will topic empty", connect_with(0x06, "d1", bytes({0x00, 0x00, 0x00, 0x00})), mqtt_errc::empty_topic_name},
        {"will topic with wildcard", connect_with(0x06, "d1", bytes({0x00, 0x01, '#', 0x00, 0x00})),
         mqtt_errc::wildcard_in_topic_name},
        {"user name flag, no user name", connect_with(0x82, "d1"), mqtt_errc::truncated},
        {"will flag, no will", connect_with(0x06, "d1"), mqtt_errc::truncated},
        {"user name present, flag 0 [MQTT-3.1.2-18]", connect_with(0x02, "d1", bytes({0x00, 0x01, 'u'})),
         mqtt_errc::trailing_bytes},
        {"client id length past the end",
         bytes({0x10, 0x0d, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3c, 0x00, 0x05, 'd'}),
         mqtt_errc::truncated},
        // CONNACK (3.2)
        {"CONNACK flags bits 7-1", bytes({0x20, 0x02, 0x02, 0x00}), mqtt_errc::connack_reserved_flags},
        {"CONNACK code 6", bytes({0x20, 0x02, 0x00, 0x06}), mqtt_errc::connack_invalid_return_code},
        {"CONNACK session present with code 5 [MQTT-3.2.2-4]", bytes({0x20, 0x02, 0x01, 0x05}),
         mqtt_errc::connack_session_present_with_error},
        // PUBLISH (3.3)
        {"QoS 3 [MQTT-3.3.1-4]", bytes({0x36, 0x05, 0x00, 0x01, 't', 0x00, 0x01}), mqtt_errc::invalid_qos},
        {"DUP with QoS 0 [MQTT-3.3.1-2]", bytes({0x38, 0x03, 0x00, 0x01, 't'}), mqtt_errc::dup_with_qos0},
        {"empty topic [MQTT-4.7.3-1]", bytes({0x30, 0x02, 0x00, 0x00}), mqtt_errc::empty_topic_name},
        {"'+' in topic name [MQTT-3.3.2-2]", bytes({0x30, 0x05, 0x00, 0x03, 'a', '/', '+'}),
         mqtt_errc::wildcard_in_topic_name},
        {"'#' in topic name", bytes({0x30, 0x03, 0x00, 0x01, '#'}), mqtt_errc::wildcard_in_topic_name},
        {"QoS 1 packet id 0 [MQTT-2.3.1-1]", bytes({0x32, 0x05, 0x00, 0x01, 't', 0x00, 0x00}),
         mqtt_errc::zero_packet_id},
        {"QoS 2 packet id 0", bytes({0x34, 0x05, 0x00, 0x01, 't', 0x00, 0x00}), mqtt_errc::zero_packet_id},
        {"QoS 1 without packet id", bytes({0x32, 0x03, 0x00, 0x01, 't'}), mqtt_errc::truncated},
        {"topic length past the end", bytes({0x30, 0x03, 0x00, 0x05, 't'}), mqtt_errc::truncated},
        {"remaining length 1", bytes({0x30, 0x01, 0x00}), mqtt_errc::truncated},
        // Acknowledgements (3.4 - 3.7, 3.11)
        {"PUBACK id 0", bytes({0x40, 0x02, 0x00, 0x00}), mqtt_errc::zero_packet_id},
        {"PUBREC id 0", bytes({0x50, 0x02, 0x00, 0x00}), mqtt_errc::zero_packet_id},
        {"PUBREL id 0", bytes({0x62, 0x02, 0x00, 0x00}), mqtt_errc::zero_packet_id},
        {"PUBCOMP id 0", bytes({0x70, 0x02, 0x00, 0x00}), mqtt_errc::zero_packet_id},
        {"UNSUBACK id 0", bytes({0xb0, 0x02, 0x00, 0x00}), mqtt_errc::zero_packet_id},
        // SUBSCRIBE (3.8)
        {"SUBSCRIBE id 0", bytes({0x82, 0x06, 0x00, 0x00, 0x00, 0x01, 'a', 0x00}), mqtt_errc::zero_packet_id},
        {"SUBSCRIBE no topics [MQTT-3.8.3-3]", bytes({0x82, 0x02, 0x00, 0x01}), mqtt_errc::subscribe_no_topics},
        {"SUBSCRIBE QoS 3 [MQTT-3.8.3-4]", bytes({0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 'a', 0x03}),
         mqtt_errc::subscribe_invalid_qos},
        {"SUBSCRIBE reserved bits [MQTT-3.8.3-4]", bytes({0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 'a', 0x04}),
         mqtt_errc::subscribe_reserved_bits},
        {"SUBSCRIBE reserved bit 7", bytes({0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 'a', 0x81}),
         mqtt_errc::subscribe_reserved_bits},
        {"SUBSCRIBE empty filter", bytes({0x82, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00}), mqtt_errc::empty_topic_filter},
        {"SUBSCRIBE 'a#' [MQTT-4.7.1-2]", bytes({0x82, 0x07, 0x00, 0x01, 0x00, 0x02, 'a', '#', 0x00}),
         mqtt_errc::misplaced_multi_level_wildcard},
        {"SUBSCRIBE '#/a'", bytes({0x82, 0x08, 0x00, 0x01, 0x00, 0x03, '#', '/', 'a', 0x00}),
         mqtt_errc::misplaced_multi_level_wildcard},
        {"SUBSCRIBE 'a+' [MQTT-4.7.1-3]", bytes({0x82, 0x07, 0x00, 0x01, 0x00, 0x02, 'a', '+', 0x00}),
         mqtt_errc::misplaced_single_level_wildcard},
        {"SUBSCRIBE filter without QoS byte", bytes({0x82, 0x05, 0x00, 0x01, 0x00, 0x01, 'a'}),
         mqtt_errc::truncated},
        // SUBACK (3.9)
        {"SUBACK id 0", bytes({0x90, 0x03, 0x00, 0x00, 0x00}), mqtt_errc::zero_packet_id},
        {"SUBACK no return codes", bytes({0x90, 0x02, 0x00, 0x01}), mqtt_errc::suback_no_return_codes},
        {"SUBACK code 3", bytes({0x90, 0x03, 0x00, 0x01, 0x03}), mqtt_errc::suback_invalid_return_code},
        {"SUBACK code 0x81", bytes({0x90, 0x03, 0x00, 0x01, 0x81}), mqtt_errc::suback_invalid_return_code},
        // UNSUBSCRIBE (3.10)
        {"UNSUBSCRIBE id 0", bytes({0xa2, 0x05, 0x00, 0x00, 0x00, 0x01, 'a'}), mqtt_errc::zero_packet_id},
        {"UNSUBSCRIBE no topics [MQTT-3.10.3-2]", bytes({0xa2, 0x02, 0x00, 0x01}),
         mqtt_errc::unsubscribe_no_topics},
        {"UNSUBSCRIBE '+a'", bytes({0xa2, 0x06, 0x00, 0x01, 0x00, 0x02, '+', 'a'}),
         mqtt_errc::misplaced_single_level_wildcard},
        {"UNSUBSCRIBE empty filter", bytes({0xa2, 0x04, 0x00, 0x01, 0x00, 0x00}), mqtt_errc::empty_topic_filter},
    };
    for (const auto& row : table) {
        CAPTURE(row.rule);
        CHECK(first_error(row.wire) == row.expected);
    }
}

TEST_CASE("violations: trailing bytes after the last field") {
    // CONNECT minimal plus one byte
    CHECK(first_error(connect_with(0x02, "d1", bytes({0x00}))) == mqtt_errc::trailing_bytes);
    // fixed-size bodies are caught by read_frame; their decoders catch it too
    CHECK(decode_puback(bytes({0x00, 0x01, 0x00}), 0).error() == mqtt_errc::trailing_bytes);
    CHECK(decode_connack(bytes({0x00, 0x00, 0x00}), 0).error() == mqtt_errc::trailing_bytes);
    CHECK(decode_pingreq(bytes({0x00}), 0).error() == mqtt_errc::trailing_bytes);
    CHECK(decode_disconnect(bytes({0x00}), 0).error() == mqtt_errc::trailing_bytes);
}

TEST_CASE("violations: the CONNECT errors a server answers with a CONNACK first") {
    CHECK(connack_code_for(mqtt_errc::unacceptable_protocol_level) == connack_code::unacceptable_protocol_version);
    CHECK(connack_code_for(mqtt_errc::empty_client_id_without_clean_session) == connack_code::identifier_rejected);
    CHECK_FALSE(connack_code_for(mqtt_errc::bad_protocol_name));
    CHECK_FALSE(connack_code_for(mqtt_errc::truncated));
    CHECK_FALSE(connack_code_for(std::error_code{}));
    // A malformed CONNECT with an empty client id is just malformed: no CONNACK 2.
    CHECK(first_error(connect_with(0x00, "", bytes({0x00}))) == mqtt_errc::trailing_bytes);
}

TEST_CASE("violations: client ids beyond the 23-character minimum are accepted (MAY, 3.1.3.1)") {
    const std::string long_id(200, 'z');
    CHECK_FALSE(first_error(connect_with(0x02, long_id)));
    CHECK_FALSE(first_error(connect_with(0x02, "wavelet-\xc3\xa9/+#")));
}
