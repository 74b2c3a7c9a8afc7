#include "payload/lambda_json.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "payload/channel_type.hpp"
#include "util/base64.hpp"

namespace wv::payload {
namespace {

// libprotobuf's JSON printer writes floats with SimpleFtoa ("%.6g", or "%.9g" when that does
// not round-trip) and doubles with SimpleDtoa ("%.15g", else "%.17g"). Returning the double
// that the printed text denotes makes our JSON equal, value for value, to libprotobuf's.
nlohmann::json float_json(float f) {
    if (std::isnan(f)) return "NaN";
    if (std::isinf(f)) return f > 0 ? "Infinity" : "-Infinity";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*g", 6, static_cast<double>(f));
    // libprotobuf's safe_strtof also fails on ERANGE, which strtof reports for subnormal
    // results: those then get 9 digits too even when 6 would round-trip (found by the fuzzer).
    errno = 0;
    char* end = nullptr;
    const float back = std::strtof(buf, &end);
    if (errno != 0 || *end != '\0' || back != f) std::snprintf(buf, sizeof buf, "%.*g", 9, static_cast<double>(f));
    return std::strtod(buf, nullptr);
}

nlohmann::json double_json(double d) {
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
    return d;  // %.15g/%.17g both denote d itself
}

nlohmann::json enum_json(std::int32_t v) {
    if (auto name = channel_type_name(v)) return std::string(*name);
    return v;
}

// Decimal of an unsigned 128-bit value: Python's ints do not overflow, so neither may we.
__extension__ typedef unsigned __int128 u128;
std::string to_decimal(u128 v) {
    char buf[48];
    char* p = buf + sizeof buf;
    do {
        *--p = static_cast<char>('0' + static_cast<int>(v % 10));
        v /= 10;
    } while (v);
    return {p, buf + sizeof buf};
}

nlohmann::json sample_json(std::string timestamp, const sample_value* v, const samples_message& m) {
    nlohmann::json s;
    s["timestamp"] = std::move(timestamp);
    s["value"] = v ? sample_value_json(*v) : nullptr;
    if (m.type_and_number) {
        s["channelNumber"] = m.type_and_number->channel_number;
        s["channelType"] = enum_json(m.type_and_number->channel_type);
    } else {
        s["channelNumber"] = nullptr;
        s["channelType"] = nullptr;
    }
    return s;
}

}  // namespace

nlohmann::json sample_value_json(const sample_value& v) {
    struct visitor {
        nlohmann::json operator()(std::monostate) const { return nullptr; }
        nlohmann::json operator()(std::uint64_t x) const { return std::to_string(x); }
        nlohmann::json operator()(std::int64_t x) const { return std::to_string(x); }
        nlohmann::json operator()(float x) const { return float_json(x); }
        nlohmann::json operator()(double x) const { return double_json(x); }
        nlohmann::json operator()(bool x) const { return x; }
        nlohmann::json operator()(const gps_data& g) const {
            return {{"latitude", g.latitude},
                    {"longitude", g.longitude},
                    {"altitude", g.altitude},
                    {"hdop", g.hdop},
                    {"numberOfSatellites", g.number_of_satellites},
                    {"isValidFix", g.is_valid_fix}};
        }
        nlohmann::json operator()(const jpg_data& j) const {
            return {{"width", j.width},
                    {"height", j.height},
                    {"compressionRatio", j.compression_ratio},
                    {"totalSize", j.total_size},
                    {"colorChannels", j.color_channels},
                    {"imageData", util::base64_encode(std::string_view(j.image_data))}};
        }
    };
    return std::visit(visitor{}, v);
}

nlohmann::json to_lambda_json(const samples_batch& b) {
    nlohmann::json samples = nlohmann::json::array();
    for (const auto& m : b.samples_batch) {
        if (const auto* p = std::get_if<periodic_samples>(&m.samples)) {
            for (std::size_t i = 0; i < p->data.size(); ++i) {
                const u128 ts = static_cast<u128>(p->first_timestamp) + static_cast<u128>(i) * p->interval;
                const auto& d = p->data[i];
                samples.push_back(sample_json(to_decimal(ts), std::holds_alternative<std::monostate>(d) ? nullptr : &d, m));
            }
        } else if (const auto* sp = std::get_if<sparse_samples>(&m.samples)) {
            for (const auto& st : sp->samples) {
                const sample_value* d = st.data && !std::holds_alternative<std::monostate>(*st.data) ? &*st.data : nullptr;
                samples.push_back(sample_json(std::to_string(st.timestamp), d, m));
            }
        }
    }
    nlohmann::json out;
    out["reportId"] = std::to_string(b.report_id);
    out["totalSamples"] = samples.size();
    out["samples"] = std::move(samples);
    return out;
}

result<nlohmann::json> decode_samples_to_lambda_json(std::span<const std::byte> in, decode_options opt) {
    auto b = decode_samples_batch(in, opt);
    if (!b) return b.error();
    return to_lambda_json(b.value());
}

result<lambda_outcome> lambda_result_for_event(const nlohmann::json& event, decode_options opt) {
    const auto bad = [](std::string what) {
        return decode_error{.code = payload_errc::invalid_input, .offset = 0, .field_path = {}, .detail = std::move(what)};
    };
    if (!event.is_object()) return bad("event is not a JSON object");
    for (const char* key : {"client_id", "topic", "data"})
        if (!event.contains(key) || !event[key].is_string())
            return bad(std::string("event field \"") + key + "\" missing or not a string");
    const auto& topic = event["topic"].get_ref<const std::string&>();
    // The Lambda's own test: any topic containing "samp" is a samples report.
    if (topic.find("samp") == std::string::npos) return lambda_outcome{};
    const auto raw = util::base64_decode(event["data"].get_ref<const std::string&>());
    if (!raw) return bad("event field \"data\" is not valid base64");
    auto samples = decode_samples_to_lambda_json(std::as_bytes(std::span(raw->data(), raw->size())), opt);
    if (!samples) return samples.error();
    nlohmann::json meta;
    meta["mqtt_clientid"] = event["client_id"];
    meta["mqtt_topic"] = event["topic"];
    meta["timestamp"] = event.contains("timestamp") ? event["timestamp"] : nlohmann::json(nullptr);
    nlohmann::json out;
    out["thingMetadata"] = std::move(meta);
    out["data_samples"] = std::move(samples.value());
    return lambda_outcome{std::move(out)};
}

}  // namespace wv::payload
