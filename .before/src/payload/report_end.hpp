#pragma once
// akproto1.ReportEndMessage: the last will (TERMINATED) and the clean end of a session (CLOSED).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "payload/decode_error.hpp"

namespace wv::payload {

enum class report_end_reason : std::int32_t { closed = 0, terminated = 1 };
enum class report_priority : std::int32_t { low = 0, medium = 1, high = 2, invalid = 255 };

struct report_end {
    std::uint64_t report_id = 0;
    std::int32_t reason = 0;     // report_end_reason; proto3 keeps unknown numbers
    std::int32_t priority = 0;   // report_priority
};

// Bytes identical to libprotobuf's serialization (default fields omitted, so CLOSED/LOW with
// report_id 0 is the empty payload).
std::vector<std::byte> encode_report_end(std::uint64_t report_id, report_end_reason reason,
                                         report_priority priority = report_priority::low);

// Decodes with libprotobuf's semantics (unknown fields skipped, last value wins).
result<report_end> decode_report_end(std::span<const std::byte> in);
result<report_end> decode_report_end(std::string_view in);

// Protobuf JSON mapping with default-valued fields:
// {"reportId":"7","reason":"TERMINATED","reportPriority":"REPORTING_PRIORITY_LOW"}
nlohmann::json to_json(const report_end& m);

}  // namespace wv::payload
