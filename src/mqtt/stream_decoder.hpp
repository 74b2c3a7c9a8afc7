#pragma once
// Incremental framing over a byte stream arriving in arbitrary chunks (one byte at a time works).
//
//     decoder.feed(chunk);                       // chunk must outlive the loop below
//     for (;;) {
//         auto r = decoder.next();
//         if (std::holds_alternative<need_more>(r)) break;          // read more from the socket
//         if (auto* e = std::get_if<std::error_code>(&r)) return close(*e);
//         handle(std::get<frame>(r));            // frame views stay valid until the next call
//     }
//
// Whole packets inside a chunk are returned as views of the chunk (no copy). Only a packet split
// across chunks is copied into an internal buffer, and only after its fixed header passed every
// check of read_frame, so the buffer never holds more than limits.max_packet_bytes. After an
// error the decoder stays failed and returns that error from every next().
// Frames are read at one protocol level (read_frame's v): 3.1.1 until set_protocol_level says
// otherwise. A server reads the CONNECT at the default level (it frames alike in both), decodes it,
// then sets the level the CONNECT carried; a client sets the level it connects with up front.
// Threading: one decoder per connection, used from one thread at a time.
#include <cstddef>
#include <span>
#include <system_error>
#include <variant>

#include "mqtt/byte_buffer.hpp"
#include "mqtt/frame.hpp"
#include "mqtt/limits.hpp"

namespace wv::mqtt {

class stream_decoder {
public:
    explicit stream_decoder(limits lim = {}, protocol_level v = protocol_level::v3_1_1) noexcept
        : lim_(lim), level_(v) {}

    // The level later frames are read at. Takes effect from the next packet not yet returned.
    void set_protocol_level(protocol_level v) noexcept { level_ = v; }
    protocol_level level() const noexcept { return level_; }

    // Hands over the next chunk. Precondition: next() returned need_more (or was never called)
    // since the previous feed, i.e. the previous chunk was fully consumed. Ignored after an error.
    void feed(std::span<const std::byte> chunk) noexcept;

    // The next whole frame, need_more when the fed bytes are used up, or the error that ended
    // the stream. need_more::at_least counts bytes of the pending packet, buffered or not.
    std::variant<need_more, frame, std::error_code> next();

    // Bytes of a partial packet held right now (for memory accounting and tests).
    std::size_t buffered() const noexcept { return buffer_.size(); }
    const limits& limits_in_use() const noexcept { return lim_; }

private:
    limits lim_;
    protocol_level level_;
    std::span<const std::byte> chunk_;  // unconsumed part of the last fed chunk
    byte_buffer buffer_;                // a packet split across chunks
    bool buffer_holds_frame_ = false;   // buffer_ is a frame returned by the last next()
    std::error_code failed_;
};

}  // namespace wv::mqtt
