#pragma once
// Why a Wavelet payload failed to decode, where, and a small expected-like result type.
//
// Every decoder in wv::payload reports the byte offset (from the start of the input) and the
// field path (for example `samples_batch[1].periodic.data[0].gps_value`) of the first problem,
// so a user can find the bad byte in a hex dump. Decoders never throw on bad input.
#include <cstddef>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

namespace wv::payload {

enum class payload_errc {
    truncated_varint = 1,   // input ended inside a varint
    varint_too_long,        // more than 10 bytes (5 for a tag or a length), as libprotobuf rejects
    truncated_fixed,        // input ended inside a fixed32/fixed64 value
    length_past_end,        // a length-delimited field claims more bytes than its parent holds
    invalid_wire_type,      // wire type 6 or 7
    field_number_zero,      // tag with field number 0 (or above 2^29 - 1)
    unmatched_end_group,    // END_GROUP without its START_GROUP, or with another field number
    unterminated_group,     // START_GROUP whose END_GROUP never comes
    nesting_too_deep,       // groups nested deeper than libprotobuf's recursion limit (100)
    wrong_wire_type,        // strict mode only: a known field with another wire type
    unknown_field,          // strict mode only: a field number the schema does not have
    invalid_input,          // not a payload at all (bad base64/hex, bad event JSON)
    too_many_samples,       // more samples than decode_options::max_samples allows
};

const std::error_category& payload_category() noexcept;
std::error_code make_error_code(payload_errc e) noexcept;

struct decode_error {
    payload_errc code{};
    std::size_t offset = 0;  // byte offset in the decoded input where the problem starts
    std::string field_path;  // empty at the top level
    std::string detail;      // optional extra words, e.g. "needs 12 bytes, 3 left"

    // "truncated varint at byte 17 in samples_batch[0].periodic.first_timestamp (...)"
    std::string message() const;
};

// Holds either a T or a decode_error (std::expected is C++23).
template <class T>
class result {
public:
    result(T v) : v_(std::in_place_index<0>, std::move(v)) {}
    result(decode_error e) : v_(std::in_place_index<1>, std::move(e)) {}

    bool has_value() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }
    // Precondition: has_value() (checked: throws std::bad_variant_access otherwise).
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    // Precondition: !has_value().
    const decode_error& error() const { return std::get<1>(v_); }

private:
    std::variant<T, decode_error> v_;
};

}  // namespace wv::payload

template <>
struct std::is_error_code_enum<wv::payload::payload_errc> : std::true_type {};
