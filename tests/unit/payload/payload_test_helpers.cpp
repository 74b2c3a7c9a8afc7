#include "payload_test_helpers.hpp"

#include <doctest/doctest.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>

#include "samples_message.pb.h"
#include "support/child_process.hpp"

namespace wv::payload::test {

std::vector<std::byte> bytes(std::string_view s) {
    const auto b = std::as_bytes(std::span(s.data(), s.size()));
    return {b.begin(), b.end()};
}

std::vector<std::byte> bytes(std::initializer_list<int> v) {
    std::vector<std::byte> out;
    for (int x : v) out.push_back(std::byte{static_cast<unsigned char>(x)});
    return out;
}

std::string str(const std::vector<std::byte>& b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

std::string protoc_encode(std::string_view message, std::string_view text) {
    const std::string proto_dir = std::string(WV_SOURCE_DIR_PATH) + "/proto";
    const std::string file = message == "ReportEndMessage" ? "report_end_message.proto" : "samples_message.proto";
    auto r = wv::test::run({WV_PROTOC, "--encode=akproto1." + std::string(message), "-I", proto_dir, file},
                           std::string(text));
    INFO("protoc stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    return r.out;
}

namespace {

__extension__ typedef unsigned __int128 u128;

nlohmann::json first_value(const nlohmann::json& sample_data) {
    // The Lambda takes the first (the only: it is a oneof) key of the SampleData object.
    if (!sample_data.is_object() || sample_data.empty()) return nullptr;
    return sample_data.begin().value();
}

std::string decimal(u128 v) {
    std::string s;
    do {
        s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
        v /= 10;
    } while (v);
    return s;
}

}  // namespace

nlohmann::json libprotobuf_lambda_json(std::string_view wire) {
    akproto1::SamplesBatchMessage m;
    if (!m.ParseFromString(std::string(wire))) return nullptr;
    std::string text;
    google::protobuf::util::JsonPrintOptions opt;
    opt.always_print_primitive_fields = true;
    REQUIRE(google::protobuf::util::MessageToJsonString(m, &text, opt).ok());
    const auto j = nlohmann::json::parse(text);

    nlohmann::json samples = nlohmann::json::array();
    for (const auto& sm : j.value("samplesBatch", nlohmann::json::array())) {
        nlohmann::json number = nullptr, type = nullptr;
        if (sm.contains("typeAndNumber")) {
            number = sm["typeAndNumber"]["channelNumber"];
            type = sm["typeAndNumber"]["channelType"];
        }
        const auto add = [&](std::string ts, nlohmann::json value) {
            samples.push_back({{"timestamp", ts}, {"value", value}, {"channelNumber", number}, {"channelType", type}});
        };
        if (sm.contains("periodic")) {
            const auto& p = sm["periodic"];
            const auto first = std::stoull(p["firstTimestamp"].get<std::string>());
            const auto interval = std::stoull(p["interval"].get<std::string>());
            std::size_t i = 0;
            for (const auto& d : p["data"])
                add(decimal(first + static_cast<u128>(i++) * interval), first_value(d));
        } else if (sm.contains("sparse")) {
            for (const auto& st : sm["sparse"]["samples"])
                add(st["timestamp"].get<std::string>(), st.contains("data") ? first_value(st["data"]) : nullptr);
        }
    }
    return {{"reportId", j["reportId"]}, {"totalSamples", samples.size()}, {"samples", samples}};
}

std::string libprotobuf_text(std::string_view wire) {
    akproto1::SamplesBatchMessage m;
    if (!m.ParseFromString(std::string(wire))) return {};
    std::string text;
    google::protobuf::TextFormat::PrintToString(m, &text);
    return text;
}

std::string libprotobuf_reserialize(std::string_view wire) {
    akproto1::SamplesBatchMessage m;
    if (!m.ParseFromString(std::string(wire))) return {};
    return m.SerializeAsString();
}

}  // namespace wv::payload::test
