#pragma once
// Internal: a protobuf wire-format reader with libprotobuf's acceptance rules, that remembers
// where it is (byte offset, field path) so the first failure can be reported precisely.
//
// Rules mirrored from libprotobuf 3.21's parser, so that what we accept is what Ayyeka's
// Lambda accepts: values are varints of at most 10 bytes (bits past 64 dropped); tags and
// lengths at most 5 bytes; field number 0, wire types 6/7 and stray END_GROUPs fail;
// unknown fields (and known ones with another wire type) are skipped, groups included, with
// sub-messages and groups together nested at most 100 deep.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "payload/decode_error.hpp"

namespace wv::payload::wire {

enum wire_type : std::uint8_t {
    varint = 0,
    fixed64 = 1,
    delimited = 2,
    start_group = 3,
    end_group = 4,
    fixed32 = 5
};

inline constexpr int recursion_limit = 100;

class reader {
public:
    reader(const std::uint8_t* data, std::size_t size, bool strict)
        : base_(data), end_(data + size), strict_(strict) {}

    struct span {
        const std::uint8_t* p;
        const std::uint8_t* end;
        bool done() const noexcept { return p >= end; }
    };
    span whole() const noexcept { return {base_, end_}; }

    // Each returns false after recording the error (the first one wins).
    bool read_tag(span& s, std::uint32_t& field, std::uint8_t& type);
    bool read_varint(span& s, std::uint64_t& v);
    bool read_fixed32(span& s, std::uint32_t& v);
    bool read_fixed64(span& s, std::uint64_t& v);
    // A length-delimited body: `body` spans it, `s` moves past it.
    bool read_delimited(span& s, span& body);
    // Skips a field whose tag was just read; handles groups. `tag_at` is where its tag began.
    bool skip(span& s, std::uint32_t field, std::uint8_t type, const std::uint8_t* tag_at);
    // For fields the schema knows but with another wire type: strict mode fails, else skip.
    bool unexpected(span& s, std::uint32_t field, std::uint8_t type, const std::uint8_t* tag_at, bool known);

    // Counts one sample against the max_samples budget (0: unlimited).
    bool count_sample(const std::uint8_t* at) {
        if (max_samples_ && ++samples_ > max_samples_)
            return fail(payload_errc::too_many_samples, at, "limit " + std::to_string(max_samples_));
        return true;
    }
    void set_max_samples(std::size_t n) noexcept { max_samples_ = n; }

    // Nesting: enter() before decoding a sub-message, leave() after.
    bool enter(const std::uint8_t* at);
    void leave() noexcept { ++depth_left_; }

    // The field path, kept as a small stack and only rendered on error.
    void push(const char* name, std::int64_t index = -1) noexcept;
    void pop() noexcept {
        if (depth_ > 0) --depth_;
    }

    bool fail(payload_errc code, const std::uint8_t* at, std::string detail = {});
    const std::optional<decode_error>& error() const noexcept { return error_; }

private:
    bool skip_group(span& s, std::uint32_t field, const std::uint8_t* tag_at);

    struct frame {
        const char* name;
        std::int64_t index;
    };
    const std::uint8_t* base_;
    const std::uint8_t* end_;
    bool strict_;
    int depth_left_ = recursion_limit;
    std::size_t max_samples_ = 0;
    std::size_t samples_ = 0;
    std::array<frame, 16> path_{};
    int depth_ = 0;
    std::optional<decode_error> error_;
};

// One field's tag, as read: its number, its wire type and where the tag began (errors and
// skips point there).
struct field {
    std::uint32_t number;
    std::uint8_t type;
    const std::uint8_t* at;
    bool is(std::uint32_t n, wire_type t) const noexcept { return number == n && type == t; }
};

// The loop every message decoder shares: reads each tag of the message in `s` and calls
// `on_field(s, f)`, which consumes (or skips) that field's value from `s`. Stops at the first
// false from either side; the reader holds the error.
template <class Fn>
bool for_each_field(reader& r, reader::span s, Fn&& on_field) {
    while (!s.done()) {
        field f{0, 0, s.p};
        if (!r.read_tag(s, f.number, f.type) || !on_field(s, f)) return false;
    }
    return true;
}

// Scope guard for a path segment.
class path_scope {
public:
    path_scope(reader& r, const char* name, std::int64_t index = -1) : r_(r) { r_.push(name, index); }
    ~path_scope() { r_.pop(); }
    path_scope(const path_scope&) = delete;
    path_scope& operator=(const path_scope&) = delete;

private:
    reader& r_;
};

}  // namespace wv::payload::wire
