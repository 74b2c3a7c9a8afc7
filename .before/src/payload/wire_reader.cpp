#include "payload/wire_reader.hpp"

namespace wv::payload::wire {

bool reader::fail(payload_errc code, const std::uint8_t* at, std::string detail) {
    if (error_) return false;
    decode_error e{.code = code, .offset = static_cast<std::size_t>(at - base_), .field_path = {}, .detail = std::move(detail)};
    for (int i = 0; i < depth_; ++i) {
        const auto& f = path_[static_cast<std::size_t>(i)];
        if (!e.field_path.empty()) e.field_path += '.';
        e.field_path += f.name;
        if (f.index >= 0) e.field_path += "[" + std::to_string(f.index) + "]";
    }
    if (depth_ > static_cast<int>(path_.size())) e.field_path += "...";
    error_ = std::move(e);
    return false;
}

void reader::push(const char* name, std::int64_t index) noexcept {
    if (depth_ < static_cast<int>(path_.size())) path_[static_cast<std::size_t>(depth_)] = {name, index};
    ++depth_;
}

bool reader::read_varint(span& s, std::uint64_t& v) {
    const std::uint8_t* start = s.p;
    std::uint64_t r = 0;
    for (int i = 0; i < 10; ++i) {
        if (s.p >= s.end) return fail(payload_errc::truncated_varint, start);
        const std::uint8_t b = *s.p++;
        r |= static_cast<std::uint64_t>(b & 0x7f) << (7 * i);  // i == 9: bits past 64 drop out
        if (b < 0x80) {
            v = r;
            return true;
        }
    }
    return fail(payload_errc::varint_too_long, start, "more than 10 bytes");
}

bool reader::read_tag(span& s, std::uint32_t& field, std::uint8_t& type) {
    const std::uint8_t* start = s.p;
    std::uint32_t r = 0;
    for (int i = 0; i < 5; ++i) {
        if (s.p >= s.end) return fail(payload_errc::truncated_varint, start, "in a tag");
        const std::uint8_t b = *s.p++;
        r |= static_cast<std::uint32_t>(b & 0x7f) << (7 * i);  // libprotobuf keeps the low 32 bits
        if (b < 0x80) {
            field = r >> 3;
            type = static_cast<std::uint8_t>(r & 7);
            if (r == 0 || field == 0) return fail(payload_errc::field_number_zero, start);
            if (type == end_group) return fail(payload_errc::unmatched_end_group, start);
            if (type > fixed32) return fail(payload_errc::invalid_wire_type, start, "wire type " + std::to_string(type));
            return true;
        }
    }
    return fail(payload_errc::varint_too_long, start, "tag longer than 5 bytes");
}

bool reader::read_fixed32(span& s, std::uint32_t& v) {
    if (s.end - s.p < 4)
        return fail(payload_errc::truncated_fixed, s.p, "needs 4 bytes, " + std::to_string(s.end - s.p) + " left");
    v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(s.p[i]) << (8 * i);
    s.p += 4;
    return true;
}

bool reader::read_fixed64(span& s, std::uint64_t& v) {
    if (s.end - s.p < 8)
        return fail(payload_errc::truncated_fixed, s.p, "needs 8 bytes, " + std::to_string(s.end - s.p) + " left");
    v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(s.p[i]) << (8 * i);
    s.p += 8;
    return true;
}

bool reader::read_delimited(span& s, span& body) {
    const std::uint8_t* start = s.p;
    std::uint64_t len = 0;
    for (int i = 0;; ++i) {
        if (i == 5) return fail(payload_errc::varint_too_long, start, "length longer than 5 bytes");
        if (s.p >= s.end) return fail(payload_errc::truncated_varint, start, "in a length");
        const std::uint8_t b = *s.p++;
        len |= static_cast<std::uint64_t>(b & 0x7f) << (7 * i);
        if (b < 0x80) break;
    }
    const auto left = static_cast<std::uint64_t>(s.end - s.p);
    if (len > left)
        return fail(payload_errc::length_past_end, start,
                    "length " + std::to_string(len) + ", " + std::to_string(left) + " bytes left");
    body = {s.p, s.p + len};
    s.p += len;
    return true;
}

bool reader::enter(const std::uint8_t* at) {
    if (--depth_left_ < 0) {
        ++depth_left_;
        return fail(payload_errc::nesting_too_deep, at, "limit " + std::to_string(recursion_limit));
    }
    return true;
}

bool reader::skip_group(span& s, std::uint32_t field, const std::uint8_t* tag_at) {
    if (!enter(tag_at)) return false;
    for (;;) {
        if (s.done()) {
            leave();
            return fail(payload_errc::unterminated_group, tag_at, "field " + std::to_string(field));
        }
        // Read the tag by hand: here an END_GROUP is expected, not an error.
        const std::uint8_t* at = s.p;
        std::uint64_t raw = 0;
        span probe = s;
        if (!read_varint(probe, raw)) return leave(), false;
        if (probe.p - at > 5) return leave(), fail(payload_errc::varint_too_long, at, "tag longer than 5 bytes");
        const auto tag = static_cast<std::uint32_t>(raw);
        if ((tag & 7) == end_group) {
            leave();
            if ((tag >> 3) != field)
                return fail(payload_errc::unmatched_end_group, at,
                            "closes field " + std::to_string(tag >> 3) + ", open group is field " + std::to_string(field));
            s.p = probe.p;
            return true;
        }
        std::uint32_t f = 0;
        std::uint8_t t = 0;
        if (!read_tag(s, f, t) || !skip(s, f, t, at)) return leave(), false;
    }
}

bool reader::skip(span& s, std::uint32_t field, std::uint8_t type, const std::uint8_t* tag_at) {
    switch (type) {
    case varint: {
        std::uint64_t v;
        return read_varint(s, v);
    }
    case fixed64: {
        std::uint64_t v;
        return read_fixed64(s, v);
    }
    case delimited: {
        span body;
        return read_delimited(s, body);
    }
    case start_group: return skip_group(s, field, tag_at);
    case fixed32: {
        std::uint32_t v;
        return read_fixed32(s, v);
    }
    default: return fail(payload_errc::invalid_wire_type, tag_at);
    }
}

bool reader::unexpected(span& s, std::uint32_t field, std::uint8_t type, const std::uint8_t* tag_at, bool known) {
    if (strict_) {
        if (known)
            return fail(payload_errc::wrong_wire_type, tag_at,
                        "field " + std::to_string(field) + " has wire type " + std::to_string(type));
        return fail(payload_errc::unknown_field, tag_at, "field " + std::to_string(field));
    }
    return skip(s, field, type, tag_at);
}

}  // namespace wv::payload::wire
