#include "decode_modes.hpp"

#include <algorithm>
#include <ostream>
#include <vector>

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>
#include <nlohmann/json.hpp>

#include "payload/lambda_json.hpp"
#include "payload/report_end.hpp"
#include "payload/samples_decoder.hpp"
#include "report_end_message.pb.h"
#include "samples_message.pb.h"
#include "util/base64.hpp"
#include "util/hex.hpp"

namespace wv::wvdecode {
namespace {

std::span<const std::byte> as_bytes(const std::string& s) { return std::as_bytes(std::span(s.data(), s.size())); }

// nlohmann::json keeps keys sorted; print them in the order the Lambda (a Python dict filled
// in protobuf field order) does, so output diffs cleanly against the real thing.
nlohmann::ordered_json in_lambda_order(const nlohmann::json& j) {
    static const std::vector<std::string_view> order = {
        "thingMetadata", "mqtt_clientid", "mqtt_topic", "data_samples", "reportId", "reason", "reportPriority",
        "totalSamples", "samples", "timestamp", "value", "channelNumber", "channelType", "latitude", "longitude",
        "altitude", "hdop", "numberOfSatellites", "isValidFix", "width", "height", "compressionRatio", "totalSize",
        "colorChannels", "imageData"};
    if (j.is_array()) {
        nlohmann::ordered_json a = nlohmann::ordered_json::array();
        for (const auto& e : j) a.push_back(in_lambda_order(e));
        return a;
    }
    if (!j.is_object()) return j;
    std::vector<std::string> keys;
    for (const auto& [k, v] : j.items()) keys.push_back(k);
    const auto rank = [](const std::string& k) {
        return static_cast<std::size_t>(std::find(order.begin(), order.end(), k) - order.begin());
    };
    std::stable_sort(keys.begin(), keys.end(), [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
    nlohmann::ordered_json o = nlohmann::ordered_json::object();
    for (const auto& k : keys) o[k] = in_lambda_order(j[k]);
    return o;
}

void print_json(const nlohmann::json& j, const mode_options& opt, std::ostream& out) {
    // Invalid UTF-8 cannot occur (no string fields); replace rather than throw regardless.
    out << in_lambda_order(j).dump(opt.pretty ? 2 : -1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

// A ReportEndMessage reads as a SamplesBatchMessage only with a wrong wire type for field 2,
// so a payload is taken for a report end when strict samples decoding fails and the bytes are
// exactly a report end's canonical encoding.
message_type detect(const std::string& data, const mode_options& opt) {
    if (opt.type != message_type::auto_detect) return opt.type;
    if (payload::decode_samples_batch(as_bytes(data), {.strict = true})) return message_type::samples;
    if (const auto e = payload::decode_report_end(as_bytes(data))) {
        const auto again = payload::encode_report_end(e->report_id, static_cast<payload::report_end_reason>(e->reason),
                                                      static_cast<payload::report_priority>(e->priority));
        if (std::equal(again.begin(), again.end(), as_bytes(data).begin(), as_bytes(data).end()))
            return message_type::reportend;
    }
    return message_type::samples;
}

bool report(const std::string& label, const std::string& what, std::ostream& err) {
    err << "wvdecode: " << label << ": " << what << '\n';
    return false;
}

bool check_item(const payload_item& item, std::ostream& err) {
    if (!item.data) return report(item.label, item.error, err);
    return true;
}

class collecting_errors : public google::protobuf::io::ErrorCollector {
public:
    void AddError(int line, int column, const std::string& message) override {
        if (text.empty()) text = "line " + std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " + message;
    }
    std::string text;
};

bool parse_document(std::string_view doc, google::protobuf::Message& m, std::string& why) {
    if (!doc.empty() && doc.front() == '{') {
        const auto st = google::protobuf::util::JsonStringToMessage(std::string(doc), &m);
        if (!st.ok()) why = std::string(st.message());
        return st.ok();
    }
    google::protobuf::TextFormat::Parser parser;
    collecting_errors errors;
    parser.RecordErrorsTo(&errors);
    if (parser.ParseFromString(std::string(doc), &m)) return true;
    why = errors.text.empty() ? "not valid text format" : errors.text;
    return false;
}

}  // namespace

bool print_lambda(const payload_item& item, const mode_options& opt, std::ostream& out, std::ostream& err) {
    if (!check_item(item, err)) return false;
    if (detect(*item.data, opt) == message_type::reportend) {
        const auto r = payload::decode_report_end(as_bytes(*item.data));
        if (!r) return report(item.label, "ReportEndMessage: " + r.error().message(), err);
        print_json(payload::to_json(r.value()), opt, out);
        return true;
    }
    const auto r = payload::decode_samples_to_lambda_json(as_bytes(*item.data), {.strict = opt.strict});
    if (!r) return report(item.label, "SamplesBatchMessage: " + r.error().message(), err);
    print_json(r.value(), opt, out);
    return true;
}

bool print_text(const payload_item& item, const mode_options& opt, std::ostream& out, std::ostream& err) {
    if (!check_item(item, err)) return false;
    const auto type = detect(*item.data, opt);
    // Our decoder says where it fails; libprotobuf (which agrees on what is valid) prints.
    std::unique_ptr<google::protobuf::Message> m;
    if (type == message_type::reportend) {
        const auto r = payload::decode_report_end(as_bytes(*item.data));
        if (!r) return report(item.label, "ReportEndMessage: " + r.error().message(), err);
        m = std::make_unique<akproto1::ReportEndMessage>();
    } else {
        const auto r = payload::decode_samples_batch(as_bytes(*item.data), {.strict = opt.strict});
        if (!r) return report(item.label, "SamplesBatchMessage: " + r.error().message(), err);
        m = std::make_unique<akproto1::SamplesBatchMessage>();
    }
    if (!m->ParseFromString(*item.data)) return report(item.label, "libprotobuf rejects the payload", err);
    std::string text;
    google::protobuf::TextFormat::PrintToString(*m, &text);
    out << "# " << m->GetDescriptor()->full_name() << ", " << item.data->size() << " bytes\n" << text << '\n';
    return true;
}

bool print_event(std::string_view event_json, const std::string& label, const mode_options& opt,
                 std::ostream& out, std::ostream& err) {
    const auto event = nlohmann::json::parse(event_json, nullptr, false);
    if (event.is_discarded()) return report(label, "not valid JSON", err);
    if (event.is_object() && event.contains("topic") && event["topic"].is_string()) {
        const auto& topic = event["topic"].get_ref<const std::string&>();
        if (topic.starts_with("/wv/"))
            err << "wvdecode: " << label << ": warning: topic \"" << topic
                << "\" starts with '/': a rule FROM 'wv/#' does not match it\n";
    }
    const auto r = payload::lambda_result_for_event(event, {.strict = opt.strict});
    if (!r) return report(label, r.error().message(), err);
    if (r->output) print_json(*r->output, opt, out);
    else out << "null\n";  // the Lambda returns nothing for topics without "samp"
    return true;
}

bool encode_document(std::string_view doc, const std::string& label, const mode_options& opt,
                     output_encoding enc, std::ostream& out, std::ostream& err) {
    akproto1::SamplesBatchMessage samples;
    akproto1::ReportEndMessage end;
    std::string why, why_end;
    google::protobuf::Message* m = nullptr;
    if (opt.type != message_type::reportend && parse_document(doc, samples, why)) m = &samples;
    else if (opt.type != message_type::samples && parse_document(doc, end, why_end)) m = &end;
    if (!m) return report(label, opt.type == message_type::reportend ? why_end : why, err);
    const auto bytes = m->SerializeAsString();
    switch (enc) {
    case output_encoding::raw: out << bytes; break;
    case output_encoding::hex: out << util::hex_encode(std::string_view(bytes)) << '\n'; break;
    case output_encoding::base64: out << util::base64_encode(std::string_view(bytes)) << '\n'; break;
    }
    return true;
}

}  // namespace wv::wvdecode
