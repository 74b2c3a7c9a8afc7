#pragma once
// The property the fuzzer checks and the corpus replay test re-checks under g++:
//   1. read_frame over the whole input and stream_decoder fed in input-derived chunk sizes see
//      the same frames, or fail with the same error at the same packet;
//   2. whatever decodes re-encodes to exactly the bytes it came from (first byte and body);
//   3. the stream decoder never buffers more than the packet limit.
// Returns false on a violation; never crashes, hangs or allocates without bound on any input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <system_error>
#include <variant>
#include <vector>

#include "mqtt/mqtt.hpp"

namespace wv::mqtt::fuzz {

inline bool reencodes_exactly(const frame& f) {
    auto p = decode_any(f);
    if (!p) return true;  // a clean error is fine
    byte_buffer out;
    encode(*p, out);
    auto again = read_frame(out, {.max_packet_bytes = max_remaining_length + 5});
    const auto* g = std::get_if<frame>(&again);
    if (!g || g->consumed != out.size() || g->type != f.type || g->flags != f.flags) return false;
    return std::equal(g->body.begin(), g->body.end(), f.body.begin(), f.body.end());
}

inline bool check_stream(std::span<const std::byte> data) {
    // A small limit so the fuzzer reaches packet_too_large too.
    const limits lim{.max_packet_bytes = 4096};

    // Reference: read_frame over the whole input.
    std::vector<std::span<const std::byte>> whole;
    std::error_code whole_error;
    for (auto in = data;;) {
        auto r = read_frame(in, lim);
        if (const auto* f = std::get_if<frame>(&r)) {
            if (!reencodes_exactly(*f)) return false;
            whole.push_back(in.first(f->consumed));
            in = in.subspan(f->consumed);
            continue;
        }
        if (const auto* e = std::get_if<std::error_code>(&r)) whole_error = *e;
        break;
    }

    // The stream decoder, chunk sizes 1..16 taken from the data itself.
    stream_decoder dec{lim};
    std::size_t seen = 0;
    std::error_code stream_error;
    std::size_t pos = 0;
    std::size_t step = 0;
    while (pos < data.size() && !stream_error) {
        const auto size_byte = std::to_integer<unsigned>(data[step++ % data.size()]);
        const std::size_t n = std::min<std::size_t>(data.size() - pos, 1 + (size_byte & 15));
        dec.feed(data.subspan(pos, n));
        pos += n;
        for (;;) {
            auto r = dec.next();
            if (dec.buffered() > lim.max_packet_bytes) return false;
            if (std::holds_alternative<need_more>(r)) break;
            if (const auto* e = std::get_if<std::error_code>(&r)) {
                stream_error = *e;
                break;
            }
            const auto& f = std::get<frame>(r);
            if (seen >= whole.size()) return false;
            const auto ref = whole[seen++];
            if (f.consumed != ref.size()) return false;
            if (!std::equal(f.body.begin(), f.body.end(), ref.end() - static_cast<std::ptrdiff_t>(f.body.size()),
                            ref.end()))
                return false;
        }
    }
    return seen == whole.size() && stream_error == whole_error;
}

}  // namespace wv::mqtt::fuzz
