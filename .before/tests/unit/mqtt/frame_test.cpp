#include "unit/mqtt/wire.hpp"

#include "mqtt/varint.hpp"

using namespace wv::mqtt;
using namespace wv::mqtt::test;

TEST_CASE("read_frame: need_more tells how many bytes the packet needs in total") {
    const auto wire = bytes({0x30, 0x05, 0x00, 0x01, 't', 'h', 'i'});  // PUBLISH "t" "hi"
    const auto r0 = read_frame(std::span{wire}.first(0));
    REQUIRE(std::holds_alternative<need_more>(r0));
    CHECK(std::get<need_more>(r0).at_least == 2);
    const auto r1 = read_frame(std::span{wire}.first(1));
    CHECK(std::get<need_more>(r1).at_least == 2);
    for (std::size_t n = 2; n < wire.size(); ++n)
        CHECK(std::get<need_more>(read_frame(std::span{wire}.first(n))).at_least == wire.size());
    const auto f = whole_frame(wire);
    CHECK(f.type == packet_type::publish);
    CHECK(f.flags == 0);
    CHECK(f.body.size() == 5);
    CHECK(f.body.data() == wire.data() + 2);  // a view, not a copy
}

TEST_CASE("read_frame: only the first packet is consumed") {
    const auto wire = bytes({0xc0, 0x00, 0xd0, 0x00});
    CHECK(whole_frame(bytes({0xc0, 0x00})).type == packet_type::pingreq);
    const auto r = read_frame(wire);
    CHECK(std::get<frame>(r).consumed == 2);
}

TEST_CASE("read_frame: the first byte alone is enough to reject a bad type or flags") {
    CHECK(std::get<std::error_code>(read_frame(bytes({0x00}))) == mqtt_errc::reserved_packet_type);
    CHECK(std::get<std::error_code>(read_frame(bytes({0xf0}))) == mqtt_errc::reserved_packet_type);
    CHECK(std::get<std::error_code>(read_frame(bytes({0xc1}))) == mqtt_errc::reserved_flags);
    CHECK(std::get<std::error_code>(read_frame(bytes({0x36}))) == mqtt_errc::invalid_qos);
    CHECK(std::get<std::error_code>(read_frame(bytes({0x80}))) == mqtt_errc::reserved_flags);
}

TEST_CASE("read_frame: oversize packets are refused from the header, before the body arrives") {
    const limits lim{.max_packet_bytes = 100};
    // PUBLISH with remaining length 98: 1 + 1 + 98 = 100 bytes, exactly the limit
    CHECK(std::get<need_more>(read_frame(bytes({0x30, 0x62}), lim)).at_least == 100);
    // remaining length 99: 101 bytes
    CHECK(std::get<std::error_code>(read_frame(bytes({0x30, 0x63}), lim)) == mqtt_errc::packet_too_large);
    // 268 MB announced to the default limit
    CHECK(std::get<std::error_code>(read_frame(bytes({0x30, 0xff, 0xff, 0xff, 0x7f}))) ==
          mqtt_errc::packet_too_large);
    // the default admits a 128 KiB payload on a 256-byte topic with a packet id
    const std::size_t rl = 2 + 256 + 2 + 128 * 1024;
    byte_buffer head{std::byte{0x32}};
    head.resize(1 + varint_size(static_cast<std::uint32_t>(rl)));
    encode_varint(static_cast<std::uint32_t>(rl), head.data() + 1);
    CHECK(std::get<need_more>(read_frame(head)).at_least == head.size() + rl);
}

TEST_CASE("read_frame: fixed-size packets with another remaining length") {
    for (const int first : {0x20, 0x40, 0x50, 0x62, 0x70, 0xb0}) {
        CAPTURE(first);
        CHECK(first_error(bytes({first, 0x03, 0x00, 0x01, 0x00})) == mqtt_errc::bad_remaining_length);
        CHECK(first_error(bytes({first, 0x01, 0x00})) == mqtt_errc::bad_remaining_length);
        CHECK(first_error(bytes({first, 0x00})) == mqtt_errc::bad_remaining_length);
    }
    for (const int first : {0xc0, 0xd0, 0xe0}) {
        CAPTURE(first);
        CHECK(first_error(bytes({first, 0x01, 0x00})) == mqtt_errc::bad_remaining_length);
    }
}

TEST_CASE("errors: every value has a message and the category is named") {
    CHECK(std::string(mqtt_category().name()) == "mqtt");
    for (int v = 1; v <= static_cast<int>(mqtt_errc::string_too_long); ++v) {
        const auto m = make_error_code(static_cast<mqtt_errc>(v)).message();
        CHECK_MESSAGE(m.find("unknown") == std::string::npos, v);
    }
    std::error_code e = mqtt_errc::truncated;
    CHECK(e == mqtt_errc::truncated);
    CHECK(e.category() == mqtt_category());
    CHECK(to_string(packet_type::unsuback) == "UNSUBACK");
}

TEST_CASE("result: value() on an error throws mqtt::exception carrying the code") {
    const auto r = decode_puback(bytes({0x00}), 0);
    CHECK_FALSE(r);
    CHECK(r.error() == mqtt_errc::truncated);
    try {
        (void)r.value();
        FAIL("no throw");
    } catch (const exception& e) {
        CHECK(e.code() == mqtt_errc::truncated);
    }
    const auto ok = decode_puback(bytes({0x00, 0x09}), 0);
    CHECK_FALSE(ok.error());
    CHECK(ok->packet_id == 9);
}
