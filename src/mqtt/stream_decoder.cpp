#include "mqtt/stream_decoder.hpp"

#include <algorithm>
#include <cassert>

namespace wv::mqtt {
namespace {

// A buffer that grew for one large packet gives the memory back once that packet is done, so
// 10,000 mostly idle connections do not each keep their largest packet's worth of capacity.
constexpr std::size_t keep_capacity_bytes = 4096;

}  // namespace

void stream_decoder::feed(std::span<const std::byte> chunk) noexcept {
    if (failed_) return;  // the stream is over; next() keeps reporting why
    assert(chunk_.empty() && "feed() before the previous chunk was consumed");
    chunk_ = chunk;
}

std::variant<need_more, frame, std::error_code> stream_decoder::next() {
    if (failed_) return failed_;
    if (buffer_holds_frame_) {
        buffer_.clear();
        if (buffer_.capacity() > keep_capacity_bytes) byte_buffer{}.swap(buffer_);
        buffer_holds_frame_ = false;
    }

    if (buffer_.empty()) {
        // Fast path: a whole packet in the chunk is returned as a view of it.
        auto r = read_frame(chunk_, lim_, level_);
        if (auto* f = std::get_if<frame>(&r)) {
            chunk_ = chunk_.subspan(f->consumed);
            return r;
        }
        if (auto* e = std::get_if<std::error_code>(&r)) {
            failed_ = *e;
            return r;
        }
        // read_frame accepted every header byte present, so the tail is bounded by the limit.
        buffer_.assign(chunk_.begin(), chunk_.end());
        chunk_ = {};
        return std::get<need_more>(r);
    }

    // A partial packet is buffered: top it up with only as many bytes as read_frame asks for,
    // so the buffer never holds anything past this packet.
    for (;;) {
        auto r = read_frame(buffer_, lim_, level_);
        if (auto* e = std::get_if<std::error_code>(&r)) {
            failed_ = *e;
            return r;
        }
        if (std::holds_alternative<frame>(r)) {
            buffer_holds_frame_ = true;
            return r;
        }
        const std::size_t want = std::get<need_more>(r).at_least - buffer_.size();
        if (chunk_.empty()) return r;
        const std::size_t take = std::min(want, chunk_.size());
        buffer_.insert(buffer_.end(), chunk_.begin(), chunk_.begin() + static_cast<std::ptrdiff_t>(take));
        chunk_ = chunk_.subspan(take);
    }
}

}  // namespace wv::mqtt
