#pragma once
// The reference decoder: the exact JSON Ayyeka's decoder Lambda produces for a payload.
//
// The Lambda parses SamplesBatchMessage, converts it with protobuf's JSON mapping including
// default-valued fields, and flattens it to
//   {"reportId": "<int64 as string>", "totalSamples": <n>,
//    "samples": [{"timestamp": "<ms as string>", "value": <first value field>,
//                 "channelNumber": <int>, "channelType": "<enum name>"}, ...]}
// in the order of samples_batch, then of the samples within each entry. Periodic samples get
// timestamp = first_timestamp + i * interval (exact, even past 2^64, as Python computes it);
// sparse samples carry their own. `value` is the set member of SampleData in protobuf's JSON
// mapping: uint64/sint64 as strings, float and double as numbers printed as libprotobuf prints
// them (shortest form that round-trips at the field's precision; "NaN", "Infinity",
// "-Infinity" as strings), bool, GPS and JPG as objects with every field (imageData base64).
// Unknown enum numbers print as numbers. (A Lambda running Python's protobuf prints float
// fields with the shortest form that round-trips as a float, e.g. 0.12345679 where
// libprotobuf's C++ printer, matched here, gives 0.123456791: the same float32, other text.)
//
// Where the spec is silent (the Lambda would raise): a SampleData with no member set gives
// "value": null; an entry without type_and_number gives null channelNumber and channelType; an
// entry with neither periodic nor sparse contributes no samples.
//
// Memory: the JSON is built in memory, about 550 bytes per sample: a hostile 128 KB payload of
// 65,000 empty periodic samples (2 bytes each) costs ~37 MB while it is decoded; bound it with
// decode_options::max_samples where that matters. Pure functions: safe from any thread.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include <nlohmann/json.hpp>

#include "payload/decode_error.hpp"
#include "payload/samples_batch.hpp"
#include "payload/samples_decoder.hpp"

namespace wv::payload {

// The `data_samples` object for a decoded batch.
nlohmann::json to_lambda_json(const samples_batch& b);

// decode_samples_batch + to_lambda_json.
result<nlohmann::json> decode_samples_to_lambda_json(std::span<const std::byte> in, decode_options opt = {});

// The Lambda's result for one rule event {"client_id","topic","data" (base64),"timestamp"}:
//   {"thingMetadata": {"mqtt_clientid": <client_id>, "mqtt_topic": <topic>,
//                      "timestamp": <timestamp as given>},
//    "data_samples": {...}}
// A topic without "samp" gives nullopt inside the result (the Lambda ignores it). Errors:
// invalid_input (not an object, missing/mistyped client_id, topic or data, bad base64), or the
// payload's decode_error with its offset into the base64-decoded bytes.
struct lambda_outcome {
    std::optional<nlohmann::json> output;  // nullopt: ignored topic
};
result<lambda_outcome> lambda_result_for_event(const nlohmann::json& event, decode_options opt = {});

// The protobuf JSON mapping of one SampleData member, as it appears as "value".
nlohmann::json sample_value_json(const sample_value& v);

}  // namespace wv::payload
