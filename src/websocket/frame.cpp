#include "websocket/frame.hpp"

#include <algorithm>
#include <cstring>

#include "mqtt/utf8.hpp"

namespace wv::websocket {

namespace {

constexpr std::uint8_t fin_bit = 0x80, rsv_bits = 0x70, opcode_bits = 0x0F, mask_bit = 0x80;

bool is_known(std::uint8_t op) noexcept { return op <= 0x2 || (op >= 0x8 && op <= 0xA); }

std::uint8_t u8(std::byte b) noexcept { return std::to_integer<std::uint8_t>(b); }

bool may_be_sent(std::uint16_t code) noexcept {
    if (code >= 3000 && code <= 4999) return true;  // registered (3xxx) and private (4xxx)
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014);
}

}  // namespace

std::variant<need_more, frame_header, std::error_code> read_header(std::span<const std::byte> in,
                                                                   const read_rules& rules) noexcept {
    if (in.size() < 2) return need_more{2};
    const auto b0 = u8(in[0]), b1 = u8(in[1]);
    if (b0 & rsv_bits) return make_error_code(ws_errc::reserved_bits);
    const auto op = static_cast<std::uint8_t>(b0 & opcode_bits);
    if (!is_known(op)) return make_error_code(ws_errc::reserved_opcode);
    frame_header h;
    h.fin = (b0 & fin_bit) != 0;
    h.op = static_cast<opcode>(op);
    const bool masked = (b1 & mask_bit) != 0;
    if (masked != rules.require_mask)
        return make_error_code(masked ? ws_errc::masked_server_frame : ws_errc::unmasked_client_frame);
    const std::uint8_t len7 = b1 & 0x7F;
    if (is_control(h.op)) {
        if (!h.fin) return make_error_code(ws_errc::control_fragmented);
        if (len7 > 125) return make_error_code(ws_errc::control_too_long);
    }
    std::size_t at = 2;
    if (len7 == 126) {
        if (in.size() < 4) return need_more{4 + (masked ? 4u : 0u)};
        h.payload_bytes = (std::uint64_t{u8(in[2])} << 8) | u8(in[3]);
        if (h.payload_bytes < 126) return make_error_code(ws_errc::non_minimal_length);
        at = 4;
    } else if (len7 == 127) {
        if (in.size() < 10) return need_more{10 + (masked ? 4u : 0u)};
        if (u8(in[2]) & 0x80) return make_error_code(ws_errc::length_msb_set);
        for (std::size_t i = 2; i < 10; ++i) h.payload_bytes = (h.payload_bytes << 8) | u8(in[i]);
        if (h.payload_bytes <= 0xFFFF) return make_error_code(ws_errc::non_minimal_length);
        at = 10;
    } else {
        h.payload_bytes = len7;
    }
    // Checked before the mask is read, so an oversized frame is refused as early as possible.
    if (!is_control(h.op) && rules.max_payload_bytes && h.payload_bytes > rules.max_payload_bytes)
        return make_error_code(ws_errc::frame_too_large);
    if (masked) {
        if (in.size() < at + 4) return need_more{at + 4};
        mask_key k;
        std::memcpy(k.data(), in.data() + at, 4);
        h.mask = k;
        at += 4;
    }
    h.header_bytes = at;
    return h;
}

std::size_t header_size(std::uint64_t payload_bytes, bool masked) noexcept {
    const std::size_t base = payload_bytes < 126 ? 2 : payload_bytes <= 0xFFFF ? 4 : 10;
    return base + (masked ? 4 : 0);
}

void apply_mask(std::span<std::byte> data, const mask_key& key, std::uint64_t offset) noexcept {
    for (std::size_t i = 0; i < data.size(); ++i) data[i] ^= key[(offset + i) & 3];
}

void write_header(const frame_header& h, byte_buffer& out) {
    const auto n = h.payload_bytes;
    std::array<std::byte, 14> b{};
    b[0] = std::byte{static_cast<std::uint8_t>((h.fin ? fin_bit : 0) | static_cast<std::uint8_t>(h.op))};
    const std::uint8_t m = h.mask ? mask_bit : 0;
    std::size_t at = 2;
    if (n < 126) {
        b[1] = std::byte{static_cast<std::uint8_t>(m | n)};
    } else if (n <= 0xFFFF) {
        b[1] = std::byte{static_cast<std::uint8_t>(m | 126)};
        b[2] = std::byte{static_cast<std::uint8_t>(n >> 8)};
        b[3] = std::byte{static_cast<std::uint8_t>(n)};
        at = 4;
    } else {
        b[1] = std::byte{static_cast<std::uint8_t>(m | 127)};
        for (int i = 0; i < 8; ++i) b[2 + i] = std::byte{static_cast<std::uint8_t>(n >> (56 - 8 * i))};
        at = 10;
    }
    if (h.mask) {
        std::memcpy(b.data() + at, h.mask->data(), 4);
        at += 4;
    }
    out.insert(out.end(), b.begin(), b.begin() + static_cast<std::ptrdiff_t>(at));
}

void write_frame(opcode op, bool fin, std::span<const std::byte> payload, const std::optional<mask_key>& mask,
                 byte_buffer& out) {
    out.reserve(out.size() + header_size(payload.size(), mask.has_value()) + payload.size());
    write_header({.fin = fin, .op = op, .mask = mask, .payload_bytes = payload.size()}, out);
    const auto start = out.size();
    out.insert(out.end(), payload.begin(), payload.end());
    if (mask) apply_mask(std::span(out).subspan(start), *mask, 0);
}

std::variant<close_body, std::error_code> parse_close(std::span<const std::byte> payload) noexcept {
    close_body b;
    if (payload.empty()) return b;
    if (payload.size() == 1) return make_error_code(ws_errc::bad_close_payload);
    const auto code = static_cast<std::uint16_t>((u8(payload[0]) << 8) | u8(payload[1]));
    if (!may_be_sent(code)) return make_error_code(ws_errc::bad_close_payload);
    b.code = code;
    b.reason = mqtt::as_chars(payload.subspan(2));
    // The reason is UTF-8 (5.5.1); U+0000 is valid UTF-8 here, unlike in an MQTT string.
    if (b.reason.find('\0') == std::string_view::npos && mqtt::validate_utf8(b.reason))
        return make_error_code(ws_errc::bad_close_payload);
    return b;
}

void write_close(close_code code, std::string_view reason, const std::optional<mask_key>& mask, byte_buffer& out) {
    std::array<std::byte, 125> body{};
    const auto c = static_cast<std::uint16_t>(code);
    body[0] = std::byte{static_cast<std::uint8_t>(c >> 8)};
    body[1] = std::byte{static_cast<std::uint8_t>(c)};
    const auto n = std::min<std::size_t>(reason.size(), body.size() - 2);
    std::memcpy(body.data() + 2, reason.data(), n);
    write_frame(opcode::close, true, std::span(body).first(2 + n), mask, out);
}

}  // namespace wv::websocket
