// The server and client layers around a scripted inner machine, on virtual time: the bytes the
// inner machine sees and sends, ping/pong, Close both ways, the handshake's refusals and
// deadline, the answers to bad frames, and a client layer talking to a server layer.
#include <doctest/doctest.h>

#include <string>

#include "websocket/client_layer.hpp"
#include "websocket/server_layer.hpp"
#include "ws_test_bytes.hpp"

using namespace wv::websocket;
using namespace wv::websocket::test;
using namespace std::chrono_literals;
namespace net = wv::net;

namespace {

// Records what it gets; sends what the test tells it to, on its next input or through wrap().
struct scripted final : net::protocol_machine {
    std::string got;
    std::optional<std::error_code> ended;
    std::optional<clock::time_point> deadline;
    int deadlines = 0;
    std::string echo_prefix;  // when set, answers every input with prefix + input
    bool close_after_answer = false;
    std::string answer_when, answer;  // sends `answer` once `got` equals `answer_when`

    void on_bytes(std::span<const std::byte> in, clock::time_point, net::effects& fx) override {
        got.append(reinterpret_cast<const char*>(in.data()), in.size());
        if (!answer_when.empty() && got == answer_when) {
            const auto out = bytes(answer);
            fx.send.insert(fx.send.end(), out.begin(), out.end());
        }
        if (!echo_prefix.empty()) {
            const auto out = bytes(echo_prefix + std::string(reinterpret_cast<const char*>(in.data()), in.size()));
            fx.send.insert(fx.send.end(), out.begin(), out.end());
            if (close_after_answer) fx.close(net::ending::close_after_flush, std::make_error_code(std::errc::connection_aborted));
        }
    }
    void on_deadline(clock::time_point, net::effects&) override {
        ++deadlines;
        deadline.reset();
    }
    void on_transport_closed(std::error_code why, clock::time_point) override { ended = why; }
    std::optional<clock::time_point> next_deadline() const override { return deadline; }
};

const clock::time_point t0{};
const std::string key = "dGhlIHNhbXBsZSBub25jZQ==";
const std::string upgrade = "GET /mqtt HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
                            "Sec-WebSocket-Protocol: mqtt\r\n\r\n";
const mask_key k{std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4}};

bytes_t masked(opcode op, std::string_view payload, bool fin = true) {
    byte_buffer out;
    write_frame(op, fin, bytes(payload), k, out);
    return out;
}

bytes_t plain(opcode op, std::string_view payload) {
    byte_buffer out;
    write_frame(op, true, bytes(payload), std::nullopt, out);
    return out;
}

void feed(net::protocol_machine& m, const bytes_t& in, net::effects& fx, clock::time_point now = t0) {
    m.on_bytes(in, now, fx);
}

std::string taken(net::effects& fx) {
    auto s = text(fx.send);
    fx.send.clear();
    return s;
}

}  // namespace

TEST_CASE("server: upgrade, then MQTT bytes both ways in binary frames") {
    scripted inner;
    inner.echo_prefix = "re:";
    server_layer ws(inner, {}, t0);
    net::effects fx;
    feed(ws, bytes(upgrade), fx);
    CHECK(taken(fx) == switching_protocols(key));
    CHECK(ws.is_open());
    CHECK(ws.request() == nullptr);  // the parser is gone once the upgrade is done
    feed(ws, masked(opcode::binary, "\x10\x02hi"), fx);
    CHECK(inner.got == "\x10\x02hi");
    CHECK(fx.send == plain(opcode::binary, "re:\x10\x02hi"));  // one unmasked frame per input
    CHECK_FALSE(fx.closing());
}

TEST_CASE("server: the request split byte by byte, and frames right behind it") {
    scripted inner;
    server_layer ws(inner, {}, t0);
    net::effects fx;
    const auto wire = cat(bytes(upgrade), masked(opcode::binary, "abc"));
    for (std::size_t i = 0; i < wire.size(); ++i) feed(ws, bytes_t{wire[i]}, fx);
    CHECK(taken(fx) == switching_protocols(key));
    CHECK(inner.got == "abc");
    scripted inner2;
    server_layer ws2(inner2, {}, t0);
    net::effects fx2;
    feed(ws2, wire, fx2);  // all in one read
    CHECK(taken(fx2) == switching_protocols(key));
    CHECK(inner2.got == "abc");
}

TEST_CASE("server: ping is answered with pong; a client Close is echoed and ends the inner machine") {
    scripted inner;
    server_layer ws(inner, {}, t0);
    net::effects fx;
    feed(ws, bytes(upgrade), fx);
    taken(fx);
    feed(ws, masked(opcode::ping, "1234"), fx);
    CHECK(fx.send == plain(opcode::pong, "1234"));
    fx.send.clear();
    feed(ws, masked(opcode::pong, ""), fx);  // unsolicited pong: ignored
    CHECK(fx.send.empty());
    feed(ws, masked(opcode::close, std::string("\x03\xe9", 2)), fx);  // 1001 going away
    CHECK(fx.send == bytes({0x88, 0x02, 0x03, 0xe9}));
    CHECK(fx.end == net::ending::close_after_flush);
    REQUIRE(inner.ended);
    CHECK(*inner.ended == ws_errc::closed_by_peer);
}

TEST_CASE("server: bad frames get their Close code, and the inner machine hears why") {
    struct row {
        const char* what;
        bytes_t wire;
        std::uint16_t code;
        ws_errc why;
    };
    const row rows[] = {
        {"unmasked client frame", plain(opcode::binary, "x"), 1002, ws_errc::unmasked_client_frame},
        {"text frame", masked(opcode::text, "{}"), 1003, ws_errc::text_refused},
        {"oversized frame (header only)", bytes({0x82, 0xFF, 0, 0, 0, 0, 0, 0x10, 0, 0}), 1009, ws_errc::frame_too_large},
        {"RSV bit", bytes({0xC2, 0x80, 1, 2, 3, 4}), 1002, ws_errc::reserved_bits},
        {"bad close body", masked(opcode::close, "\x03"), 1002, ws_errc::bad_close_payload},
    };
    for (const auto& r : rows) {
        scripted inner;
        server_layer ws(inner, {}, t0);
        net::effects fx;
        feed(ws, bytes(upgrade), fx);
        taken(fx);
        feed(ws, r.wire, fx);
        REQUIRE_MESSAGE(fx.send.size() >= 4, r.what);
        CHECK_MESSAGE(fx.send[0] == std::byte{0x88}, r.what);  // Close, unmasked
        const auto code = static_cast<std::uint16_t>((std::to_integer<int>(fx.send[2]) << 8) | std::to_integer<int>(fx.send[3]));
        CHECK_MESSAGE(code == r.code, r.what);
        CHECK_MESSAGE(fx.end == net::ending::close_after_flush, r.what);
        REQUIRE_MESSAGE(inner.ended, r.what);
        CHECK_MESSAGE(*inner.ended == r.why, r.what);
        CHECK_MESSAGE(inner.got.empty(), r.what);
    }
}

TEST_CASE("server: a refused upgrade is answered over HTTP and never reaches the inner machine's bytes") {
    scripted inner;
    server_layer ws(inner, {}, t0);
    net::effects fx;
    std::string no_protocol = upgrade;
    no_protocol.erase(no_protocol.find("Sec-WebSocket-Protocol"), std::string("Sec-WebSocket-Protocol: mqtt\r\n").size());
    feed(ws, cat(bytes(no_protocol), masked(opcode::binary, "x")), fx);
    const auto answer = taken(fx);
    CHECK(answer.starts_with("HTTP/1.1 400 Bad Request\r\n"));
    CHECK(answer.find("Sec-WebSocket-Protocol: mqtt missing") != std::string::npos);
    CHECK(ws.refused_status() == 400);
    CHECK(fx.end == net::ending::close_after_flush);
    CHECK(inner.got.empty());
    REQUIRE(inner.ended);
    CHECK(*inner.ended == ws_errc::handshake_refused);
}

TEST_CASE("server: malformed HTTP and oversized headers get 400") {
    for (const std::string& wire : {std::string("GET /mqtt HTTP/1.1\r\nHost h\r\n\r\n"),
                                   std::string("\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00", 14)}) {
        scripted inner;
        server_layer ws(inner, {}, t0);
        net::effects fx;
        feed(ws, bytes(wire), fx);
        CHECK(taken(fx).starts_with("HTTP/1.1 400 Bad Request\r\n"));
        CHECK(fx.closing());
    }
    scripted inner;
    server_layer ws(inner, {.max_header_bytes = 256}, t0);
    net::effects fx;
    feed(ws, bytes("GET /mqtt HTTP/1.1\r\nX-Long: " + std::string(400, 'a')), fx);
    CHECK(taken(fx).find("exceed 256 bytes") != std::string::npos);
    CHECK(fx.closing());
}

TEST_CASE("server: a judge decides; nothing is read meanwhile; a refusal carries its status") {
    struct judge_t final : upgrade_judge {
        std::string target;
        void judge(const http::request_header<>& r, clock::time_point) override {
            target = std::string(r.target().data(), r.target().size());
        }
    } judge;
    scripted inner;
    server_layer ws(inner, {}, t0, &judge);
    net::effects fx;
    feed(ws, bytes(upgrade), fx);
    CHECK(judge.target == "/mqtt");
    CHECK(fx.send.empty());
    CHECK_FALSE(ws.wants_input());
    REQUIRE(ws.request());
    ws.refuse(403, "Forbidden", "ForbiddenException", t0, fx);
    CHECK(taken(fx).starts_with("HTTP/1.1 403 Forbidden\r\n"));
    CHECK(ws.refused_status() == 403);
    CHECK(fx.closing());

    scripted inner2;
    server_layer ws2(inner2, {}, t0, &judge);
    net::effects fx2;
    feed(ws2, cat(bytes(upgrade), masked(opcode::binary, "early")), fx2);
    ws2.accept(t0, fx2);
    CHECK(taken(fx2) == switching_protocols(key));
    CHECK(inner2.got == "early");
}

TEST_CASE("server: the handshake deadline; then the inner machine's deadlines") {
    scripted inner;
    server_layer ws(inner, {.handshake_timeout = 5s}, t0);
    net::effects fx;
    CHECK(ws.next_deadline() == t0 + 5s);
    ws.on_deadline(t0 + 5s, fx);
    CHECK(fx.end == net::ending::close_now);
    CHECK(*inner.ended == ws_errc::handshake_timeout);

    scripted inner2;
    inner2.deadline = t0 + 60s;
    server_layer ws2(inner2, {.handshake_timeout = 5s}, t0);
    net::effects fx2;
    feed(ws2, bytes(upgrade), fx2);
    CHECK(ws2.next_deadline() == t0 + 60s);
    ws2.on_deadline(t0 + 60s, fx2);
    CHECK(inner2.deadlines == 1);
}

TEST_CASE("server: the inner machine closing sends its last bytes, then Close 1000") {
    scripted inner;
    inner.echo_prefix = "bye";
    inner.close_after_answer = true;
    server_layer ws(inner, {}, t0);
    net::effects fx;
    feed(ws, bytes(upgrade), fx);
    taken(fx);
    feed(ws, masked(opcode::binary, "!"), fx);
    CHECK(fx.send == cat(plain(opcode::binary, "bye!"), bytes({0x88, 0x02, 0x03, 0xe8})));
    CHECK(fx.end == net::ending::close_after_flush);
    CHECK(fx.why == std::errc::connection_aborted);
    CHECK_FALSE(inner.ended);  // it asked: it hears nothing more
}

TEST_CASE("server: the owner's own inputs through wrap() are framed too") {
    scripted inner;
    server_layer ws(inner, {}, t0);
    net::effects fx;
    feed(ws, bytes(upgrade), fx);
    taken(fx);
    auto step = ws.wrap([](clock::time_point, net::effects& ifx) {
        const auto b = bytes("\x30\x03x/y");
        ifx.send.insert(ifx.send.end(), b.begin(), b.end());
    });
    step(t0, fx);
    CHECK(fx.send == plain(opcode::binary, "\x30\x03x/y"));
}

TEST_CASE("client: the request, the held CONNECT, the 101; refusals and a bad accept") {
    scripted inner;
    client_layer ws(inner, {.host = "h.example", .target = "/mqtt?token=t"}, t0);
    net::effects fx;
    ws.begin(t0, fx);
    const auto req = taken(fx);
    CHECK(req.starts_with("GET /mqtt?token=t HTTP/1.1\r\nHost: h.example\r\n"));
    const auto at = req.find("Sec-WebSocket-Key: ") + 19;
    const auto client_key = req.substr(at, 24);
    CHECK(is_valid_key(client_key));
    // The inner machine's CONNECT before the 101 is held.
    ws.wrap([](clock::time_point, net::effects& ifx) {
        const auto b = bytes("CONNECT");
        ifx.send.insert(ifx.send.end(), b.begin(), b.end());
    })(t0, fx);
    CHECK(fx.send.empty());
    CHECK(ws.wants_quick_ack());
    // The 101 and the server's first frame in one read.
    feed(ws, cat(bytes(switching_protocols(client_key)), plain(opcode::binary, "CONNACK")), fx);
    CHECK(ws.is_open());
    CHECK(inner.got == "CONNACK");
    // The held CONNECT went out as one masked binary frame.
    const auto h = std::get<frame_header>(read_header(fx.send, {.require_mask = true}));
    CHECK(h.op == opcode::binary);
    auto payload = bytes_t(fx.send.begin() + static_cast<std::ptrdiff_t>(h.header_bytes), fx.send.end());
    apply_mask(payload, *h.mask, 0);
    CHECK(text(payload) == "CONNECT");

    scripted refused_inner;
    client_layer refused(refused_inner, {.host = "h"}, t0);
    net::effects rfx;
    refused.begin(t0, rfx);
    feed(refused, bytes(refusal(403, "Forbidden", "ForbiddenException")), rfx);
    CHECK(refused.refused_status() == 403);
    CHECK(*refused_inner.ended == ws_errc::handshake_refused);
    CHECK(rfx.end == net::ending::close_now);

    scripted bad_inner;
    client_layer bad(bad_inner, {.host = "h"}, t0);
    net::effects bfx;
    bad.begin(t0, bfx);
    feed(bad, bytes(switching_protocols(key)), bfx);  // the accept of another key
    CHECK(*bad_inner.ended == ws_errc::bad_accept);
}

TEST_CASE("a client layer and a server layer talk through each other, split at every byte") {
    scripted device, broker;
    broker.answer_when = "CONNECT";
    broker.answer = "CONNACK";
    client_layer c(device, {.host = "h"}, t0);
    server_layer s(broker, {}, t0);
    net::effects cfx, sfx;
    c.begin(t0, cfx);
    c.wrap([](clock::time_point, net::effects& ifx) {
        const auto b = bytes("CONNECT");
        ifx.send.insert(ifx.send.end(), b.begin(), b.end());
    })(t0, cfx);
    for (int round = 0; round < 4; ++round) {
        const auto to_server = cfx.send;
        cfx.send.clear();
        for (std::size_t i = 0; i < to_server.size(); ++i) s.on_bytes(std::span(to_server).subspan(i, 1), t0, sfx);
        const auto to_client = sfx.send;
        sfx.send.clear();
        for (std::size_t i = 0; i < to_client.size(); ++i) c.on_bytes(std::span(to_client).subspan(i, 1), t0, cfx);
    }
    CHECK(broker.got == "CONNECT");
    CHECK(device.got == "CONNACK");
    CHECK_FALSE(cfx.closing());
    CHECK_FALSE(sfx.closing());
}
