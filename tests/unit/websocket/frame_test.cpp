// RFC 6455 framing: the RFC's own examples (section 5.7) byte for byte, hand-derived vectors
// for what the examples do not cover, and each rule the reader enforces.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "websocket/frame.hpp"
#include "websocket/frame_reader.hpp"
#include "ws_test_bytes.hpp"

using namespace wv::websocket;
using namespace wv::websocket::test;

namespace {

constexpr read_rules server_rules{.require_mask = true, .max_payload_bytes = 256 * 1024};
constexpr read_rules client_rules{.require_mask = false, .max_payload_bytes = 256 * 1024};
constexpr mask_key rfc_mask{std::byte{0x37}, std::byte{0xfa}, std::byte{0x21}, std::byte{0x3d}};

struct recorder final : frame_sink {
    std::string data;
    std::vector<std::pair<opcode, std::string>> controls;
    bool on_data(std::span<const std::byte> p) override {
        data.append(reinterpret_cast<const char*>(p.data()), p.size());
        return true;
    }
    bool on_control(opcode op, std::span<const std::byte> p) override {
        controls.emplace_back(op, std::string(reinterpret_cast<const char*>(p.data()), p.size()));
        return true;
    }
};

std::error_code read_all(const bytes_t& wire, const read_rules& rules, recorder& r) {
    frame_reader reader(rules);
    return reader.feed(wire, r);
}

// The same input one byte at a time must give the same events (the truncation ladder's dual).
std::error_code read_bytewise(const bytes_t& wire, const read_rules& rules, recorder& r) {
    frame_reader reader(rules);
    for (std::size_t i = 0; i < wire.size(); ++i)
        if (auto e = reader.feed(std::span(wire).subspan(i, 1), r)) return e;
    return {};
}

bytes_t encode(opcode op, bool fin, std::string_view payload, std::optional<mask_key> mask = std::nullopt) {
    byte_buffer out;
    write_frame(op, fin, bytes(payload), mask, out);
    return out;
}

}  // namespace

TEST_CASE("RFC 6455 5.7: a single-frame unmasked text message") {
    const auto wire = bytes({0x81, 0x05,                        // FIN + text, unmasked, length 5
                             0x48, 0x65, 0x6c, 0x6c, 0x6f});    // "Hello"
    CHECK(encode(opcode::text, true, "Hello") == wire);
    const auto h = std::get<frame_header>(read_header(wire, client_rules));
    CHECK(h.fin);
    CHECK(h.op == opcode::text);
    CHECK(h.payload_bytes == 5);
    CHECK(h.header_bytes == 2);
    CHECK_FALSE(h.mask);
}

TEST_CASE("RFC 6455 5.7: a single-frame masked text message") {
    const auto wire = bytes({0x81, 0x85,                        // FIN + text, masked, length 5
                             0x37, 0xfa, 0x21, 0x3d,            // masking key
                             0x7f, 0x9f, 0x4d, 0x51, 0x58});    // "Hello" masked
    CHECK(encode(opcode::text, true, "Hello", rfc_mask) == wire);
    const auto h = std::get<frame_header>(read_header(wire, server_rules));
    CHECK(h.header_bytes == 6);
    REQUIRE(h.mask);
    CHECK(*h.mask == rfc_mask);
    auto payload = bytes_t(wire.begin() + 6, wire.end());
    apply_mask(payload, *h.mask, 0);
    CHECK(text(payload) == "Hello");
    // A text message is refused by the reader: MQTT over WebSocket is binary (MQTT 6.0).
    recorder r;
    CHECK(read_all(wire, server_rules, r) == ws_errc::text_refused);
    CHECK(close_code_for(ws_errc::text_refused) == close_code::unsupported_data);
}

TEST_CASE("RFC 6455 5.7: a fragmented unmasked text message, as headers") {
    const auto first = bytes({0x01, 0x03, 0x48, 0x65, 0x6c});  // text, not FIN: "Hel"
    const auto last = bytes({0x80, 0x02, 0x6c, 0x6f});         // continuation, FIN: "lo"
    CHECK(encode(opcode::text, false, "Hel") == first);
    CHECK(encode(opcode::continuation, true, "lo") == last);
    const auto h1 = std::get<frame_header>(read_header(first, client_rules));
    CHECK_FALSE(h1.fin);
    const auto h2 = std::get<frame_header>(read_header(last, client_rules));
    CHECK(h2.op == opcode::continuation);
    CHECK(h2.fin);
}

TEST_CASE("RFC 6455 5.7: unmasked Ping and masked Pong") {
    const auto ping = bytes({0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f});
    const auto pong = bytes({0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
    CHECK(encode(opcode::ping, true, "Hello") == ping);
    CHECK(encode(opcode::pong, true, "Hello", rfc_mask) == pong);
    recorder r;
    CHECK_FALSE(read_all(ping, client_rules, r));
    REQUIRE(r.controls.size() == 1);
    CHECK(r.controls[0] == std::pair{opcode::ping, std::string("Hello")});
    recorder s;
    CHECK_FALSE(read_all(pong, server_rules, s));
    CHECK(s.controls.at(0) == std::pair{opcode::pong, std::string("Hello")});
}

TEST_CASE("RFC 6455 5.7: 256 bytes and 64 KiB in one unmasked binary frame") {
    const std::string p256(256, 'x');
    const auto f256 = encode(opcode::binary, true, p256);
    CHECK(bytes_t(f256.begin(), f256.begin() + 4) == bytes({0x82, 0x7E, 0x01, 0x00}));  // 16-bit length 256
    CHECK(f256.size() == 4 + 256);
    const std::string p64k(65536, 'y');
    const auto f64k = encode(opcode::binary, true, p64k);
    CHECK(bytes_t(f64k.begin(), f64k.begin() + 10) ==
          bytes({0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00}));  // 64-bit length 65536
    recorder r;
    CHECK_FALSE(read_all(f64k, client_rules, r));
    CHECK(r.data == p64k);
}

TEST_CASE("hand-derived: MQTT packets in masked binary frames, and the length-form boundaries") {
    // PINGREQ (c0 00) masked with 01 02 03 04: c0^01 = c1, 00^02 = 02.
    const mask_key k{std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4}};
    const auto wire = bytes({0x82, 0x82, 0x01, 0x02, 0x03, 0x04, 0xc1, 0x02});
    CHECK(encode(opcode::binary, true, std::string("\xc0\x00", 2), k) == wire);
    recorder r;
    CHECK_FALSE(read_bytewise(wire, server_rules, r));
    CHECK(r.data == std::string("\xc0\x00", 2));
    // 125 bytes: 7-bit form; 126: 16-bit form; 65535: 16-bit; 65536: 64-bit.
    CHECK(header_size(125, false) == 2);
    CHECK(header_size(126, false) == 4);
    CHECK(header_size(65535, false) == 4);
    CHECK(header_size(65536, false) == 10);
    CHECK(header_size(125, true) == 6);
    CHECK(encode(opcode::binary, true, std::string(125, 'a'))[1] == std::byte{125});
    CHECK(encode(opcode::binary, true, std::string(126, 'a'))[1] == std::byte{126});
    // Close 1000 with no reason, from a server: 88 02 03 e8.
    byte_buffer close;
    write_close(close_code::normal, {}, std::nullopt, close);
    CHECK(close == bytes({0x88, 0x02, 0x03, 0xe8}));
    // Close 1009 "too big" masked with k: 03^01 f1^02 't'^03 'o'^04 'o'^01 ...
    byte_buffer close2;
    write_close(close_code::message_too_big, "too big", k, close2);
    CHECK(close2 == bytes({0x88, 0x89, 0x01, 0x02, 0x03, 0x04, 0x02, 0xf3, 0x77, 0x6b, 0x6e, 0x22, 0x61, 0x6d,
                           0x66}));
}

TEST_CASE("a binary message across continuation frames, interleaved with a ping, any split") {
    const mask_key k{std::byte{0xaa}, std::byte{0x55}, std::byte{0x0f}, std::byte{0xf0}};
    const auto wire = cat(cat(encode(opcode::binary, false, "MQ", k), encode(opcode::ping, true, "p", k)),
                          cat(encode(opcode::continuation, false, "TT", k), encode(opcode::continuation, true, "!", k)));
    recorder whole, bytewise;
    CHECK_FALSE(read_all(wire, server_rules, whole));
    CHECK_FALSE(read_bytewise(wire, server_rules, bytewise));
    CHECK(whole.data == "MQTT!");
    CHECK(bytewise.data == "MQTT!");
    CHECK(whole.controls == bytewise.controls);
    CHECK(whole.controls.size() == 1);
}

TEST_CASE("the reader refuses each framing error with its own value") {
    const mask_key k{};
    struct row {
        const char* what;
        bytes_t wire;
        read_rules rules;
        ws_errc want;
    };
    const row rows[] = {
        {"RSV1 set", bytes({0xC2, 0x80, 0, 0, 0, 0}), server_rules, ws_errc::reserved_bits},
        {"opcode 3", bytes({0x83, 0x80, 0, 0, 0, 0}), server_rules, ws_errc::reserved_opcode},
        {"opcode 0xB", bytes({0x8B, 0x80, 0, 0, 0, 0}), server_rules, ws_errc::reserved_opcode},
        {"unmasked client frame", bytes({0x82, 0x01, 0x00}), server_rules, ws_errc::unmasked_client_frame},
        {"masked server frame", bytes({0x82, 0x81, 0, 0, 0, 0, 0}), client_rules, ws_errc::masked_server_frame},
        {"fragmented ping", bytes({0x09, 0x80, 0, 0, 0, 0}), server_rules, ws_errc::control_fragmented},
        {"ping of 126 bytes", bytes({0x89, 0xFE, 0x00, 0x7E}), server_rules, ws_errc::control_too_long},
        {"16-bit form for 5 bytes", bytes({0x82, 0xFE, 0x00, 0x05}), server_rules, ws_errc::non_minimal_length},
        {"64-bit form for 200 bytes", bytes({0x82, 0xFF, 0, 0, 0, 0, 0, 0, 0, 200}), server_rules,
         ws_errc::non_minimal_length},
        {"64-bit length top bit", bytes({0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0}), server_rules, ws_errc::length_msb_set},
        {"1 MiB frame over 256 KiB", bytes({0x82, 0xFF, 0, 0, 0, 0, 0, 0x10, 0, 0}), server_rules,
         ws_errc::frame_too_large},
        {"continuation without a message", encode(opcode::continuation, true, "x", k), server_rules,
         ws_errc::bad_continuation},
        {"new message inside one", cat(encode(opcode::binary, false, "a", k), encode(opcode::binary, true, "b", k)),
         server_rules, ws_errc::bad_continuation},
        {"text frame", encode(opcode::text, true, "{}", k), server_rules, ws_errc::text_refused},
    };
    for (const auto& r : rows) {
        recorder rec;
        CHECK_MESSAGE(read_all(r.wire, r.rules, rec) == r.want, r.what);
        recorder rec2;
        CHECK_MESSAGE(read_bytewise(r.wire, r.rules, rec2) == r.want, r.what);
    }
    // The oversized frame is refused from its header alone: no payload byte needed.
    CHECK(std::get<std::error_code>(read_header(bytes({0x82, 0xFF, 0, 0, 0, 0, 0, 0x10, 0, 0}), server_rules)) ==
          ws_errc::frame_too_large);
    CHECK(close_code_for(ws_errc::frame_too_large) == close_code::message_too_big);
    CHECK(close_code_for(ws_errc::unmasked_client_frame) == close_code::protocol_error);
}

TEST_CASE("Close bodies: empty, code + UTF-8 reason, and the malformed ones") {
    CHECK_FALSE(std::get<close_body>(parse_close({})).code);
    const auto wire = bytes({0x03, 0xe8, 'b', 'y', 'e'});  // the reason views it
    const auto ok = std::get<close_body>(parse_close(wire));
    CHECK(ok.code == 1000);
    CHECK(ok.reason == "bye");
    CHECK(std::get<close_body>(parse_close(bytes({0x0f, 0xa0}))).code == 4000);  // private use
    for (const auto& bad : {bytes({0x03}),                      // 1 byte
                            bytes({0x03, 0xed}),                // 1005: never on the wire
                            bytes({0x03, 0xee}),                // 1006
                            bytes({0x03, 0xe7}),                // 999
                            bytes({0x07, 0xd0}),                // 2000: unassigned
                            bytes({0x13, 0x88}),                // 5000
                            bytes({0x03, 0xe8, 0xff, 0xfe})})   // not UTF-8
        CHECK(std::get<std::error_code>(parse_close(bad)) == ws_errc::bad_close_payload);
}
