// The reference decoder's data_samples JSON, field by field, on payloads protoc encodes from
// hand-written text; each also checked against libprotobuf's JSON route.
#include <doctest/doctest.h>

#include "payload/channel_type.hpp"
#include "payload/lambda_json.hpp"
#include "payload_test_helpers.hpp"
#include "util/base64.hpp"

using namespace wv::payload;
using namespace wv::payload::test;
using nlohmann::json;

namespace {

json decode_text(std::string_view text) {
    const auto wire = protoc_encode("SamplesBatchMessage", text);
    const auto r = decode_samples_to_lambda_json(bytes(wire));
    INFO(text);
    REQUIRE_MESSAGE(r.has_value(), r.error().message());
    CHECK(r.value() == libprotobuf_lambda_json(wire));
    return r.value();
}

}  // namespace

TEST_CASE("lambda json: periodic samples expand to first_timestamp + i * interval") {
    const auto j = decode_text(R"(report_id: 1
        samples_batch { type_and_number { channel_number: 2 channel_type: TEMP_CHANNEL_TYPE }
          periodic { first_timestamp: 1700000000000 interval: 500
                     data { uint64_value: 10 } data { uint64_value: 11 } data { uint64_value: 12 } } })");
    CHECK(j["reportId"] == "1");
    CHECK(j["totalSamples"] == 3);
    REQUIRE(j["samples"].size() == 3);
    CHECK(j["samples"][0] == json{{"timestamp", "1700000000000"}, {"value", "10"}, {"channelNumber", 2},
                                  {"channelType", "TEMP_CHANNEL_TYPE"}});
    CHECK(j["samples"][1]["timestamp"] == "1700000000500");
    CHECK(j["samples"][1]["value"] == "11");
    CHECK(j["samples"][2]["timestamp"] == "1700000001000");
    CHECK(j["samples"][2]["value"] == "12");
}

TEST_CASE("lambda json: sparse samples keep their own timestamps") {
    const auto j = decode_text(R"(report_id: 9
        samples_batch { type_and_number { channel_number: 1 channel_type: PCNT_CHANNEL_TYPE }
          sparse { samples { timestamp: 5 data { sint64_value: -3 } }
                   samples { timestamp: 2 data { bool_value: true } }
                   samples { data { bool_value: false } }
                   samples { timestamp: 7 } } })");
    REQUIRE(j["totalSamples"] == 4);
    CHECK(j["samples"][0] == json{{"timestamp", "5"}, {"value", "-3"}, {"channelNumber", 1},
                                  {"channelType", "PCNT_CHANNEL_TYPE"}});
    CHECK(j["samples"][1]["timestamp"] == "2");
    CHECK(j["samples"][1]["value"] == true);
    CHECK(j["samples"][2]["timestamp"] == "0");  // default-valued field printed
    CHECK(j["samples"][2]["value"] == false);    // a set oneof member, even at its default
    CHECK(j["samples"][3]["value"].is_null());   // no data at all
}

TEST_CASE("lambda json: GPS and JPG values are objects with every field") {
    const auto j = decode_text(R"(report_id: 3
        samples_batch { type_and_number { channel_number: 4 channel_type: GPS_CHANNEL_TYPE }
          periodic { first_timestamp: 1 interval: 1
            data { gps_value { latitude: 320853000 longitude: -347818000 hdop: 90 is_valid_fix: true } }
            data { gps_value { } } } }
        samples_batch { type_and_number { channel_number: 5 channel_type: BLOB_CHANNEL_TYPE }
          periodic { data { jpg_value { width: 640 height: 480 total_size: 4 image_data: "\377\330\377\331" } } } })");
    REQUIRE(j["totalSamples"] == 3);
    CHECK(j["samples"][0]["value"] == json{{"latitude", 320853000}, {"longitude", -347818000}, {"altitude", 0},
                                           {"hdop", 90}, {"numberOfSatellites", 0}, {"isValidFix", true}});
    CHECK(j["samples"][1]["value"] == json{{"latitude", 0}, {"longitude", 0}, {"altitude", 0},
                                           {"hdop", 0}, {"numberOfSatellites", 0}, {"isValidFix", false}});
    CHECK(j["samples"][2]["value"] == json{{"width", 640}, {"height", 480}, {"compressionRatio", 0},
                                           {"totalSize", 4}, {"colorChannels", 0}, {"imageData", "/9j/2Q=="}});
    CHECK(j["samples"][2]["timestamp"] == "0");
    CHECK(j["samples"][2]["channelType"] == "BLOB_CHANNEL_TYPE");
}

TEST_CASE("lambda json: every ChannelType by name, unknown numbers as numbers") {
    std::string text = "report_id: 1\n";
    for (int t = 0; t < channel_type_count; ++t)
        text += "samples_batch { type_and_number { channel_number: " + std::to_string(t) + " channel_type: " +
                std::string(*channel_type_name(t)) + " } periodic { data { bool_value: true } } }\n";
    text += "samples_batch { type_and_number { channel_type: 77 } periodic { data { bool_value: true } } }\n";
    const auto j = decode_text(text);
    REQUIRE(j["totalSamples"] == channel_type_count + 1);
    const char* expected[] = {"ADC_4_20_CHANNEL_TYPE", "ADC_0_5_CHANNEL_TYPE", "PCNT_CHANNEL_TYPE", "VBAT_CHANNEL_TYPE",
                              "TEMP_CHANNEL_TYPE", "HEALTH_COUNTERS_CHANNEL_TYPE", "GSM_SIGNAL_CHANNEL_TYPE",
                              "GPS_CHANNEL_TYPE", "BLOB_CHANNEL_TYPE", "GPIO_CHANNEL_TYPE", "MODBUS_UINT32_CHANNEL_TYPE",
                              "MODBUS_SINT32_CHANNEL_TYPE", "MODBUS_F32_CHANNEL_TYPE", "ADC_S32_CHANNEL_TYPE",
                              "TOUCH_CHANNEL_TYPE", "LORA_SIGNAL_CHANNEL_TYPE"};
    for (int t = 0; t < channel_type_count; ++t) {
        CHECK(j["samples"][t]["channelType"] == expected[t]);
        CHECK(j["samples"][t]["channelNumber"] == t);
    }
    CHECK(j["samples"][channel_type_count]["channelType"] == 77);
}

TEST_CASE("lambda json: 64-bit values above 2^53 and negative sint64 stay exact strings") {
    const auto j = decode_text(R"(report_id: -9223372036854775808
        samples_batch { type_and_number { channel_number: 4294967295 }
          periodic { first_timestamp: 18446744073709551615 interval: 18446744073709551615
            data { uint64_value: 18446744073709551615 } data { uint64_value: 9007199254740993 }
            data { sint64_value: -9223372036854775808 } data { sint64_value: 9223372036854775807 } } })");
    CHECK(j["reportId"] == "-9223372036854775808");
    CHECK(j["samples"][0]["value"] == "18446744073709551615");
    CHECK(j["samples"][1]["value"] == "9007199254740993");
    CHECK(j["samples"][2]["value"] == "-9223372036854775808");
    CHECK(j["samples"][3]["value"] == "9223372036854775807");
    CHECK(j["samples"][0]["channelNumber"] == 4294967295u);
    CHECK(j["samples"][0]["channelType"] == "ADC_4_20_CHANNEL_TYPE");
    // Past 2^64, as Python's integers compute it: (2^64 - 1) * 4.
    CHECK(j["samples"][3]["timestamp"] == "73786976294838206460");
}

TEST_CASE("lambda json: floats and doubles print as libprotobuf prints them") {
    const auto j = decode_text(R"(samples_batch { periodic {
        data { float_value: 0.1 } data { float_value: 0.123456789 } data { float_value: 1e30 }
        data { float_value: -0 } data { float_value: nan } data { float_value: inf } data { float_value: -inf }
        data { double_value: 0.1 } data { double_value: 5 } data { double_value: 1e-300 }
        data { double_value: nan } data { double_value: -inf }
        data { float_value: 1.6395192e-43 } data { float_value: 1.17549435e-38 } } })");
    const auto& s = j["samples"];
    CHECK(s[0]["value"] == 0.1);          // "%.6g" round-trips
    CHECK(s[1]["value"] == 0.123456791);  // needs "%.9g"
    CHECK(s[2]["value"] == 1e30);
    CHECK(s[3]["value"] == 0.0);
    CHECK(s[4]["value"] == "NaN");
    CHECK(s[5]["value"] == "Infinity");
    CHECK(s[6]["value"] == "-Infinity");
    CHECK(s[7]["value"] == 0.1);
    CHECK(s[8]["value"] == 5.0);
    CHECK(s[9]["value"] == 1e-300);
    CHECK(s[10]["value"] == "NaN");
    CHECK(s[11]["value"] == "-Infinity");
    CHECK(s[12]["value"] == 1.6395192e-43);  // subnormal: "%.6g" would round-trip, libprotobuf prints 9 digits
    CHECK(s[13]["value"] == 1.17549435e-38);  // FLT_MIN
    CHECK(s[0]["channelNumber"].is_null());  // no type_and_number: our documented choice
    CHECK(j["reportId"] == "0");
}

TEST_CASE("lambda json: empty batch, empty entries, empty payload") {
    CHECK(decode_samples_to_lambda_json({}).value() ==
          json{{"reportId", "0"}, {"totalSamples", 0}, {"samples", json::array()}});
    const auto j = decode_text("report_id: 5 samples_batch { } samples_batch { periodic { } } samples_batch { sparse { } }");
    CHECK(j == json{{"reportId", "5"}, {"totalSamples", 0}, {"samples", json::array()}});
    const auto k = decode_text("samples_batch { periodic { data { } } }");
    CHECK(k["samples"][0]["value"].is_null());
}

TEST_CASE("lambda json: libprotobuf merge and oneof rules") {
    // The same oneof member twice merges; another member replaces; repeated fields append.
    const auto wire = bytes({0x12, 0x0e,                             // samples_batch
                             0x12, 0x02, 0x08, 0x03,                 //   type_and_number {channel_number: 3}
                             0x12, 0x02, 0x10, 0x07,                 //   type_and_number {channel_type: GPS} (merges)
                             0x1a, 0x04, 0x1a, 0x02, 0x08, 0x01});   //   periodic {data {uint64_value: 1}}
    const auto j = decode_samples_to_lambda_json(wire).value();
    CHECK(j["samples"][0]["channelNumber"] == 3);
    CHECK(j["samples"][0]["channelType"] == "GPS_CHANNEL_TYPE");
    CHECK(j == libprotobuf_lambda_json(str(wire)));
    // SampleData {uint64_value: 1, bool_value: true}: the last member set wins.
    const auto last = bytes({0x12, 0x08, 0x1a, 0x06, 0x1a, 0x04, 0x08, 0x01, 0x28, 0x01});
    CHECK(decode_samples_to_lambda_json(last).value()["samples"][0]["value"] == true);
    CHECK(decode_samples_to_lambda_json(last).value() == libprotobuf_lambda_json(str(last)));
}

TEST_CASE("lambda event: full result, ignored topics, bad events") {
    const auto wire = protoc_encode("SamplesBatchMessage",
        "report_id: 2 samples_batch { type_and_number { channel_number: 1 channel_type: TEMP_CHANNEL_TYPE } "
        "periodic { first_timestamp: 100 interval: 500 data { uint64_value: 77 } } }");
    const json event = {{"client_id", "AKID-0"}, {"topic", "wv/AKID-0/1/samp/p1"},
                        {"data", wv::util::base64_encode(std::string_view(wire))}, {"timestamp", 1700000000999}};
    const auto r = lambda_result_for_event(event).value();
    REQUIRE(r.output);
    CHECK((*r.output)["thingMetadata"]["mqtt_clientid"] == "AKID-0");
    CHECK((*r.output)["thingMetadata"]["mqtt_topic"] == "wv/AKID-0/1/samp/p1");
    CHECK((*r.output)["data_samples"] == decode_samples_to_lambda_json(bytes(wire)).value());

    auto other = event;
    other["topic"] = "wv/AKID-0/1/reportend/p1";
    CHECK_FALSE(lambda_result_for_event(other).value().output);

    auto bad = event;
    bad["data"] = "!!!";
    CHECK(lambda_result_for_event(bad).error().code == payload_errc::invalid_input);
    bad.erase("client_id");
    CHECK(lambda_result_for_event(bad).error().code == payload_errc::invalid_input);
    CHECK(lambda_result_for_event(json::array()).error().code == payload_errc::invalid_input);
    auto truncated = event;
    truncated["data"] = wv::util::base64_encode(std::string_view(wire).substr(0, 5));
    const auto e = lambda_result_for_event(truncated);
    REQUIRE_FALSE(e.has_value());
    CHECK(e.error().code == payload_errc::length_past_end);
}
