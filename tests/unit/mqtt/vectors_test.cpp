// Byte-exact vectors for all fourteen packets, written by hand from the OASIS MQTT 3.1.1 text:
// decode, check every field, re-encode to the same bytes, then walk the truncation ladder.
#include "unit/mqtt/wire.hpp"

using namespace wv::mqtt;
using namespace wv::mqtt::test;

namespace {

// A 3.1.1 decoder, named by pointer type so that the MQTT 5 overload (which takes a level) is not
// a candidate.
template <class P>
using decoder_3_1_1 = result<P> (*)(std::span<const std::byte>, std::uint8_t);

// Every proper prefix of a body whose fields are all mandatory is `truncated`.
template <class P>
void check_truncation_ladder(const frame& f, decoder_3_1_1<P> decode, std::size_t up_to) {
    for (std::size_t n = 0; n < up_to; ++n)
        CHECK_MESSAGE(decode(f.body.first(n), f.flags).error() == mqtt_errc::truncated, n);
}

}  // namespace

TEST_CASE("CONNECT: minimal, clean") {
    const auto wire = bytes({0x10, 0x0e,                      // CONNECT, remaining length 14
                             0x00, 0x04, 'M', 'Q', 'T', 'T',  // protocol name
                             0x04, 0x02,                      // level 4 (3.1.1), flags: clean
                             0x00, 0x3c,                      // keep-alive 60 s
                             0x00, 0x02, 'd', '1'});          // client id
    const auto f = whole_frame(wire);
    CHECK(f.type == packet_type::connect);
    const auto p = decode_connect(f.body, f.flags).value();
    CHECK(p.protocol_name == "MQTT");
    CHECK(p.protocol_level == 4);
    CHECK(p.clean_session);
    CHECK(p.keep_alive_s == 60);
    CHECK(p.client_id == "d1");
    CHECK_FALSE(p.will);
    CHECK_FALSE(p.user_name);
    CHECK_FALSE(p.password);
    CHECK(encode_to_bytes(p) == wire);
    CHECK(encode_to_bytes(connect{.keep_alive_s = 60, .client_id = "d1"}) == wire);
    check_truncation_ladder(f, decode_connect, f.body.size());
}

TEST_CASE("CONNECT: will, user name and password, persistent session") {
    const auto wire = bytes({0x10, 0x1e,                      // CONNECT, remaining length 30
                             0x00, 0x04, 'M', 'Q', 'T', 'T',  // protocol name
                             0x04,                            // level 4
                             0xec,                            // user name, password, will retain,
                                                              // will QoS 1, will flag; not clean
                             0x01, 0x2c,                      // keep-alive 300 s
                             0x00, 0x02, 'd', '1',            // client id
                             0x00, 0x03, 'a', '/', 'b',       // will topic
                             0x00, 0x02, 0x00, 0xff,          // will message (binary)
                             0x00, 0x01, 'u',                 // user name
                             0x00, 0x02, 'p', 0x00});         // password (binary, may hold 0x00)
    const auto f = whole_frame(wire);
    const auto p = decode_connect(f.body, f.flags).value();
    CHECK_FALSE(p.clean_session);
    CHECK(p.keep_alive_s == 300);
    CHECK(p.client_id == "d1");
    REQUIRE(p.will);
    CHECK(p.will->topic == "a/b");
    CHECK(same(p.will->message, std::string_view("\x00\xff", 2)));
    CHECK(p.will->qos == qos::at_least_once);
    CHECK(p.will->retain);
    CHECK(p.user_name == "u");
    REQUIRE(p.password);
    CHECK(same(*p.password, std::string_view("p\0", 2)));
    CHECK(encode_to_bytes(p) == wire);
    check_truncation_ladder(f, decode_connect, f.body.size());
}

TEST_CASE("CONNECT: empty client id with clean session, will QoS 2, user name only") {
    const auto wire = bytes({0x10, 0x14,                      // CONNECT, remaining length 20
                             0x00, 0x04, 'M', 'Q', 'T', 'T',  // protocol name
                             0x04, 0x96,                      // level 4; user name, will QoS 2,
                                                              // will flag, clean
                             0x00, 0x00,                      // keep-alive off
                             0x00, 0x00,                      // client id "" (server assigns)
                             0x00, 0x01, 'w',                 // will topic
                             0x00, 0x00,                      // empty will message
                             0x00, 0x01, 'u'});               // user name
    const auto f = whole_frame(wire);
    const auto p = decode_connect(f.body, f.flags).value();
    CHECK(p.client_id.empty());
    CHECK(p.keep_alive_s == 0);
    REQUIRE(p.will);
    CHECK(p.will->qos == qos::exactly_once);
    CHECK_FALSE(p.will->retain);
    CHECK(p.will->message.empty());
    CHECK(p.user_name == "u");
    CHECK_FALSE(p.password);
    CHECK(encode_to_bytes(p) == wire);
    check_truncation_ladder(f, decode_connect, f.body.size());
}

TEST_CASE("CONNACK: every return code, session present") {
    for (int code = 0; code <= 5; ++code) {
        CAPTURE(code);
        const auto wire = bytes({0x20, 0x02,   // CONNACK, remaining length 2
                                 0x00,         // acknowledge flags: no session present
                                 code});       // return code
        const auto f = whole_frame(wire);
        const auto p = decode_connack(f.body, f.flags).value();
        CHECK_FALSE(p.session_present);
        CHECK(p.code == static_cast<connack_code>(code));
        CHECK(encode_to_bytes(p) == wire);
        check_truncation_ladder(f, decode_connack, 2);
    }
    const auto wire = bytes({0x20, 0x02, 0x01, 0x00});  // session present, accepted
    const auto p = decode_connack(whole_frame(wire).body, 0).value();
    CHECK(p.session_present);
    CHECK(encode_to_bytes(connack{.session_present = true}) == wire);
}

TEST_CASE("PUBLISH: QoS 0, no packet id") {
    const auto wire = bytes({0x30, 0x0a,                       // PUBLISH, QoS 0, remaining length 10
                             0x00, 0x03, 'a', '/', 'b',        // topic name
                             'h', 'e', 'l', 'l', 'o'});        // payload: the rest
    const auto f = whole_frame(wire);
    const auto p = decode_publish(f.body, f.flags).value();
    CHECK(p.topic == "a/b");
    CHECK(same(p.payload, "hello"));
    CHECK(p.qos == qos::at_most_once);
    CHECK_FALSE(p.retain);
    CHECK_FALSE(p.dup);
    CHECK(p.packet_id == 0);
    CHECK(p.topic.data() == reinterpret_cast<const char*>(wire.data() + 4));  // views, no copies
    CHECK(p.payload.data() == wire.data() + 7);
    CHECK(encode_to_bytes(p) == wire);
    check_truncation_ladder(f, decode_publish, 5);
}

TEST_CASE("PUBLISH: QoS 1 with DUP and RETAIN, 60-byte payload") {
    const std::string payload(60, 'x');
    auto wire = bytes({0x3b,                                   // PUBLISH, DUP, QoS 1, RETAIN
                       0x46,                                   // remaining length 70
                       0x00, 0x06, 'd', '/', '1', '/', 'u', 'p',  // topic name
                       0x12, 0x34}) +                          // packet id 0x1234
                bytes(payload);                                // payload
    const auto f = whole_frame(wire);
    const auto p = decode_publish(f.body, f.flags).value();
    CHECK(p.topic == "d/1/up");
    CHECK(p.qos == qos::at_least_once);
    CHECK(p.dup);
    CHECK(p.retain);
    CHECK(p.packet_id == 0x1234);
    CHECK(same(p.payload, payload));
    CHECK(encode_to_bytes(p) == wire);
    check_truncation_ladder(f, decode_publish, 10);
}

TEST_CASE("PUBLISH: QoS 2, empty payload (clears a retained message)") {
    const auto wire = bytes({0x35,                   // PUBLISH, QoS 2, RETAIN
                             0x05,                   // remaining length 5
                             0x00, 0x01, 't',        // topic name
                             0xff, 0xff});           // packet id 65535; no payload
    const auto f = whole_frame(wire);
    const auto p = decode_publish(f.body, f.flags).value();
    CHECK(p.qos == qos::exactly_once);
    CHECK(p.packet_id == 0xffff);
    CHECK(p.payload.empty());
    CHECK(encode_to_bytes(p) == wire);
    check_truncation_ladder(f, decode_publish, 5);
}

template <class P>
void check_packet_id_only(const byte_buffer& wire, decoder_3_1_1<P> decode) {
    const auto f = whole_frame(wire);
    const auto p = decode(f.body, f.flags).value();
    CHECK(p.packet_id == 0x0102);
    CHECK(encode_to_bytes(p) == wire);
    check_truncation_ladder(f, decode, 2);
}

TEST_CASE("PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK: packet id only") {
    check_packet_id_only(bytes({0x40, 0x02, 0x01, 0x02}), decode_puback);    // PUBACK, length 2, id 258
    check_packet_id_only(bytes({0x50, 0x02, 0x01, 0x02}), decode_pubrec);    // PUBREC
    check_packet_id_only(bytes({0x62, 0x02, 0x01, 0x02}), decode_pubrel);    // PUBREL: flags 0010
    check_packet_id_only(bytes({0x70, 0x02, 0x01, 0x02}), decode_pubcomp);   // PUBCOMP
    check_packet_id_only(bytes({0xb0, 0x02, 0x01, 0x02}), decode_unsuback);  // UNSUBACK
}

TEST_CASE("SUBSCRIBE: three filters with QoS 0, 1, 2") {
    const auto wire = bytes({0x82, 0x12,                  // SUBSCRIBE (flags 0010), length 18
                             0x00, 0x0a,                  // packet id 10
                             0x00, 0x03, 'a', '/', 'b',   // filter "a/b"
                             0x00,                        //   QoS 0
                             0x00, 0x03, 'c', '/', '#',   // filter "c/#"
                             0x01,                        //   QoS 1
                             0x00, 0x01, '+',             // filter "+"
                             0x02});                      //   QoS 2
    const auto f = whole_frame(wire);
    const auto p = decode_subscribe(f.body, f.flags).value();
    CHECK(p.packet_id == 10);
    REQUIRE(p.subscriptions.size() == 3);
    CHECK(p.subscriptions[0].filter == "a/b");
    CHECK(p.subscriptions[0].qos == qos::at_most_once);
    CHECK(p.subscriptions[1].filter == "c/#");
    CHECK(p.subscriptions[1].qos == qos::at_least_once);
    CHECK(p.subscriptions[2].filter == "+");
    CHECK(p.subscriptions[2].qos == qos::exactly_once);
    CHECK(encode_to_bytes(p) == wire);
    // Cuts inside an entry are truncated; cuts between entries decode fewer subscriptions.
    for (std::size_t n = 0; n < f.body.size(); ++n) {
        CAPTURE(n);
        const auto r = decode_subscribe(f.body.first(n), f.flags);
        if (n == 2) CHECK(r.error() == mqtt_errc::subscribe_no_topics);
        else if (n == 8) CHECK(r->subscriptions.size() == 1);
        else if (n == 14) CHECK(r->subscriptions.size() == 2);
        else CHECK(r.error() == mqtt_errc::truncated);
    }
}

TEST_CASE("SUBACK: granted QoS 0, 1, 2 and failure") {
    const auto wire = bytes({0x90, 0x06,                  // SUBACK, remaining length 6
                             0x00, 0x0a,                  // packet id 10
                             0x00, 0x01, 0x02, 0x80});    // return codes
    const auto f = whole_frame(wire);
    const auto p = decode_suback(f.body, f.flags).value();
    CHECK(p.packet_id == 10);
    CHECK(p.return_codes == std::vector<suback_code>{suback_code::granted_qos0, suback_code::granted_qos1,
                                                     suback_code::granted_qos2, suback_code::failure});
    CHECK(encode_to_bytes(p) == wire);
    check_truncation_ladder(f, decode_suback, 2);
}

TEST_CASE("UNSUBSCRIBE: two filters") {
    const auto wire = bytes({0xa2, 0x0b,                  // UNSUBSCRIBE (flags 0010), length 11
                             0x00, 0x0b,                  // packet id 11
                             0x00, 0x03, 'a', '/', '+',   // filter "a/+"
                             0x00, 0x02, '/', '#'});      // filter "/#"
    const auto f = whole_frame(wire);
    const auto p = decode_unsubscribe(f.body, f.flags).value();
    CHECK(p.packet_id == 11);
    CHECK(p.filters == std::vector<std::string_view>{"a/+", "/#"});
    CHECK(encode_to_bytes(p) == wire);
    for (std::size_t n = 0; n < f.body.size(); ++n) {
        CAPTURE(n);
        const auto r = decode_unsubscribe(f.body.first(n), f.flags);
        if (n == 2) CHECK(r.error() == mqtt_errc::unsubscribe_no_topics);
        else if (n == 7) CHECK(r->filters.size() == 1);
        else CHECK(r.error() == mqtt_errc::truncated);
    }
}

TEST_CASE("PINGREQ, PINGRESP, DISCONNECT: two bytes each") {
    CHECK(encode_to_bytes(pingreq{}) == bytes({0xc0, 0x00}));
    CHECK(encode_to_bytes(pingresp{}) == bytes({0xd0, 0x00}));
    CHECK(encode_to_bytes(disconnect{}) == bytes({0xe0, 0x00}));
    CHECK(decode_pingreq(whole_frame(bytes({0xc0, 0x00})).body, 0));
    CHECK(decode_pingresp(whole_frame(bytes({0xd0, 0x00})).body, 0));
    CHECK(decode_disconnect(whole_frame(bytes({0xe0, 0x00})).body, 0));
}

TEST_CASE("decode_any and encode(packet) dispatch on the type") {
    const byte_buffer wires[] = {
        bytes({0x10, 0x0c, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x00, 0x00, 0x00}),
        bytes({0x20, 0x02, 0x00, 0x00}),
        bytes({0x30, 0x03, 0x00, 0x01, 't'}),
        bytes({0x40, 0x02, 0x00, 0x01}),
        bytes({0x50, 0x02, 0x00, 0x01}),
        bytes({0x62, 0x02, 0x00, 0x01}),
        bytes({0x70, 0x02, 0x00, 0x01}),
        bytes({0x82, 0x06, 0x00, 0x01, 0x00, 0x01, '#', 0x01}),
        bytes({0x90, 0x03, 0x00, 0x01, 0x01}),
        bytes({0xa2, 0x05, 0x00, 0x01, 0x00, 0x01, '#'}),
        bytes({0xb0, 0x02, 0x00, 0x01}),
        bytes({0xc0, 0x00}),
        bytes({0xd0, 0x00}),
        bytes({0xe0, 0x00}),
    };
    for (std::size_t i = 0; i < std::size(wires); ++i) {
        CAPTURE(i);
        const auto p = decode_any(whole_frame(wires[i])).value();
        CHECK(p.index() == i);
        CHECK(static_cast<std::size_t>(type_of(p)) == i + 1);
        CHECK(encode_to_bytes(p) == wires[i]);
    }
}

TEST_CASE("encode: appends after what the buffer already holds") {
    byte_buffer out = bytes({0xaa});
    encode(puback{.packet_id = 7}, out);
    encode(pingreq{}, out);
    CHECK(out == bytes({0xaa, 0x40, 0x02, 0x00, 0x07, 0xc0, 0x00}));
}

TEST_CASE("encode: values the wire cannot carry throw") {
    const std::string long_topic(65'536, 'a');
    byte_buffer out;
    CHECK_THROWS_AS(encode(publish{.topic = long_topic}, out), exception);
    CHECK(out.empty());  // sized before anything is written
    const std::string max_topic(65'535, 'a');
    CHECK_NOTHROW(encode(publish{.topic = max_topic}, out));
    CHECK(out.size() == 1 + 3 + 2 + 65'535);
    CHECK_THROWS_AS(encode(connect{.client_id = long_topic}, out), exception);
    try {
        encode(subscribe{.packet_id = 1, .subscriptions = {{.filter = long_topic}}}, out);
        FAIL("no throw");
    } catch (const exception& e) {
        CHECK(e.code() == mqtt_errc::string_too_long);
    }
}
