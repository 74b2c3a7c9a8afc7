// The stream decoder at MQTT 5: the level a CONNECT carries takes effect for the packets after
// it, at every split point of the stream.
#include "unit/mqtt/wire.hpp"

#include <vector>

using namespace wv::mqtt;
using namespace wv::mqtt::test;

namespace {

// A v5 device session: CONNECT (level 5), SUBSCRIBE with options, PUBLISH with a topic alias,
// PUBACK with a reason code (Remaining Length 3: 3.1.1 framing refuses it), DISCONNECT 0x04
// (Remaining Length 1: likewise).
const byte_buffer session5 = bytes({
    0x10, 0x0f, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3c, 0x00, 0x00, 0x02, 'd', '1',
    0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, 'a', 0x2d,
    0x32, 0x09, 0x00, 0x01, 'a', 0x00, 0x02, 0x03, 0x23, 0x00, 0x01,
    0x40, 0x03, 0x00, 0x05, 0x10,
    0xe0, 0x01, 0x04});

struct seen_packets {
    std::vector<packet_type> types;
    std::vector<byte_buffer> reencoded;
    std::error_code error;
};

// What a server does: decode each frame at the decoder's level, accepting up to 5 in CONNECT,
// and switch the decoder to the level the CONNECT carried.
seen_packets serve(const std::vector<std::span<const std::byte>>& chunks) {
    stream_decoder dec;
    seen_packets s;
    for (const auto chunk : chunks) {
        dec.feed(chunk);
        for (;;) {
            auto r = dec.next();
            if (std::holds_alternative<need_more>(r)) break;
            if (const auto* e = std::get_if<std::error_code>(&r)) {
                s.error = *e;
                return s;
            }
            const auto& f = std::get<frame>(r);
            const auto level = f.type == packet_type::connect ? protocol_level::v5 : dec.level();
            auto p = decode_any(f, level);
            if (!p) {
                s.error = p.error();
                return s;
            }
            if (const auto* c = std::get_if<connect>(&*p))
                dec.set_protocol_level(static_cast<protocol_level>(c->protocol_level));
            s.types.push_back(type_of(*p));
            s.reencoded.push_back(encode_to_bytes(*p, dec.level()));
        }
    }
    return s;
}

}  // namespace

TEST_CASE("stream_decoder at 5: every split point of a v5 session, level taken from CONNECT") {
    const std::span<const std::byte> s{session5};
    for (std::size_t cut = 0; cut <= session5.size(); ++cut) {
        CAPTURE(cut);
        const auto seen = serve({s.first(cut), s.subspan(cut)});
        CHECK_FALSE(seen.error);
        CHECK(seen.types == std::vector<packet_type>{packet_type::connect, packet_type::subscribe, packet_type::publish,
                                                     packet_type::puback, packet_type::disconnect});
        byte_buffer all;
        for (const auto& b : seen.reencoded) all.insert(all.end(), b.begin(), b.end());
        CHECK(all == session5);
    }
}

TEST_CASE("stream_decoder at 5: one byte at a time") {
    std::vector<std::span<const std::byte>> chunks;
    for (std::size_t i = 0; i < session5.size(); ++i) chunks.push_back(std::span{session5}.subspan(i, 1));
    const auto seen = serve(chunks);
    CHECK_FALSE(seen.error);
    CHECK(seen.types.size() == 5);
}

TEST_CASE("stream_decoder: the same session from a 3.1.1 CONNECT fails at the v5 PUBACK's framing") {
    auto session = session5;
    session[8] = std::byte{0x04};   // CONNECT level 4 ...
    session.erase(session.begin() + 12);  // ... without a property length
    session[1] = std::byte{0x0e};
    const auto seen = serve({session});
    // The v5 SUBSCRIBE's property length reads as a 3.1.1 filter length: a 3.1.1 stream cannot
    // carry v5 packets.
    CHECK(seen.error);
    CHECK(seen.types.size() == 1);
}

TEST_CASE("stream_decoder at 5: a client sets the level up front and reads AUTH and a v5 CONNACK") {
    const auto wire = bytes({0x20, 0x03, 0x00, 0x00, 0x00,  // CONNACK v5, Success
                             0xf0, 0x00,                    // AUTH, Success
                             0xe0, 0x01, 0x8e});            // DISCONNECT, Session taken over
    stream_decoder dec{{}, protocol_level::v5};
    dec.feed(wire);
    std::vector<packet_type> types;
    for (;;) {
        auto r = dec.next();
        if (!std::holds_alternative<frame>(r)) {
            CHECK(std::holds_alternative<need_more>(r));
            break;
        }
        types.push_back(type_of(decode_any(std::get<frame>(r), protocol_level::v5).value()));
    }
    CHECK(types == std::vector<packet_type>{packet_type::connack, packet_type::auth, packet_type::disconnect});
}
