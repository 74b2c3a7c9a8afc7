#include "unit/mqtt/wire.hpp"

#include <algorithm>
#include <vector>

using namespace wv::mqtt;
using namespace wv::mqtt::test;

namespace {

const byte_buffer connect_wire = bytes({0x10, 0x0e, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3c,
                                        0x00, 0x02, 'd', '1'});
const byte_buffer publish_wire =
    bytes({0x32, 0x0c, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x01, 'h', 'e', 'l', 'l', 'o'});

struct collected {
    std::vector<byte_buffer> packets;   // each frame decoded and re-encoded
    std::error_code error;
    std::size_t max_buffered = 0;
};

// Feeds the chunks in order, draining the decoder after each; stops at the first error.
collected run(stream_decoder& dec, const std::vector<std::span<const std::byte>>& chunks) {
    collected c;
    for (const auto chunk : chunks) {
        dec.feed(chunk);
        for (;;) {
            auto r = dec.next();
            c.max_buffered = std::max(c.max_buffered, dec.buffered());
            if (std::holds_alternative<need_more>(r)) break;
            if (const auto* e = std::get_if<std::error_code>(&r)) {
                c.error = *e;
                return c;
            }
            c.packets.push_back(encode_to_bytes(decode_any(std::get<frame>(r)).value()));
        }
    }
    return c;
}

std::vector<std::span<const std::byte>> one_byte_chunks(const byte_buffer& b) {
    std::vector<std::span<const std::byte>> chunks;
    for (std::size_t i = 0; i < b.size(); ++i) chunks.push_back(std::span{b}.subspan(i, 1));
    return chunks;
}

}  // namespace

TEST_CASE("stream_decoder: every split point of a CONNECT + PUBLISH stream") {
    const auto stream = connect_wire + publish_wire;
    const std::span<const std::byte> s{stream};
    for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
        CAPTURE(cut);
        stream_decoder dec;
        const auto c = run(dec, {s.first(cut), s.subspan(cut)});
        CHECK_FALSE(c.error);
        REQUIRE(c.packets.size() == 2);
        CHECK(c.packets[0] == connect_wire);
        CHECK(c.packets[1] == publish_wire);
        CHECK(dec.buffered() == 0);
    }
}

TEST_CASE("stream_decoder: every pair of split points (three chunks)") {
    const auto stream = connect_wire + publish_wire + bytes({0xc0, 0x00});
    const std::span<const std::byte> s{stream};
    for (std::size_t a = 0; a <= stream.size(); ++a)
        for (std::size_t b = a; b <= stream.size(); ++b) {
            stream_decoder dec;
            const auto c = run(dec, {s.first(a), s.subspan(a, b - a), s.subspan(b)});
            REQUIRE(c.packets.size() == 3);
            CHECK(c.packets[1] == publish_wire);
        }
}

TEST_CASE("stream_decoder: one byte at a time") {
    const auto stream = connect_wire + publish_wire + connect_wire;
    stream_decoder dec;
    const auto c = run(dec, one_byte_chunks(stream));
    CHECK_FALSE(c.error);
    REQUIRE(c.packets.size() == 3);
    CHECK(c.packets[2] == connect_wire);
    CHECK(c.max_buffered <= connect_wire.size());
}

TEST_CASE("stream_decoder: whole packets in a chunk are views of the chunk, nothing buffered") {
    const auto stream = publish_wire + publish_wire;
    stream_decoder dec;
    dec.feed(stream);
    const auto r1 = dec.next();
    REQUIRE(std::holds_alternative<frame>(r1));
    CHECK(std::get<frame>(r1).body.data() == stream.data() + 2);
    const auto r2 = dec.next();
    CHECK(std::get<frame>(r2).body.data() == stream.data() + publish_wire.size() + 2);
    CHECK(std::holds_alternative<need_more>(dec.next()));
    CHECK(dec.buffered() == 0);
}

TEST_CASE("stream_decoder: need_more counts the pending packet's bytes") {
    stream_decoder dec;
    dec.feed(std::span{publish_wire}.first(5));
    const auto r = dec.next();
    REQUIRE(std::holds_alternative<need_more>(r));
    CHECK(std::get<need_more>(r).at_least == publish_wire.size());
    CHECK(dec.buffered() == 5);
}

TEST_CASE("stream_decoder: an oversize packet is refused at its header, nothing buffered beyond it") {
    const limits lim{.max_packet_bytes = 1000};
    // PUBLISH announcing 268,435,455 bytes, dribbled one byte at a time
    const auto wire = bytes({0x30, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x01, 't'});
    stream_decoder dec{lim};
    const auto c = run(dec, one_byte_chunks(wire));
    CHECK(c.error == mqtt_errc::packet_too_large);
    CHECK(c.max_buffered <= 5);  // the fixed header only

    // exactly at the limit passes, one byte over fails
    byte_buffer at_limit = bytes({0x30, 0xe5, 0x07, 0x00, 0x01, 't'});  // remaining length 997: 1000 total
    at_limit.resize(1000, std::byte{'x'});
    stream_decoder ok{lim};
    const auto c2 = run(ok, {std::span{at_limit}.first(500), std::span{at_limit}.subspan(500)});
    CHECK_FALSE(c2.error);
    CHECK(c2.packets.size() == 1);
    CHECK(c2.max_buffered == 1000);
    auto over = at_limit;
    over[1] = std::byte{0xe6};
    over.push_back(std::byte{'x'});
    stream_decoder bad{lim};
    CHECK(run(bad, {over}).error == mqtt_errc::packet_too_large);
}

TEST_CASE("stream_decoder: a large packet split in chunks is assembled, memory given back after") {
    const std::string payload(100'000, 'p');
    const auto wire = encode_to_bytes(publish{.topic = "big", .payload = as_bytes(payload)});
    std::vector<std::span<const std::byte>> chunks;
    for (std::size_t i = 0; i < wire.size(); i += 1460)
        chunks.push_back(std::span{wire}.subspan(i, std::min<std::size_t>(1460, wire.size() - i)));
    stream_decoder dec;
    const auto c = run(dec, chunks);
    REQUIRE(c.packets.size() == 1);
    CHECK(c.packets[0] == wire);
    CHECK(c.max_buffered == wire.size());
    dec.feed(publish_wire);
    CHECK(std::holds_alternative<frame>(dec.next()));
    CHECK(dec.buffered() == 0);
}

TEST_CASE("stream_decoder: errors are sticky") {
    stream_decoder dec;
    const auto garbage = bytes({0xf0, 0x00});
    dec.feed(garbage);
    CHECK(std::get<std::error_code>(dec.next()) == mqtt_errc::reserved_packet_type);
    CHECK(std::get<std::error_code>(dec.next()) == mqtt_errc::reserved_packet_type);
    dec.feed(publish_wire);  // ignored: the stream is over
    CHECK(std::get<std::error_code>(dec.next()) == mqtt_errc::reserved_packet_type);
}

TEST_CASE("stream_decoder: a malformed body is the caller's to decode; framing carries on") {
    // PUBLISH with a wildcard topic frames fine; decode_any reports it.
    const auto wire = bytes({0x30, 0x03, 0x00, 0x01, '#', 0xc0, 0x00});
    stream_decoder dec;
    dec.feed(wire);
    const auto r = dec.next();
    REQUIRE(std::holds_alternative<frame>(r));
    CHECK(decode_any(std::get<frame>(r)).error() == mqtt_errc::wildcard_in_topic_name);
    CHECK(std::get<frame>(dec.next()).type == packet_type::pingreq);
}
