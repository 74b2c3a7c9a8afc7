#include "payload/samples_decoder.hpp"

#include <algorithm>
#include <bit>

#include "payload/wire_reader.hpp"

namespace wv::payload {
namespace {

using wire::path_scope;
using wire::reader;
using span_t = wire::reader::span;

// Decodes a length-delimited sub-message with `body_fn(span)`, under the nesting limit.
template <class Fn>
bool sub_message(reader& r, span_t& s, const std::uint8_t* tag_at, Fn&& body_fn) {
    span_t body;
    if (!r.read_delimited(s, body) || !r.enter(tag_at)) return false;
    const bool ok = body_fn(body);
    r.leave();
    return ok;
}

bool decode_gps(reader& r, span_t s, gps_data& g) {
    while (!s.done()) {
        const auto* at = s.p;
        std::uint32_t f;
        std::uint8_t t;
        if (!r.read_tag(s, f, t)) return false;
        std::uint64_t v = 0;
        if (f >= 1 && f <= 6 && t == wire::varint) {
            static const char* names[] = {"latitude", "longitude", "altitude", "hdop", "number_of_satellites", "is_valid_fix"};
            path_scope ps(r, names[f - 1]);
            if (!r.read_varint(s, v)) return false;
        }
        // sint32 keeps the low 32 bits, then zig-zag decodes, as libprotobuf's ReadVarintZigZag32.
        const auto zz = [](std::uint64_t x) {
            const auto u = static_cast<std::uint32_t>(x);
            return static_cast<std::int32_t>((u >> 1) ^ (~(u & 1) + 1));
        };
        if (t == wire::varint && f >= 1 && f <= 6) {
            switch (f) {
            case 1: g.latitude = zz(v); break;
            case 2: g.longitude = zz(v); break;
            case 3: g.altitude = zz(v); break;
            case 4: g.hdop = static_cast<std::uint32_t>(v); break;
            case 5: g.number_of_satellites = static_cast<std::uint32_t>(v); break;
            case 6: g.is_valid_fix = v != 0; break;
            }
        } else if (!r.unexpected(s, f, t, at, f >= 1 && f <= 6)) {
            return false;
        }
    }
    return true;
}

bool decode_jpg(reader& r, span_t s, jpg_data& j) {
    while (!s.done()) {
        const auto* at = s.p;
        std::uint32_t f;
        std::uint8_t t;
        if (!r.read_tag(s, f, t)) return false;
        if (f >= 1 && f <= 5 && t == wire::varint) {
            static const char* names[] = {"width", "height", "compression_ratio", "total_size", "color_channels"};
            path_scope ps(r, names[f - 1]);
            std::uint64_t v;
            if (!r.read_varint(s, v)) return false;
            std::uint32_t* fields[] = {&j.width, &j.height, &j.compression_ratio, &j.total_size, &j.color_channels};
            *fields[f - 1] = static_cast<std::uint32_t>(v);
        } else if (f == 6 && t == wire::delimited) {
            path_scope ps(r, "image_data");
            span_t body;
            if (!r.read_delimited(s, body)) return false;
            j.image_data.assign(reinterpret_cast<const char*>(body.p), static_cast<std::size_t>(body.end - body.p));
        } else if (!r.unexpected(s, f, t, at, f >= 1 && f <= 6)) {
            return false;
        }
    }
    return true;
}

bool decode_sample_data(reader& r, span_t s, sample_value& v) {
    while (!s.done()) {
        const auto* at = s.p;
        std::uint32_t f;
        std::uint8_t t;
        if (!r.read_tag(s, f, t)) return false;
        switch (f) {
        case 1:
        case 2:
        case 5:
            if (t == wire::varint) {
                path_scope ps(r, f == 1 ? "uint64_value" : f == 2 ? "sint64_value" : "bool_value");
                std::uint64_t x;
                if (!r.read_varint(s, x)) return false;
                if (f == 1) v = x;
                else if (f == 2) v = static_cast<std::int64_t>((x >> 1) ^ (~(x & 1) + 1));
                else v = x != 0;
                continue;
            }
            break;
        case 3:
            if (t == wire::fixed32) {
                path_scope ps(r, "float_value");
                std::uint32_t x;
                if (!r.read_fixed32(s, x)) return false;
                v = std::bit_cast<float>(x);
                continue;
            }
            break;
        case 4:
            if (t == wire::fixed64) {
                path_scope ps(r, "double_value");
                std::uint64_t x;
                if (!r.read_fixed64(s, x)) return false;
                v = std::bit_cast<double>(x);
                continue;
            }
            break;
        case 6:
            if (t == wire::delimited) {
                path_scope ps(r, "gps_value");
                // Oneof: a second occurrence of the set member merges into it; another member resets.
                if (!std::holds_alternative<gps_data>(v)) v = gps_data{};
                if (!sub_message(r, s, at, [&](span_t b) { return decode_gps(r, b, std::get<gps_data>(v)); })) return false;
                continue;
            }
            break;
        case 7:
            if (t == wire::delimited) {
                path_scope ps(r, "jpg_value");
                if (!std::holds_alternative<jpg_data>(v)) v = jpg_data{};
                if (!sub_message(r, s, at, [&](span_t b) { return decode_jpg(r, b, std::get<jpg_data>(v)); })) return false;
                continue;
            }
            break;
        default: break;
        }
        if (!r.unexpected(s, f, t, at, f >= 1 && f <= 7)) return false;
    }
    return true;
}

bool decode_stamped(reader& r, span_t s, stamped_sample& m) {
    while (!s.done()) {
        const auto* at = s.p;
        std::uint32_t f;
        std::uint8_t t;
        if (!r.read_tag(s, f, t)) return false;
        if (f == 1 && t == wire::varint) {
            path_scope ps(r, "timestamp");
            if (!r.read_varint(s, m.timestamp)) return false;
        } else if (f == 2 && t == wire::delimited) {
            path_scope ps(r, "data");
            if (!m.data) m.data.emplace();
            if (!sub_message(r, s, at, [&](span_t b) { return decode_sample_data(r, b, *m.data); })) return false;
        } else if (!r.unexpected(s, f, t, at, f == 1 || f == 2)) {
            return false;
        }
    }
    return true;
}

bool decode_periodic(reader& r, span_t s, periodic_samples& m) {
    while (!s.done()) {
        const auto* at = s.p;
        std::uint32_t f;
        std::uint8_t t;
        if (!r.read_tag(s, f, t)) return false;
        if ((f == 1 || f == 2) && t == wire::varint) {
            path_scope ps(r, f == 1 ? "first_timestamp" : "interval");
            if (!r.read_varint(s, f == 1 ? m.first_timestamp : m.interval)) return false;
        } else if (f == 3 && t == wire::delimited) {
            path_scope ps(r, "data", static_cast<std::int64_t>(m.data.size()));
            if (!r.count_sample(at)) return false;
            auto& d = m.data.emplace_back();
            if (!sub_message(r, s, at, [&](span_t b) { return decode_sample_data(r, b, d); })) return false;
        } else if (!r.unexpected(s, f, t, at, f >= 1 && f <= 3)) {
            return false;
        }
    }
    return true;
}

bool decode_sparse(reader& r, span_t s, sparse_samples& m) {
    while (!s.done()) {
        const auto* at = s.p;
        std::uint32_t f;
        std::uint8_t t;
        if (!r.read_tag(s, f, t)) return false;
        if (f == 1 && t == wire::delimited) {
            path_scope ps(r, "samples", static_cast<std::int64_t>(m.samples.size()));
            if (!r.count_sample(at)) return false;
            auto& d = m.samples.emplace_back();
            if (!sub_message(r, s, at, [&](span_t b) { return decode_stamped(r, b, d); })) return false;
        } else if (!r.unexpected(s, f, t, at, f == 1)) {
            return false;
        }
    }
    return true;
}

bool decode_type_and_number(reader& r, span_t s, channel_type_and_number& m) {
    while (!s.done()) {
        const auto* at = s.p;
        std::uint32_t f;
        std::uint8_t t;
        if (!r.read_tag(s, f, t)) return false;
        if ((f == 1 || f == 2) && t == wire::varint) {
            path_scope ps(r, f == 1 ? "channel_number" : "channel_type");
            std::uint64_t v;
            if (!r.read_varint(s, v)) return false;
            // Both keep the low 32 bits: uint32 by definition, the (open) enum as an int32.
            if (f == 1) m.channel_number = static_cast<std::uint32_t>(v);
            else m.channel_type = static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
        } else if (!r.unexpected(s, f, t, at, f == 1 || f == 2)) {
            return false;
        }
    }
    return true;
}

bool decode_samples_message(reader& r, span_t s, samples_message& m) {
    while (!s.done()) {
        const auto* at = s.p;
        std::uint32_t f;
        std::uint8_t t;
        if (!r.read_tag(s, f, t)) return false;
        if (f == 2 && t == wire::delimited) {
            path_scope ps(r, "type_and_number");
            if (!m.type_and_number) m.type_and_number.emplace();
            if (!sub_message(r, s, at, [&](span_t b) { return decode_type_and_number(r, b, *m.type_and_number); }))
                return false;
        } else if (f == 3 && t == wire::delimited) {
            path_scope ps(r, "periodic");
            if (!std::holds_alternative<periodic_samples>(m.samples)) m.samples = periodic_samples{};
            auto& p = std::get<periodic_samples>(m.samples);
            if (!sub_message(r, s, at, [&](span_t b) { return decode_periodic(r, b, p); })) return false;
        } else if (f == 4 && t == wire::delimited) {
            path_scope ps(r, "sparse");
            if (!std::holds_alternative<sparse_samples>(m.samples)) m.samples = sparse_samples{};
            auto& p = std::get<sparse_samples>(m.samples);
            if (!sub_message(r, s, at, [&](span_t b) { return decode_sparse(r, b, p); })) return false;
        } else if (!r.unexpected(s, f, t, at, f >= 2 && f <= 4)) {
            return false;
        }
    }
    return true;
}

}  // namespace

result<samples_batch> decode_samples_batch(std::span<const std::byte> in, decode_options opt) {
    reader r(reinterpret_cast<const std::uint8_t*>(in.data()), in.size(), opt.strict);
    r.set_max_samples(opt.max_samples);
    samples_batch b;
    // A guess that saves the vector's regrowth for typical reports (an entry takes at least
    // ~16 bytes in practice); capped, so hostile input cannot make it large.
    b.samples_batch.reserve(std::min<std::size_t>(in.size() / 16 + 1, 64));
    auto s = r.whole();
    while (!s.done()) {
        const auto* at = s.p;
        std::uint32_t f;
        std::uint8_t t;
        if (!r.read_tag(s, f, t)) break;
        if (f == 1 && t == wire::varint) {
            path_scope ps(r, "report_id");
            std::uint64_t v;
            if (!r.read_varint(s, v)) break;
            b.report_id = static_cast<std::int64_t>(v);
        } else if (f == 2 && t == wire::delimited) {
            path_scope ps(r, "samples_batch", static_cast<std::int64_t>(b.samples_batch.size()));
            auto& m = b.samples_batch.emplace_back();
            if (!sub_message(r, s, at, [&](span_t body) { return decode_samples_message(r, body, m); })) break;
        } else if (!r.unexpected(s, f, t, at, f == 1 || f == 2)) {
            break;
        }
    }
    if (r.error()) return *r.error();
    return b;
}

result<samples_batch> decode_samples_batch(std::string_view in, decode_options opt) {
    return decode_samples_batch(std::as_bytes(std::span(in.data(), in.size())), opt);
}

}  // namespace wv::payload
