#pragma once
// The property the fuzzers check and the corpus replay test re-checks under g++:
//   1. read_frame over the whole input and stream_decoder fed in input-derived chunk sizes see
//      the same frames, or fail with the same error at the same packet;
//   2. whatever decodes re-encodes: at 3.1.1 to exactly the bytes it came from (first byte and
//      body); at 5 to bytes that decode to a packet re-encoding to the same bytes, never longer
//      than the input (MQTT 5 acknowledgements, DISCONNECT and AUTH have shorter forms meaning
//      the same; every other MQTT 5 packet re-encodes exactly);
//   3. the stream decoder never buffers more than the packet limit.
// Levels: as_server starts at 3.1.1 and switches to 5 after a CONNECT that decodes at level 5
// (the server accepts up to 5), as a gateway does; as_client_v5 reads everything at 5, as a
// client that connected with 5 does.
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

enum class stream_mode { as_server, as_client_v5 };

// Packet types whose MQTT 5 encoding has shorter forms than the longest the decoder accepts.
inline bool has_short_forms(packet_type t) noexcept {
    switch (t) {
    case packet_type::puback:
    case packet_type::pubrec:
    case packet_type::pubrel:
    case packet_type::pubcomp:
    case packet_type::disconnect:
    case packet_type::auth: return true;
    default: return false;
    }
}

inline std::variant<need_more, frame, std::error_code> frame_any_size(std::span<const std::byte> in,
                                                                      protocol_level level) {
    return read_frame(in, {.max_packet_bytes = max_remaining_length + 5}, level);
}

// Decodes f at `level` (for a CONNECT: the highest level accepted); on success stores the level
// the packet sets for the rest of the stream (a CONNECT's own) in next_level.
inline bool reencodes(const frame& f, protocol_level level, protocol_level& next_level) {
    auto p = decode_any(f, level);
    if (!p) return true;  // a clean error is fine
    if (const auto* c = std::get_if<connect>(&*p)) next_level = static_cast<protocol_level>(c->protocol_level);
    byte_buffer out;
    encode(*p, out, level);
    auto again = frame_any_size(out, level);
    const auto* g = std::get_if<frame>(&again);
    if (!g || g->consumed != out.size() || g->type != f.type || g->flags != f.flags) return false;
    const bool exact = level == protocol_level::v3_1_1 || !has_short_forms(f.type);
    if (exact) return std::equal(g->body.begin(), g->body.end(), f.body.begin(), f.body.end());
    if (g->body.size() > f.body.size()) return false;
    auto q = decode_any(*g, level);
    if (!q) return false;
    byte_buffer twice;
    encode(*q, twice, level);
    return twice == out;
}

inline bool check_stream(std::span<const std::byte> data, stream_mode mode = stream_mode::as_server) {
    // A small limit so the fuzzer reaches packet_too_large too.
    const limits lim{.max_packet_bytes = 4096};
    const auto start = mode == stream_mode::as_server ? protocol_level::v3_1_1 : protocol_level::v5;
    // A server decodes CONNECT accepting up to 5; the frame level is the stream's.
    const auto decode_level = [&](const frame& f, protocol_level stream_level) {
        return f.type == packet_type::connect ? protocol_level::v5 : stream_level;
    };

    // Reference: read_frame over the whole input.
    std::vector<std::span<const std::byte>> whole;
    std::error_code whole_error;
    auto level = start;
    for (auto in = data;;) {
        auto r = read_frame(in, lim, level);
        if (const auto* f = std::get_if<frame>(&r)) {
            auto next = level;
            if (!reencodes(*f, decode_level(*f, level), next)) return false;
            if (mode == stream_mode::as_server) level = next;
            whole.push_back(in.first(f->consumed));
            in = in.subspan(f->consumed);
            continue;
        }
        if (const auto* e = std::get_if<std::error_code>(&r)) whole_error = *e;
        break;
    }

    // The stream decoder, chunk sizes 1..16 taken from the data itself, switching level the same way.
    stream_decoder dec{lim, start};
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
            if (mode == stream_mode::as_server && f.type == packet_type::connect) {
                if (auto c = decode_any(f, protocol_level::v5))
                    dec.set_protocol_level(static_cast<protocol_level>(std::get<connect>(*c).protocol_level));
            }
        }
    }
    return seen == whole.size() && stream_error == whole_error;
}

}  // namespace wv::mqtt::fuzz
