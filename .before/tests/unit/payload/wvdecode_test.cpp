// wvdecode end to end: the built binary, its streams and its exit codes.
#include <doctest/doctest.h>

#include <sstream>

#include "payload/lambda_json.hpp"
#include "payload/report_encoder.hpp"
#include "payload_test_helpers.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"
#include "util/base64.hpp"
#include "util/hex.hpp"

using namespace wv::payload;
using namespace wv::payload::test;
using nlohmann::json;

namespace {

wv::test::run_result wvdecode(std::vector<std::string> args, std::string input = {}) {
    args.insert(args.begin(), WVDECODE_PATH);
    return wv::test::run(std::move(args), std::move(input));
}

std::vector<std::string> lines(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

// A one-channel report: hex 080712121204080110041a0a08e80710f4031a02082a.
const std::string vector_hex = "080712121204080110041a0a08e80710f4031a02082a";
const std::string vector_b64 = "CAcSEhIECAEQBBoKCOgHEPQDGgIIKg==";
const json vector_json = {{"reportId", "7"}, {"totalSamples", 1},
                          {"samples", {{{"timestamp", "1000"}, {"value", "42"}, {"channelNumber", 1},
                                        {"channelType", "TEMP_CHANNEL_TYPE"}}}}};

std::string default_report(std::int64_t id) {
    report_encoder enc(default_profile());
    std::vector<std::byte> out;
    enc.encode(id, 1'700'000'000'000, out);
    return str(out);
}

}  // namespace

TEST_CASE("wvdecode: --help lists every option and exits 0") {
    const auto r = wvdecode({"--help"});
    CHECK(r.exit_code == 0);
    for (const char* opt : {"--file", "--in", "--type", "--lambda", "--event", "--text", "--encode", "--out",
                            "--strict", "--pretty", "Exit codes"})
        CHECK_MESSAGE(r.out.find(opt) != std::string::npos, opt);
}

TEST_CASE("wvdecode: usage errors exit 2") {
    CHECK(wvdecode({"--bogus"}).exit_code == 2);
    CHECK(wvdecode({"--in", "morse", vector_hex}).exit_code == 2);
    CHECK(wvdecode({"--out", "hex", vector_hex}).exit_code == 2);
    CHECK(wvdecode({"--text", "--event"}).exit_code == 2);
    CHECK(wvdecode({"-f", "x", vector_hex}).exit_code == 2);
}

TEST_CASE("wvdecode: one argument, hex or base64, auto-detected") {
    for (const auto& arg : {vector_hex, vector_b64}) {
        const auto r = wvdecode({arg});
        CHECK(r.exit_code == 0);
        CHECK(json::parse(r.out) == vector_json);
        CHECK(r.out.starts_with(R"({"reportId":"7","totalSamples":1,"samples":[{"timestamp":"1000","value":"42",)"));
    }
    CHECK(json::parse(wvdecode({"--in", "hex", vector_hex}).out) == vector_json);
}

TEST_CASE("wvdecode: stdin lines, a malformed one among good ones") {
    const auto a = default_report(1), b = default_report(2);
    const std::string input = wv::util::base64_encode(std::string_view(a)) + "\n" +
                              wv::util::base64_encode(std::string_view(a).substr(0, 9)) + "\n\n" +
                              wv::util::base64_encode(std::string_view(b)) + "\n" + "%%%\n";
    const auto r = wvdecode({"--in", "base64"}, input);
    CHECK(r.exit_code == 3);
    const auto out = lines(r.out);
    REQUIRE(out.size() == 2);
    CHECK(json::parse(out[0]) == decode_samples_to_lambda_json(bytes(a)).value());
    CHECK(json::parse(out[1]) == decode_samples_to_lambda_json(bytes(b)).value());
    INFO(r.err);
    CHECK(r.err.find("line 2: SamplesBatchMessage: length past the end at byte 3 in samples_batch[0]") != std::string::npos);
    CHECK(r.err.find("line 5: not valid base64") != std::string::npos);
}

TEST_CASE("wvdecode: a binary file is one raw payload") {
    wv::test::temp_dir dir;
    const auto report = default_report(3);
    const auto path = dir.write("r.bin", report).string();
    const auto expected = decode_samples_to_lambda_json(bytes(report)).value();
    CHECK(json::parse(wvdecode({"-f", path, "--in", "raw"}).out) == expected);
    CHECK(json::parse(wvdecode({"-f", path}).out) == expected);   // auto: binary bytes seen
    CHECK(json::parse(wvdecode({"-f", "-", "--in", "raw"}, report).out) == expected);
    const auto missing = wvdecode({"-f", (dir / "nope.bin").string()});
    CHECK(missing.exit_code == 1);
    CHECK(missing.err.find("cannot open") != std::string::npos);
}

TEST_CASE("wvdecode: --text matches libprotobuf, for samples and report ends") {
    const auto report = default_report(4);
    const auto r = wvdecode({"--text", wv::util::hex_encode(std::string_view(report))});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "# akproto1.SamplesBatchMessage, " + std::to_string(report.size()) + " bytes\n" +
                       libprotobuf_text(report) + "\n");
    const auto end = wvdecode({"--text", "080710011802"});
    CHECK(end.out == "# akproto1.ReportEndMessage, 6 bytes\nreport_id: 7\nreason: TERMINATED\n"
                     "report_priority: REPORTING_PRIORITY_HIGH\n\n");
}

TEST_CASE("wvdecode: report ends, auto-detected or forced") {
    const json expected = {{"reportId", "7"}, {"reason", "TERMINATED"}, {"reportPriority", "REPORTING_PRIORITY_HIGH"}};
    CHECK(json::parse(wvdecode({"080710011802"}).out) == expected);
    CHECK(json::parse(wvdecode({"--type", "reportend", "080710011802"}).out) == expected);
    // Forced as samples, field 2 is not a SamplesMessage: skipped as libprotobuf skips it.
    CHECK(json::parse(wvdecode({"--type", "samples", "080710011802"}).out)["reportId"] == "7");
    const auto strict = wvdecode({"--strict", "--type", "samples", "080710011802"});
    CHECK(strict.exit_code == 3);
    CHECK(strict.err.find("wrong wire type for the field at byte 2 (field 2 has wire type 0)") != std::string::npos);
}

TEST_CASE("wvdecode: --encode round-trips what protoc produces") {
    const std::string text = "report_id: 7 samples_batch { type_and_number { channel_number: 1 channel_type: "
                             "TEMP_CHANNEL_TYPE } periodic { first_timestamp: 1000 interval: 500 data { uint64_value: 42 } } }";
    const auto wire = protoc_encode("SamplesBatchMessage", text);
    CHECK(wvdecode({"--encode", "--out", "hex"}, text).out == wv::util::hex_encode(std::string_view(wire)) + "\n");
    CHECK(wvdecode({"--encode", "--out", "raw"}, text).out == wire);
    const auto b64 = wvdecode({"--encode"}, text).out;
    CHECK(b64 == wv::util::base64_encode(std::string_view(wire)) + "\n");
    CHECK(json::parse(wvdecode({}, b64).out) == vector_json);
    // JSON lines in (the protobuf JSON mapping), one payload per line out.
    const auto j = wvdecode({"--encode", "--out", "hex"},
                            "{\"reportId\":\"7\",\"reason\":\"TERMINATED\",\"reportPriority\":\"REPORTING_PRIORITY_HIGH\"}\n"
                            "{\"reportId\":\"1\"}\n");
    CHECK(j.exit_code == 0);
    CHECK(j.out == "080710011802\n0801\n");
    const auto bad = wvdecode({"--encode"}, "report_id: 7 samples_batch { colour: 3 }");
    CHECK(bad.exit_code == 3);
    CHECK(bad.err.find("line 1:") != std::string::npos);
}

TEST_CASE("wvdecode: --event gives the Lambda's result per event line") {
    const auto report = default_report(5);
    const json good = {{"client_id", "AKID-0"}, {"topic", "wv/AKID-0/1/samp/p1"},
                       {"data", wv::util::base64_encode(std::string_view(report))}, {"timestamp", 1}};
    json ignored = good;
    ignored["topic"] = "wv/AKID-0/1/reportend/p1";
    json slash = good;
    slash["topic"] = "/wv/AKID-0/1/samp/p1";
    const auto r = wvdecode({"--event"}, good.dump() + "\n" + ignored.dump() + "\n{not json\n" + slash.dump() + "\n");
    CHECK(r.exit_code == 3);
    const auto out = lines(r.out);
    REQUIRE(out.size() == 3);
    CHECK(json::parse(out[0]) == lambda_result_for_event(good).value().output.value());
    CHECK(out[1] == "null");
    CHECK(out[0].starts_with(R"({"thingMetadata":{"mqtt_clientid":"AKID-0")"));
    CHECK(r.err.find("line 3: not valid JSON") != std::string::npos);
    CHECK(r.err.find("line 4: warning: topic \"/wv/AKID-0/1/samp/p1\" starts with '/'") != std::string::npos);
}

TEST_CASE("wvdecode: --generate writes the library encoder's reports") {
    const auto r = wvdecode({"--generate", "2", "--out", "hex", "--now-ms", "1700000000000", "--device", "4"});
    CHECK(r.exit_code == 0);
    report_encoder enc(default_profile(), 4);
    std::vector<std::byte> a, b;
    enc.encode(1, 1'700'000'000'000, a);
    enc.encode(2, 1'700'000'001'000, b);
    CHECK(r.out == wv::util::hex_encode(std::string_view(str(a))) + "\n" + wv::util::hex_encode(std::string_view(str(b))) + "\n");
    const auto bad = wvdecode({"--generate", "1", "--profile", "/nonexistent.yaml"});
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("/nonexistent.yaml: cannot open") != std::string::npos);
    CHECK(wvdecode({"--profile", "x.yaml"}).exit_code == 2);
}
