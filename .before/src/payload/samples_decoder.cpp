#include "payload/samples_decoder.hpp"

#include <algorithm>
#include <bit>

#include "payload/wire_reader.hpp"

namespace wv::payload {
namespace {

using wire::field;
using wire::for_each_field;
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

// sint32 keeps the low 32 bits, then zig-zag decodes, as libprotobuf's ReadVarintZigZag32.
std::int32_t zigzag32(std::uint64_t x) {
    const auto u = static_cast<std::uint32_t>(x);
    return static_cast<std::int32_t>((u >> 1) ^ (~(u & 1) + 1));
}

bool decode_gps(reader& r, span_t s, gps_data& g) {
    return for_each_field(r, s, [&](span_t& s, const field& f) {
        if (f.number < 1 || f.number > 6 || f.type != wire::varint)
            return r.unexpected(s, f.number, f.type, f.at, f.number >= 1 && f.number <= 6);
        static const char* names[] = {"latitude",    "longitude", "altitude", "hdop", "number_of_satellites",
                                      "is_valid_fix"};
        path_scope ps(r, names[f.number - 1]);
        std::uint64_t v;
        if (!r.read_varint(s, v)) return false;
        switch (f.number) {
            case 1:
                g.latitude = zigzag32(v);
                break;
            case 2:
                g.longitude = zigzag32(v);
                break;
            case 3:
                g.altitude = zigzag32(v);
                break;
            case 4:
                g.hdop = static_cast<std::uint32_t>(v);
                break;
            case 5:
                g.number_of_satellites = static_cast<std::uint32_t>(v);
                break;
            case 6:
                g.is_valid_fix = v != 0;
                break;
        }
        return true;
    });
}

bool decode_jpg(reader& r, span_t s, jpg_data& j) {
    return for_each_field(r, s, [&](span_t& s, const field& f) {
        if (f.number >= 1 && f.number <= 5 && f.type == wire::varint) {
            static const char* names[] = {"width", "height", "compression_ratio", "total_size",
                                          "color_channels"};
            path_scope ps(r, names[f.number - 1]);
            std::uint64_t v;
            if (!r.read_varint(s, v)) return false;
            std::uint32_t* fields[] = {&j.width, &j.height, &j.compression_ratio, &j.total_size,
                                       &j.color_channels};
            *fields[f.number - 1] = static_cast<std::uint32_t>(v);
            return true;
        }
        if (f.is(6, wire::delimited)) {
            path_scope ps(r, "image_data");
            span_t body;
            if (!r.read_delimited(s, body)) return false;
            j.image_data.assign(reinterpret_cast<const char*>(body.p),
                                static_cast<std::size_t>(body.end - body.p));
            return true;
        }
        return r.unexpected(s, f.number, f.type, f.at, f.number >= 1 && f.number <= 6);
    });
}

bool decode_sample_data(reader& r, span_t s, sample_value& v) {
    return for_each_field(r, s, [&](span_t& s, const field& f) {
        switch (f.number) {
            case 1:
            case 2:
            case 5:
                if (f.type == wire::varint) {
                    path_scope ps(r, f.number == 1   ? "uint64_value"
                                     : f.number == 2 ? "sint64_value"
                                                     : "bool_value");
                    std::uint64_t x;
                    if (!r.read_varint(s, x)) return false;
                    if (f.number == 1)
                        v = x;
                    else if (f.number == 2)
                        v = static_cast<std::int64_t>((x >> 1) ^ (~(x & 1) + 1));
                    else
                        v = x != 0;
                    return true;
                }
                break;
            case 3:
                if (f.type == wire::fixed32) {
                    path_scope ps(r, "float_value");
                    std::uint32_t x;
                    if (!r.read_fixed32(s, x)) return false;
                    v = std::bit_cast<float>(x);
                    return true;
                }
                break;
            case 4:
                if (f.type == wire::fixed64) {
                    path_scope ps(r, "double_value");
                    std::uint64_t x;
                    if (!r.read_fixed64(s, x)) return false;
                    v = std::bit_cast<double>(x);
                    return true;
                }
                break;
            case 6:
                if (f.type == wire::delimited) {
                    path_scope ps(r, "gps_value");
                    // Oneof: a second occurrence of the set member merges into it; another member resets.
                    if (!std::holds_alternative<gps_data>(v)) v = gps_data{};
                    return sub_message(r, s, f.at,
                                       [&](span_t b) { return decode_gps(r, b, std::get<gps_data>(v)); });
                }
                break;
            case 7:
                if (f.type == wire::delimited) {
                    path_scope ps(r, "jpg_value");
                    if (!std::holds_alternative<jpg_data>(v)) v = jpg_data{};
                    return sub_message(r, s, f.at,
                                       [&](span_t b) { return decode_jpg(r, b, std::get<jpg_data>(v)); });
                }
                break;
            default:
                break;
        }
        return r.unexpected(s, f.number, f.type, f.at, f.number >= 1 && f.number <= 7);
    });
}

bool decode_stamped(reader& r, span_t s, stamped_sample& m) {
    return for_each_field(r, s, [&](span_t& s, const field& f) {
        if (f.is(1, wire::varint)) {
            path_scope ps(r, "timestamp");
            return r.read_varint(s, m.timestamp);
        }
        if (f.is(2, wire::delimited)) {
            path_scope ps(r, "data");
            if (!m.data) m.data.emplace();
            return sub_message(r, s, f.at, [&](span_t b) { return decode_sample_data(r, b, *m.data); });
        }
        return r.unexpected(s, f.number, f.type, f.at, f.number == 1 || f.number == 2);
    });
}

bool decode_periodic(reader& r, span_t s, periodic_samples& m) {
    return for_each_field(r, s, [&](span_t& s, const field& f) {
        if (f.is(1, wire::varint) || f.is(2, wire::varint)) {
            path_scope ps(r, f.number == 1 ? "first_timestamp" : "interval");
            return r.read_varint(s, f.number == 1 ? m.first_timestamp : m.interval);
        }
        if (f.is(3, wire::delimited)) {
            path_scope ps(r, "data", static_cast<std::int64_t>(m.data.size()));
            if (!r.count_sample(f.at)) return false;
            auto& d = m.data.emplace_back();
            return sub_message(r, s, f.at, [&](span_t b) { return decode_sample_data(r, b, d); });
        }
        return r.unexpected(s, f.number, f.type, f.at, f.number >= 1 && f.number <= 3);
    });
}

bool decode_sparse(reader& r, span_t s, sparse_samples& m) {
    return for_each_field(r, s, [&](span_t& s, const field& f) {
        if (!f.is(1, wire::delimited)) return r.unexpected(s, f.number, f.type, f.at, f.number == 1);
        path_scope ps(r, "samples", static_cast<std::int64_t>(m.samples.size()));
        if (!r.count_sample(f.at)) return false;
        auto& d = m.samples.emplace_back();
        return sub_message(r, s, f.at, [&](span_t b) { return decode_stamped(r, b, d); });
    });
}

bool decode_type_and_number(reader& r, span_t s, channel_type_and_number& m) {
    return for_each_field(r, s, [&](span_t& s, const field& f) {
        if (!f.is(1, wire::varint) && !f.is(2, wire::varint))
            return r.unexpected(s, f.number, f.type, f.at, f.number == 1 || f.number == 2);
        path_scope ps(r, f.number == 1 ? "channel_number" : "channel_type");
        std::uint64_t v;
        if (!r.read_varint(s, v)) return false;
        // Both keep the low 32 bits: uint32 by definition, the (open) enum as an int32.
        if (f.number == 1)
            m.channel_number = static_cast<std::uint32_t>(v);
        else
            m.channel_type = static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
        return true;
    });
}

// A oneof member: a second occurrence merges into the set member, another member resets it.
template <class Member, class Fn>
bool oneof_member(reader& r, span_t& s, const field& f, samples_message& m, Fn&& decode) {
    if (!std::holds_alternative<Member>(m.samples)) m.samples = Member{};
    auto& p = std::get<Member>(m.samples);
    return sub_message(r, s, f.at, [&](span_t b) { return decode(r, b, p); });
}

bool decode_samples_message(reader& r, span_t s, samples_message& m) {
    return for_each_field(r, s, [&](span_t& s, const field& f) {
        if (f.is(2, wire::delimited)) {
            path_scope ps(r, "type_and_number");
            if (!m.type_and_number) m.type_and_number.emplace();
            return sub_message(r, s, f.at,
                               [&](span_t b) { return decode_type_and_number(r, b, *m.type_and_number); });
        }
        if (f.is(3, wire::delimited)) {
            path_scope ps(r, "periodic");
            return oneof_member<periodic_samples>(r, s, f, m, decode_periodic);
        }
        if (f.is(4, wire::delimited)) {
            path_scope ps(r, "sparse");
            return oneof_member<sparse_samples>(r, s, f, m, decode_sparse);
        }
        return r.unexpected(s, f.number, f.type, f.at, f.number >= 2 && f.number <= 4);
    });
}

}  // namespace

result<samples_batch> decode_samples_batch(std::span<const std::byte> in, decode_options opt) {
    reader r(reinterpret_cast<const std::uint8_t*>(in.data()), in.size(), opt.strict);
    r.set_max_samples(opt.max_samples);
    samples_batch b;
    // A guess that saves the vector's regrowth for typical reports (an entry takes at least
    // ~16 bytes in practice); capped, so hostile input cannot make it large.
    b.samples_batch.reserve(std::min<std::size_t>(in.size() / 16 + 1, 64));
    for_each_field(r, r.whole(), [&](span_t& s, const field& f) {
        if (f.is(1, wire::varint)) {
            path_scope ps(r, "report_id");
            std::uint64_t v;
            if (!r.read_varint(s, v)) return false;
            b.report_id = static_cast<std::int64_t>(v);
            return true;
        }
        if (f.is(2, wire::delimited)) {
            path_scope ps(r, "samples_batch", static_cast<std::int64_t>(b.samples_batch.size()));
            auto& m = b.samples_batch.emplace_back();
            return sub_message(r, s, f.at, [&](span_t body) { return decode_samples_message(r, body, m); });
        }
        return r.unexpected(s, f.number, f.type, f.at, f.number == 1 || f.number == 2);
    });
    if (r.error()) return *r.error();
    return b;
}

result<samples_batch> decode_samples_batch(std::string_view in, decode_options opt) {
    return decode_samples_batch(std::as_bytes(std::span(in.data(), in.size())), opt);
}

}  // namespace wv::payload
