#include "websocket/frame_reader.hpp"

#include <algorithm>
#include <cstring>

namespace wv::websocket {

namespace {
// Unmasked data pieces: one buffer per thread instead of one per connection.
thread_local byte_buffer unmask_scratch;
}  // namespace

std::error_code frame_reader::start_frame(const frame_header& h) {
    if (!is_control(h.op)) {
        if (h.op == opcode::continuation) {
            if (!in_message_) return make_error_code(ws_errc::bad_continuation);
        } else {
            if (in_message_) return make_error_code(ws_errc::bad_continuation);
            if (h.op == opcode::text) return make_error_code(ws_errc::text_refused);
        }
        in_message_ = !h.fin;
    }
    frame_ = h;
    left_ = h.payload_bytes;
    offset_ = 0;
    in_frame_ = true;
    return {};
}

bool frame_reader::finish_control(frame_sink& sink) {
    in_frame_ = false;
    auto payload = std::span(control_).first(static_cast<std::size_t>(frame_.payload_bytes));
    if (frame_.mask) apply_mask(payload, *frame_.mask, 0);
    return sink.on_control(frame_.op, payload);
}

std::error_code frame_reader::feed(std::span<const std::byte> in, frame_sink& sink) {
    if (failed_) return failed_;
    while (!in.empty()) {
        if (!in_frame_) {
            // The header: straight from `in` when it starts here, else completed in head_.
            std::span<const std::byte> view = in;
            std::size_t copied = 0;
            if (head_have_ > 0) {
                copied = std::min(head_.size() - head_have_, in.size());
                std::memcpy(head_.data() + head_have_, in.data(), copied);
                view = std::span<const std::byte>(head_).first(head_have_ + copied);
            }
            const auto r = read_header(view, rules_);
            if (const auto* e = std::get_if<std::error_code>(&r)) return failed_ = *e;
            if (std::holds_alternative<need_more>(r)) {
                if (head_have_ == 0) std::memcpy(head_.data(), in.data(), in.size());
                head_have_ = view.size();  // all of `in` is in head_ now
                return {};
            }
            const auto& h = std::get<frame_header>(r);
            in = in.subspan(h.header_bytes - head_have_);
            head_have_ = 0;
            if (auto e = start_frame(h)) return failed_ = e;
            if (left_ == 0) {
                in_frame_ = false;
                if (is_control(h.op) ? !finish_control(sink) : false) return {};
                continue;
            }
        }
        const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(left_, in.size()));
        if (is_control(frame_.op)) {
            std::memcpy(control_.data() + offset_, in.data(), take);
        } else if (frame_.mask) {
            unmask_scratch.assign(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(take));
            apply_mask(unmask_scratch, *frame_.mask, offset_);
            const bool go_on = sink.on_data(unmask_scratch);
            if (unmask_scratch.capacity() > 64 * 1024) byte_buffer().swap(unmask_scratch);
            if (!go_on) return {};
        } else if (!sink.on_data(in.first(take))) {
            return {};
        }
        in = in.subspan(take);
        left_ -= take;
        offset_ += take;
        if (left_ == 0) {
            in_frame_ = false;
            if (is_control(frame_.op) && !finish_control(sink)) return {};
        }
    }
    return {};
}

}  // namespace wv::websocket
