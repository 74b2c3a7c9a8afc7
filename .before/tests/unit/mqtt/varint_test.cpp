#include "unit/mqtt/wire.hpp"

#include "mqtt/varint.hpp"

using namespace wv::mqtt;
using namespace wv::mqtt::test;

TEST_CASE("varint: boundaries both ways (2.2.3 table 2.4)") {
    const struct {
        std::uint32_t value;
        byte_buffer wire;
    } table[] = {
        {0, bytes({0x00})},
        {127, bytes({0x7f})},
        {128, bytes({0x80, 0x01})},
        {16'383, bytes({0xff, 0x7f})},
        {16'384, bytes({0x80, 0x80, 0x01})},
        {2'097'151, bytes({0xff, 0xff, 0x7f})},
        {2'097'152, bytes({0x80, 0x80, 0x80, 0x01})},
        {268'435'455, bytes({0xff, 0xff, 0xff, 0x7f})},
    };
    for (const auto& row : table) {
        const auto value = row.value;
        const auto& wire = row.wire;
        CAPTURE(value);
        byte_buffer out(4);
        CHECK(encode_varint(value, out.data()) == wire.size());
        CHECK(varint_size(value) == wire.size());
        out.resize(wire.size());
        CHECK(out == wire);
        const auto r = decode_varint(wire);
        REQUIRE(std::holds_alternative<varint_value>(r));
        CHECK(std::get<varint_value>(r).value == value);
        CHECK(std::get<varint_value>(r).size == wire.size());
        // every proper prefix is incomplete, not an error
        for (std::size_t n = 0; n < wire.size(); ++n)
            CHECK(std::holds_alternative<varint_incomplete>(decode_varint(std::span{wire}.first(n))));
    }
}

TEST_CASE("varint: a fifth byte is remaining_length_too_long, known after the fourth") {
    const auto four = bytes({0xff, 0xff, 0xff, 0xff});
    const auto r = decode_varint(four);
    REQUIRE(std::holds_alternative<std::error_code>(r));
    CHECK(std::get<std::error_code>(r) == mqtt_errc::remaining_length_too_long);
    CHECK(first_error(bytes({0x30, 0xff, 0xff, 0xff, 0xff, 0x01})) == mqtt_errc::remaining_length_too_long);
}

TEST_CASE("varint: non-minimal forms decode (3.1.1 does not forbid them)") {
    const auto r = decode_varint(bytes({0x80, 0x00}));
    REQUIRE(std::holds_alternative<varint_value>(r));
    CHECK(std::get<varint_value>(r).value == 0);
    CHECK(first_error(bytes({0xc0, 0x80, 0x00})) == std::error_code{});  // PINGREQ, length 0 in 2 bytes
}

TEST_CASE("varint: read_frame over every boundary length") {
    const limits huge{.max_packet_bytes = max_remaining_length + 5};
    for (const std::uint32_t rl : {127u, 128u, 16'383u, 16'384u, 2'097'151u, 2'097'152u, 268'435'455u}) {
        CAPTURE(rl);
        byte_buffer head{std::byte{0x30}};
        head.resize(1 + varint_size(rl));
        encode_varint(rl, head.data() + 1);
        const auto r = read_frame(head, huge);
        REQUIRE(std::holds_alternative<need_more>(r));
        CHECK(std::get<need_more>(r).at_least == head.size() + rl);
    }
}

TEST_CASE("varint: the encoder picks the shortest length form") {
    const std::string payload(125, 'x');
    publish p{.topic = "t", .payload = as_bytes(std::string_view(payload).substr(0, 124))};
    auto wire = encode_to_bytes(p);  // remaining length 3 + 124 = 127: one byte
    CHECK(wire[1] == std::byte{0x7f});
    CHECK(wire.size() == 2 + 127);
    p.payload = as_bytes(payload);   // 128: two bytes
    wire = encode_to_bytes(p);
    CHECK(wire[1] == std::byte{0x80});
    CHECK(wire[2] == std::byte{0x01});
    CHECK(wire.size() == 3 + 128);
}
