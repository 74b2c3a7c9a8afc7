#include "libprotobuf_lambda.hpp"

#include <stdexcept>
#include <string>

#include <google/protobuf/util/json_util.h>

#include "samples_message.pb.h"

namespace wv::payload::test {
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
    if (!m.ParseFromArray(wire.data(), static_cast<int>(wire.size()))) return nullptr;
    std::string text;
    google::protobuf::util::JsonPrintOptions opt;
    opt.always_print_primitive_fields = true;
    if (!google::protobuf::util::MessageToJsonString(m, &text, opt).ok())
        throw std::runtime_error("libprotobuf cannot print the message as JSON");
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
            for (const auto& d : p["data"]) add(decimal(first + static_cast<u128>(i++) * interval), first_value(d));
        } else if (sm.contains("sparse")) {
            for (const auto& st : sm["sparse"]["samples"])
                add(st["timestamp"].get<std::string>(), st.contains("data") ? first_value(st["data"]) : nullptr);
        }
    }
    return {{"reportId", j["reportId"]}, {"totalSamples", samples.size()}, {"samples", samples}};
}

}  // namespace wv::payload::test
