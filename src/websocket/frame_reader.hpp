#pragma once
// The receiving half of RFC 6455 framing, incremental: bytes in any split go in, events come
// out through a frame_sink as soon as they are known:
//   on_data     a piece of a binary message's payload, unmasked (MQTT over WebSocket is a byte
//               stream: packets may span frames and a frame may hold several, MQTT 3.1.1 6.0,
//               so pieces are handed on without waiting for the message's end)
//   on_control  a whole Close, Ping or Pong payload (<= 125 bytes), unmasked
// Sequencing is checked here (a continuation needs an open message; a new message may not
// start inside one), the header's rules in read_header() (frame.hpp). Text messages are
// refused (ws_errc::text_refused): MQTT is binary.
//
// Memory: a header in progress (<= 14 bytes) and a control payload (<= 125 bytes) live in the
// reader; data is unmasked in a per-thread scratch buffer, so an idle reader keeps nothing.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <system_error>

#include "websocket/frame.hpp"

namespace wv::websocket {

class frame_sink {
public:
    // Return false to stop reading (the layer is closing): the rest of the input is ignored.
    virtual bool on_data(std::span<const std::byte> piece) = 0;
    virtual bool on_control(opcode op, std::span<const std::byte> payload) = 0;

protected:
    ~frame_sink() = default;
};

class frame_reader {
public:
    explicit frame_reader(read_rules rules) noexcept : rules_(rules) {}

    // Reads `in`; events go to `sink` in order. An error stops the reader for good (the
    // connection must close with close_code_for(error)).
    std::error_code feed(std::span<const std::byte> in, frame_sink& sink);

    // A data message is open (its final frame has not come).
    bool in_message() const noexcept { return in_message_; }

private:
    std::error_code start_frame(const frame_header& h);
    bool finish_control(frame_sink& sink);

    read_rules rules_;
    std::array<std::byte, 14> head_{};   // a header split across inputs
    std::size_t head_have_ = 0;
    bool in_frame_ = false;              // a header was read; its payload is arriving
    frame_header frame_{};
    std::uint64_t left_ = 0;             // payload bytes of the frame still to come
    std::uint64_t offset_ = 0;           // payload bytes of the frame already read (mask phase)
    std::array<std::byte, 125> control_{};
    bool in_message_ = false;
    std::error_code failed_;
};

}  // namespace wv::websocket
