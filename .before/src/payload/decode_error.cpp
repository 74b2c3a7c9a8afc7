#include "payload/decode_error.hpp"

namespace wv::payload {
namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "wv.payload"; }
    std::string message(int ev) const override {
        switch (static_cast<payload_errc>(ev)) {
        case payload_errc::truncated_varint: return "truncated varint";
        case payload_errc::varint_too_long: return "varint too long";
        case payload_errc::truncated_fixed: return "truncated fixed-width value";
        case payload_errc::length_past_end: return "length past the end";
        case payload_errc::invalid_wire_type: return "invalid wire type";
        case payload_errc::field_number_zero: return "invalid field number 0";
        case payload_errc::unmatched_end_group: return "unmatched END_GROUP";
        case payload_errc::unterminated_group: return "group without END_GROUP";
        case payload_errc::nesting_too_deep: return "nesting too deep";
        case payload_errc::wrong_wire_type: return "wrong wire type for the field";
        case payload_errc::unknown_field: return "unknown field";
        case payload_errc::invalid_input: return "invalid input";
        case payload_errc::too_many_samples: return "too many samples";
        }
        return "unknown payload error";
    }
};

}  // namespace

const std::error_category& payload_category() noexcept {
    static const category c;
    return c;
}

std::error_code make_error_code(payload_errc e) noexcept { return {static_cast<int>(e), payload_category()}; }

std::string decode_error::message() const {
    std::string m = make_error_code(code).message();
    m += " at byte " + std::to_string(offset);
    if (!field_path.empty()) m += " in " + field_path;
    if (!detail.empty()) m += " (" + detail + ")";
    return m;
}

}  // namespace wv::payload
