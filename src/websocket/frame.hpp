#pragma once
// RFC 6455 base framing (section 5.2), pure: bytes in, a frame header or an error out; headers
// and whole frames appended to a byte_buffer. No I/O, no allocation but the output's.
//
//   0                   1                   2                   3
//   |F|R|R|R| opcode|M| len (7) |  extended length (16 or 64)  | masking key (0 or 4) | payload
//
// read_header() checks every rule the header alone can break before a payload byte is
// buffered: RSV bits, reserved opcodes, control frames (FIN set, <= 125 bytes), the mask bit
// the reading side requires (a server MUST close on an unmasked client frame, a client on a
// masked server frame), the minimal length form, the 64-bit length's top bit and the
// configured maximum payload. Whether a continuation may come is the reader's state
// (frame_reader.hpp), not the header's.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>
#include <variant>

#include "mqtt/byte_buffer.hpp"
#include "websocket/ws_errc.hpp"

namespace wv::websocket {

using byte_buffer = mqtt::byte_buffer;
using mask_key = std::array<std::byte, 4>;

enum class opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

constexpr bool is_control(opcode op) noexcept { return (static_cast<std::uint8_t>(op) & 0x8) != 0; }

struct frame_header {
    bool fin = true;
    opcode op = opcode::binary;
    std::optional<mask_key> mask;   // set: the payload on the wire is masked with it
    std::uint64_t payload_bytes = 0;
    std::size_t header_bytes = 0;   // 2 to 14, as read (read_header) or as written
};

// The header is not whole yet: at least this many bytes (from the frame's start) are needed.
struct need_more {
    std::size_t at_least;
};

struct read_rules {
    bool require_mask = true;               // true reading a client's frames (server side)
    std::uint64_t max_payload_bytes = 0;    // data frames; 0: no limit but the wire's
};

std::variant<need_more, frame_header, std::error_code> read_header(std::span<const std::byte> in,
                                                                   const read_rules& rules) noexcept;

// Bytes a header takes for this payload size: 2, 4 or 10, plus 4 with a mask.
std::size_t header_size(std::uint64_t payload_bytes, bool masked) noexcept;

// XORs `data` with `key` as RFC 6455 5.3 does, `data` being the payload from byte `offset` on
// (so a payload can be unmasked piece by piece as it arrives). Masking and unmasking are one.
void apply_mask(std::span<std::byte> data, const mask_key& key, std::uint64_t offset) noexcept;

// Appends a header with the minimal length form (h.header_bytes is ignored).
void write_header(const frame_header& h, byte_buffer& out);
// Appends a whole frame: header, then the payload (masked when `mask` is set).
void write_frame(opcode op, bool fin, std::span<const std::byte> payload, const std::optional<mask_key>& mask,
                 byte_buffer& out);

// A Close frame's body (RFC 6455 5.5.1): nothing, or a 2-byte status code and UTF-8 text.
struct close_body {
    std::optional<std::uint16_t> code;  // nullopt: none sent (reported as 1005)
    std::string_view reason;            // views the payload
};
// Refuses a 1-byte body, a code that may not be sent on the wire (7.4: 1004-1006, 1015,
// < 1000, 1016-2999 unassigned, >= 5000) and a reason that is not UTF-8.
std::variant<close_body, std::error_code> parse_close(std::span<const std::byte> payload) noexcept;
// Appends a Close frame with `code` and `reason` (<= 123 bytes; longer is cut, as the frame
// must stay a control frame).
void write_close(close_code code, std::string_view reason, const std::optional<mask_key>& mask, byte_buffer& out);

}  // namespace wv::websocket
