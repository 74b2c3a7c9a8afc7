#include "payload/report_encoder.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "payload/wire_writer.hpp"

namespace wv::payload {
namespace {

using wire::back_writer;

// SplitMix64's finaliser: a cheap, well-mixed hash, so every value is a pure function of its
// coordinates and no generator state has to be carried from report to report.
constexpr std::uint64_t mix(std::uint64_t z) noexcept {
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

double unit(std::uint64_t h) noexcept { return static_cast<double>(h >> 11) * 0x1.0p-53; }

// Worst-case bytes of a length-delimited field holding `body` bytes: tag + 5-byte length.
constexpr std::size_t delimited(std::size_t body) noexcept { return 1 + 5 + body; }

std::size_t max_sample_data(const channel_profile& c) noexcept {
    switch (c.kind) {
    case value_kind::uint64:
    case value_kind::sint64: return 11;
    case value_kind::float32: return 5;
    case value_kind::float64: return 9;
    case value_kind::boolean: return 2;
    case value_kind::gps: return delimited(6 * 6);
    case value_kind::jpg: return delimited(5 * 6 + delimited(c.jpg_bytes));
    }
    return 0;
}

}  // namespace

report_encoder::report_encoder(report_profile profile, std::uint32_t device_index)
    : profile_(std::move(profile)), device_index_(device_index) {
    validate(profile_);
    std::size_t total = 11;  // report_id
    for (const auto& c : profile_.channels) {
        const std::size_t sample = delimited(max_sample_data(c));
        const std::size_t per_sample = c.mode == sampling::periodic ? sample : delimited(11 + sample);
        total += delimited(delimited(12) + delimited(22 + per_sample * c.samples));
    }
    max_size_ = total;
    buf_.resize(max_size_);
}

namespace {

struct value_writer {
    back_writer& w;

    void integer_u(const channel_profile& c, std::uint64_t h) const {
        const auto lo = static_cast<std::uint64_t>(c.min);
        const auto hi = c.max >= 18446744073709551615.0 ? ~0ull : static_cast<std::uint64_t>(c.max);
        const std::uint64_t span = hi - lo + 1;  // 0 when the range is all of uint64
        w.put_varint(span ? lo + h % span : h);
        w.put_byte(0x08);
    }
    void integer_s(const channel_profile& c, std::uint64_t h) const {
        const auto lo = static_cast<std::int64_t>(c.min);
        const auto hi = c.max >= 9223372036854775807.0 ? INT64_MAX : static_cast<std::int64_t>(c.max);
        const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo) + 1;
        const std::uint64_t v = static_cast<std::uint64_t>(lo) + (span ? h % span : h);
        w.put_varint(wire::zigzag64(static_cast<std::int64_t>(v)));
        w.put_byte(0x10);
    }
    void gps(std::uint64_t h) const {
        // Around a fixed point (Tel Aviv, in 1e-7 degrees), metres of altitude, hdop in 0.01.
        const std::byte* end = w.p;
        w.opt_varint(0x30, 1);                                    // is_valid_fix
        w.opt_varint(0x28, 4 + (h >> 8) % 9);                     // number_of_satellites
        w.opt_varint(0x20, 50 + (h >> 16) % 150);                 // hdop
        w.opt_varint(0x18, wire::zigzag32(static_cast<std::int32_t>((h >> 24) % 120)));  // altitude
        const auto jitter = [](std::uint64_t x) { return static_cast<std::int32_t>(x % 20001) - 10000; };
        w.opt_varint(0x10, wire::zigzag32(347818000 + jitter(h >> 32)));   // longitude
        w.opt_varint(0x08, wire::zigzag32(320853000 + jitter(mix(h))));   // latitude
        w.close(end, 0x32);
    }
    void jpg(const channel_profile& c, std::uint64_t h) const {
        const std::byte* end = w.p;
        const std::size_t n = c.jpg_bytes;
        // image_data: JPEG start/end markers around deterministic noise.
        w.p -= n;
        std::uint64_t s = h;
        for (std::size_t i = 0; i < n; i += 8) {
            s = mix(s);
            std::byte chunk[8];
            std::memcpy(chunk, &s, 8);
            std::memcpy(w.p + i, chunk, std::min<std::size_t>(8, n - i));
        }
        if (n >= 4) {
            w.p[0] = std::byte{0xff}, w.p[1] = std::byte{0xd8};
            w.p[n - 2] = std::byte{0xff}, w.p[n - 1] = std::byte{0xd9};
        }
        w.close(w.p + n, 0x32);
        w.opt_varint(0x28, 3);     // color_channels
        w.opt_varint(0x20, n);     // total_size
        w.opt_varint(0x18, 10);    // compression_ratio
        w.opt_varint(0x10, 480);   // height
        w.opt_varint(0x08, 640);   // width
        w.close(end, 0x3a);
    }

    // One SampleData message body (no tag/length of its own).
    void sample_data(const channel_profile& c, std::uint64_t h) const {
        switch (c.kind) {
        case value_kind::uint64: integer_u(c, h); break;
        case value_kind::sint64: integer_s(c, h); break;
        case value_kind::float32: {
            const auto f = static_cast<float>(c.min + unit(h) * (c.max - c.min));
            w.put_fixed32(std::bit_cast<std::uint32_t>(f));
            w.put_byte(0x1d);
            break;
        }
        case value_kind::float64: {
            const double d = c.min + unit(h) * (c.max - c.min);
            w.put_fixed64(std::bit_cast<std::uint64_t>(d));
            w.put_byte(0x21);
            break;
        }
        case value_kind::boolean:
            w.put_byte(static_cast<std::uint8_t>(h & 1));
            w.put_byte(0x28);
            break;
        case value_kind::gps: gps(h); break;
        case value_kind::jpg: jpg(c, h); break;
        }
    }
};

}  // namespace

std::size_t report_encoder::encode_tail(std::int64_t report_id, std::uint64_t now_ms) {
    std::byte* const end = buf_.data() + buf_.size();
    back_writer w{end};
    const value_writer vw{w};
    const std::uint64_t report_key = mix(mix(profile_.seed) ^ device_index_) ^ static_cast<std::uint64_t>(report_id);

    for (std::size_t ci = profile_.channels.size(); ci-- > 0;) {
        const auto& c = profile_.channels[ci];
        const std::uint64_t chan_key = mix(report_key + 0x632be59bd9b4e019ull * (ci + 1));
        const std::byte* msg_end = w.p;
        const std::uint64_t n = c.samples;
        const std::uint64_t back = (n ? n - 1 : 0) * c.interval_ms;
        const std::uint64_t first = now_ms >= back ? now_ms - back : 0;

        const std::byte* samples_end = w.p;
        if (c.mode == sampling::periodic) {
            for (std::uint64_t i = n; i-- > 0;) {
                const std::byte* e = w.p;
                vw.sample_data(c, mix(chan_key + i));
                w.close(e, 0x1a);                       // PeriodicSamples.data
            }
            w.opt_varint(0x10, c.interval_ms);          // interval
            w.opt_varint(0x08, first);                  // first_timestamp
            w.close(samples_end, 0x1a);                 // SamplesMessage.periodic
        } else {
            for (std::uint64_t i = n; i-- > 0;) {
                const std::uint64_t h = mix(chan_key + i);
                const std::byte* stamped_end = w.p;
                const std::byte* data_end = w.p;
                vw.sample_data(c, h);
                w.close(data_end, 0x12);                // StampedSample.data
                // Irregular but ordered: each sample lands up to half an interval early.
                const std::uint64_t ts = first + i * c.interval_ms;
                const std::uint64_t jitter = c.interval_ms > 1 ? (h >> 40) % (c.interval_ms / 2) : 0;
                w.opt_varint(0x08, ts >= jitter ? ts - jitter : 0);
                w.close(stamped_end, 0x0a);             // SparseSamples.samples
            }
            w.close(samples_end, 0x22);                 // SamplesMessage.sparse
        }
        const std::byte* tan_end = w.p;
        w.opt_varint(0x10, static_cast<std::uint64_t>(static_cast<std::int64_t>(c.type)));  // channel_type
        w.opt_varint(0x08, c.number);                   // channel_number
        w.close(tan_end, 0x12);                         // SamplesMessage.type_and_number
        w.close(msg_end, 0x12);                         // SamplesBatchMessage.samples_batch
    }
    w.opt_varint(0x08, static_cast<std::uint64_t>(report_id));
    return static_cast<std::size_t>(end - w.p);
}

void report_encoder::encode(std::int64_t report_id, std::uint64_t now_ms, std::vector<std::byte>& out) {
    const std::size_t n = encode_tail(report_id, now_ms);
    out.assign(buf_.end() - static_cast<std::ptrdiff_t>(n), buf_.end());
}

std::size_t report_encoder::encode(std::int64_t report_id, std::uint64_t now_ms, std::span<std::byte> out) {
    const std::size_t n = encode_tail(report_id, now_ms);
    if (n > out.size()) return 0;
    std::memcpy(out.data(), buf_.data() + buf_.size() - n, n);
    return n;
}

}  // namespace wv::payload
