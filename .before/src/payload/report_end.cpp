#include "payload/report_end.hpp"

#include <nlohmann/json.hpp>

#include "payload/wire_reader.hpp"
#include "payload/wire_writer.hpp"

namespace wv::payload {

std::vector<std::byte> encode_report_end(std::uint64_t report_id, report_end_reason reason,
                                         report_priority priority) {
    std::byte buf[3 * 11];
    wire::back_writer w{buf + sizeof buf};
    // Enums are int32 on the wire: a negative one would be a 10-byte varint (none are).
    w.opt_varint(0x18, static_cast<std::uint64_t>(static_cast<std::int64_t>(priority)));
    w.opt_varint(0x10, static_cast<std::uint64_t>(static_cast<std::int64_t>(reason)));
    w.opt_varint(0x08, report_id);
    return {w.p, buf + sizeof buf};
}

result<report_end> decode_report_end(std::span<const std::byte> in) {
    wire::reader r(reinterpret_cast<const std::uint8_t*>(in.data()), in.size(), false);
    report_end m;
    wire::for_each_field(r, r.whole(), [&](wire::reader::span& s, const wire::field& f) {
        if (f.number < 1 || f.number > 3 || f.type != wire::varint)
            return r.unexpected(s, f.number, f.type, f.at, f.number >= 1 && f.number <= 3);
        static const char* names[] = {"report_id", "reason", "report_priority"};
        wire::path_scope ps(r, names[f.number - 1]);
        std::uint64_t v;
        if (!r.read_varint(s, v)) return false;
        if (f.number == 1)
            m.report_id = v;
        else
            (f.number == 2 ? m.reason : m.priority) =
                static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
        return true;
    });
    if (r.error()) return *r.error();
    return m;
}

result<report_end> decode_report_end(std::string_view in) {
    return decode_report_end(std::as_bytes(std::span(in.data(), in.size())));
}

nlohmann::json to_json(const report_end& m) {
    nlohmann::json j;
    j["reportId"] = std::to_string(m.report_id);
    switch (m.reason) {
        case 0:
            j["reason"] = "CLOSED";
            break;
        case 1:
            j["reason"] = "TERMINATED";
            break;
        default:
            j["reason"] = m.reason;  // proto3 open enum: unknown numbers print as numbers
    }
    switch (m.priority) {
        case 0:
            j["reportPriority"] = "REPORTING_PRIORITY_LOW";
            break;
        case 1:
            j["reportPriority"] = "REPORTING_PRIORITY_MEDIUM";
            break;
        case 2:
            j["reportPriority"] = "REPORTING_PRIORITY_HIGH";
            break;
        case 255:
            j["reportPriority"] = "REPORTING_PRIORITY_INVALID";
            break;
        default:
            j["reportPriority"] = m.priority;
    }
    return j;
}

}  // namespace wv::payload
