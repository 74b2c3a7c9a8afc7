// ReportEndMessage: hand vectors, protoc, and the JSON mapping.
#include <doctest/doctest.h>

#include "payload/report_end.hpp"
#include "payload_test_helpers.hpp"

using namespace wv::payload;
using namespace wv::payload::test;

TEST_CASE("report end: byte-exact, equal to protoc") {
    const auto will = encode_report_end(7, report_end_reason::terminated, report_priority::high);
    CHECK(will == bytes({0x08, 0x07,     // report_id 7
                         0x10, 0x01,     // reason TERMINATED
                         0x18, 0x02}));  // report_priority HIGH
    CHECK(str(will) == protoc_encode("ReportEndMessage",
                                     "report_id: 7 reason: TERMINATED report_priority: REPORTING_PRIORITY_HIGH"));
    CHECK(encode_report_end(0, report_end_reason::closed).empty());  // all defaults: empty payload
    const auto invalid = encode_report_end(18446744073709551615ull, report_end_reason::closed, report_priority::invalid);
    CHECK(str(invalid) == protoc_encode("ReportEndMessage",
                                        "report_id: 18446744073709551615 report_priority: REPORTING_PRIORITY_INVALID"));
}

TEST_CASE("report end: decode and JSON") {
    const auto m = decode_report_end(encode_report_end(12, report_end_reason::terminated, report_priority::invalid)).value();
    CHECK(m.report_id == 12);
    CHECK(to_json(m) == nlohmann::json{{"reportId", "12"}, {"reason", "TERMINATED"},
                                       {"reportPriority", "REPORTING_PRIORITY_INVALID"}});
    CHECK(to_json(decode_report_end(std::string_view{}).value()) ==
          nlohmann::json{{"reportId", "0"}, {"reason", "CLOSED"}, {"reportPriority", "REPORTING_PRIORITY_LOW"}});
    CHECK(to_json(decode_report_end(bytes({0x10, 0x07})).value())["reason"] == 7);  // open enum
    const auto bad = decode_report_end(bytes({0x08, 0x80}));
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().code == payload_errc::truncated_varint);
    CHECK(bad.error().offset == 1);
    CHECK(bad.error().field_path == "report_id");
}
